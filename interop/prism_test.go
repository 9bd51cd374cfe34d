//go:build interop

package interop

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// specPath is the API contract Prism serves.
const specPath = "internal/api/openapi.yaml"

// startPrism runs `prism mock` on the contract and returns its URL. Prism
// answers from the examples of the contract, and refuses requests that break
// it: 401 without a bearer token, 404 for an unknown path or method, 400/422
// (the contract's error responses) for a parameter or body of the wrong
// shape.
func startPrism(t *testing.T) string {
	t.Helper()
	spec := filepath.Join(rootDir, specPath)
	if _, err := os.Stat(spec); err != nil {
		t.Fatalf("the API contract %s is missing: %v", specPath, err)
	}
	port := freePort(t)
	cmd := exec.Command("node", nodeScript(t, "node_modules/@stoplight/prism-cli/dist/index.js"),
		"mock", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--errors", spec)
	cmd.Dir = interopDir
	out := startProcess(t, "prism", cmd)
	u := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, "prism", u+"/health", out)
	return u
}

// exchange is one request as it reached the contract.
type exchange struct {
	Method, Path, Query, Token string
	Status                     int
	Violations                 string // Prism's sl-violations header
}

func (e exchange) String() string {
	s := fmt.Sprintf("%s %s", e.Method, e.Path)
	if e.Query != "" {
		s += "?" + e.Query
	}
	return fmt.Sprintf("%s → %d", s, e.Status)
}

// basePath puts the API's base path (/itcare, as in the contract's server URL
// https://api.cegedim.cloud/itcare) in front of a server that serves the
// contract's paths at its root, as Prism does, and records every exchange.
type basePath struct {
	prefix string
	proxy  *httputil.ReverseProxy
	mu     sync.Mutex
	log    []exchange
}

func newBasePath(t *testing.T, prefix, target string) (*basePath, string) {
	t.Helper()
	tu, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	bp := &basePath{prefix: prefix}
	bp.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(tu)
			r.Out.URL.Path = strings.TrimPrefix(r.In.URL.Path, prefix)
			r.Out.URL.RawPath = ""
		},
		ModifyResponse: func(resp *http.Response) error {
			in := resp.Request
			bp.mu.Lock()
			bp.log = append(bp.log, exchange{
				Method: in.Method, Path: in.URL.Path, Query: in.URL.RawQuery,
				Token:  strings.TrimPrefix(in.Header.Get("Authorization"), "Bearer "),
				Status: resp.StatusCode, Violations: resp.Header.Get("sl-violations"),
			})
			bp.mu.Unlock()
			return nil
		},
	}
	srv := httptest.NewServer(bp)
	t.Cleanup(srv.Close)
	return bp, srv.URL + prefix
}

func (bp *basePath) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, bp.prefix+"/") {
		http.NotFound(w, r)
		return
	}
	bp.proxy.ServeHTTP(w, r)
}

// since returns the exchanges recorded after the first n.
func (bp *basePath) since(n int) []exchange {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	return append([]exchange(nil), bp.log[n:]...)
}

func (bp *basePath) count() int {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	return len(bp.log)
}

// TestContractThroughPrism runs the CLI's main commands against Prism serving
// the API contract, with a token from the Keycloak-shaped realm: each one must
// succeed, send requests the contract accepts (Prism validates parameters,
// bodies and the bearer scheme, and reports any violation in sl-violations),
// and read the contract's example answers. Then requests of a wrong shape,
// sent with `itcare api`, must be refused by Prism and reported by the CLI.
func TestContractThroughPrism(t *testing.T) {
	t.Parallel()
	timed(t)
	kc := startKeycloak(t, 1200, 7200)
	prism := startPrism(t)
	rec, apiURL := newBasePath(t, "/itcare", prism)
	t.Cleanup(func() {
		var lines []string
		for _, e := range rec.since(0) {
			lines = append(lines, "  "+e.String())
		}
		t.Logf("requests that reached Prism:\n%s", strings.Join(lines, "\n"))
	})

	c := newCLI(t, "ITCARE_AUTH_URL="+kc.Issuer, "ITCARE_API_URL="+apiURL)
	c.login(kcClient, kcSecret)
	token := c.cache().AccessToken

	// step runs one command and checks every request it made.
	step := func(want []string, args ...string) result {
		t.Helper()
		n := rec.count()
		r := c.must(args...)
		got := rec.since(n)
		var paths []string
		for _, e := range got {
			paths = append(paths, e.Method+" "+e.Path)
			if e.Status >= 300 {
				t.Errorf("itcare %s: %s", strings.Join(args, " "), e)
			}
			if e.Violations != "" {
				t.Errorf("itcare %s: Prism reports contract violations for %s: %s", strings.Join(args, " "), e, e.Violations)
			}
			if e.Path != "/health" && e.Path != "/api/status" && e.Token != token {
				t.Errorf("itcare %s: %s was sent without the login's bearer token", strings.Join(args, " "), e)
			}
		}
		if fmt.Sprint(paths) != fmt.Sprint(want) {
			t.Errorf("itcare %s sent %v, want %v", strings.Join(args, " "), paths, want)
		}
		return r
	}

	// status: the health endpoint, no credentials.
	r := step([]string{"GET /health"}, "status", "-o", "json")
	var health struct {
		Up bool `json:"up"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &health); err != nil || !health.Up {
		t.Errorf("status -o json: %v\n%s", err, r.stdout)
	}
	if e := rec.since(rec.count() - 1)[0]; e.Token != "" {
		t.Error("status sent the bearer token to the health endpoint")
	}

	// instances list, as a table and as JSON.
	r = step([]string{"GET /compute/instances"}, "instances", "list")
	if !strings.HasPrefix(r.stdout, "ID ") {
		t.Errorf("instances list: no table:\n%s", r.stdout)
	}
	r = step([]string{"GET /compute/instances"}, "instances", "list", "-o", "json")
	var list []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) == 0 || list[0].ID == 0 {
		t.Fatalf("instances list -o json: %v\n%s", err, r.stdout)
	}
	id := fmt.Sprint(list[0].ID)
	step([]string{"GET /compute/instances"}, "instances", "list", "--env", "PRODUCTION", "--status", "ACTIVE")

	// instances get ID
	r = step([]string{"GET /compute/instances/" + id}, "instances", "get", id, "-o", "json")
	var inst struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &inst); err != nil || inst.ID == 0 {
		t.Errorf("instances get -o json: %v\n%s", err, r.stdout)
	}

	// instances stop ID --no-wait: the instance is read (is it ACTIVE, or
	// already INACTIVE?), then PATCH {"operation":"stop"}, 202, the action id
	// on stdout.
	r = step([]string{"GET /compute/instances/" + id, "PATCH /compute/instances/" + id}, "instances", "stop", id, "--no-wait")
	actionID := strings.TrimSpace(r.stdout)
	if actionID == "" || strings.ContainsAny(actionID, " \n") {
		t.Fatalf("instances stop --no-wait printed %q, want an action id", r.stdout)
	}

	// actions get ID
	r = step([]string{"GET /actions/" + actionID}, "actions", "get", actionID, "-o", "json")
	var action struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &action); err != nil || action.Status == "" {
		t.Errorf("actions get -o json: %v\n%s", err, r.stdout)
	}

	// itcare api: the raw answer.
	r = step([]string{"GET /compute/instances"}, "api", "/compute/instances")
	var page struct {
		Content []json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &page); err != nil || len(page.Content) == 0 {
		t.Errorf("api /compute/instances: %v\n%s", err, r.stdout)
	}

	// Wrong shapes. A misspelled filter is not something Prism can see:
	// OpenAPI has no "no other query parameters", so Prism (even with
	// --errors) accepts statuse=ACTIVE, as a Spring server would, ignoring
	// it. That is only logged; a wrong type, a wrong body, an unknown method
	// or path are refused and reported by the CLI.
	n := rec.count()
	r = c.run("api", "-X", "GET", "/compute/instances", "-f", "statuse=ACTIVE")
	t.Logf("misspelled filter statuse=ACTIVE: %v, exit %d (Prism does not check for undeclared query parameters)", rec.since(n), r.code)

	wrong := []struct {
		args   []string
		status int
	}{
		{[]string{"api", "-X", "GET", "/compute/instances", "-f", "page=abc"}, 400},                  // integer parameter
		{[]string{"api", "-X", "PATCH", "/compute/instances/" + id, "-F", "operation=42"}, 422},      // body of the wrong type
		{[]string{"api", "-X", "PATCH", "/compute/instances/" + id, "-f", "operation=explode"}, 422}, // not an operation
		{[]string{"api", "-X", "PUT", "/compute/instances/" + id, "-f", "operation=stop"}, 405},      // no such method
		{[]string{"api", "/compute/instancez"}, 404},                                                 // no such path
	}
	for _, w := range wrong {
		n := rec.count()
		r := c.run(w.args...)
		e := rec.since(n)
		if len(e) != 1 || e[0].Status != w.status {
			t.Errorf("itcare %s reached the contract as %v, want one request answered %d", strings.Join(w.args, " "), e, w.status)
			continue
		}
		wantCode(t, r, 1, "itcare "+strings.Join(w.args, " "))
		if (w.status == 400 || w.status == 422) && !strings.Contains(e[0].Violations, `"severity":"Error"`) {
			t.Errorf("itcare %s: Prism names no violation (sl-violations %q)", strings.Join(w.args, " "), e[0].Violations)
		}
		t.Logf("itcare %s → exit %d: %s\n    sl-violations: %s", strings.Join(w.args, " "), r.code, strings.TrimSpace(r.stderr), e[0].Violations)
		if !strings.Contains(r.stderr, fmt.Sprint(w.status)) {
			t.Errorf("itcare %s: stderr does not report the %d:\n%s", strings.Join(w.args, " "), w.status, r.stderr)
		}
	}

	// Prism itself serves the contract's paths at its root, without the
	// path of the server URL: an API URL without /itcare works too.
	direct := newCLI(t, "ITCARE_AUTH_URL="+kc.Issuer, "ITCARE_API_URL="+prism,
		"ITCARE_CLIENT_ID="+kcClient, "ITCARE_CLIENT_SECRET="+kcSecret)
	direct.must("status")
	r = direct.must("instances", "list", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) == 0 {
		t.Errorf("instances list -o json at Prism's root: %v\n%s", err, r.stdout)
	}

	// The contract's security scheme: Prism refuses anything but a bearer
	// token, so the CLI's requests above did carry one.
	for _, auth := range []string{"", "Basic " + token} {
		req, _ := http.NewRequest("GET", apiURL+"/compute/instances", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Prism answered %s to Authorization %q, want 401", resp.Status, strings.Fields(auth + " none")[0])
		}
	}
}
