package cmd

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/auth"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// hostile puts a server in front of the harness's sandbox: intercept
// answers the requests it wants to (returning true), the rest go to the
// sandbox. OIDC discovery is answered 404 so that the token endpoint is the
// fallback one, on this server too. ITCARE_API_URL and ITCARE_AUTH_URL point
// at it.
func hostile(t *testing.T, h *harness, intercept func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	t.Helper()
	target, _ := url.Parse(h.sb.APIURL())
	target.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
			http.NotFound(w, r)
			return
		}
		if intercept != nil && intercept(w, r) {
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	swap := func(u string) string {
		p, _ := url.Parse(u)
		return srv.URL + p.Path
	}
	t.Setenv("ITCARE_API_URL", swap(h.sb.APIURL()))
	t.Setenv("ITCARE_AUTH_URL", swap(h.sb.AuthURL()))
	return srv
}

const (
	hostileID     = "hostile-client"
	hostileSecret = "p@ss/w+rd&s3cr=t"
)

func hostileHarness(t *testing.T) *harness {
	h := newHarness(t, sandbox.Options{Clients: map[string]string{hostileID: hostileSecret, "sandbox-client": "sandbox-secret"}})
	t.Setenv("ITCARE_CLIENT_ID", hostileID)
	t.Setenv("ITCARE_CLIENT_SECRET", hostileSecret)
	return h
}

func isTokenRequest(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token")
}

// secretForms are what must never be printed.
func secretForms(tokens ...string) []string {
	forms := []string{hostileSecret, url.QueryEscape(hostileSecret), url.PathEscape(hostileSecret),
		base64.StdEncoding.EncodeToString([]byte(hostileID + ":" + hostileSecret)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(hostileID) + ":" + url.QueryEscape(hostileSecret)))}
	return append(forms, tokens...)
}

func assertNoSecret(t *testing.T, r result, forms []string) {
	t.Helper()
	for _, f := range forms {
		if f != "" && (strings.Contains(r.stdout, f) || strings.Contains(r.stderr, f)) {
			t.Fatalf("secret form %q printed\nstdout: %s\nstderr: %s", f, r.stdout, r.stderr)
		}
	}
}

func TestSecretsEchoedByTheTokenEndpointAreMasked(t *testing.T) {
	h := hostileHarness(t)
	hostile(t, h, func(w http.ResponseWriter, r *http.Request) bool {
		if !isTokenRequest(r) {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":"rejected %s with body %s"}`, r.Header.Get("Authorization"), body)
		return true
	})
	for _, args := range [][]string{{"instances", "list"}, {"--debug", "instances", "list"}, {"-o", "json", "instances", "list"}} {
		r := h.run(args...)
		assertCode(t, r, ExitAuth)
		assertNoSecret(t, r, secretForms())
		if !strings.Contains(r.stderr, "[REDACTED]") {
			t.Fatalf("%v: the echoed header should show as masked:\n%s", args, r.stderr)
		}
	}
}

func TestSecretsAndTokensEchoedByTheAPIAreMasked(t *testing.T) {
	h := hostileHarness(t)
	var lastToken string
	hostile(t, h, func(w http.ResponseWriter, r *http.Request) bool {
		if isTokenRequest(r) {
			return false
		}
		lastToken = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case strings.HasSuffix(r.URL.Path, "/echo"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"raw":%q,"query":%q,"path":%q}`, hostileSecret, url.QueryEscape(hostileSecret), url.PathEscape(hostileSecret))
		case strings.HasSuffix(r.URL.Path, "/bad"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"errorMessage":"bad header %s","errorCode":"X"}`, r.Header.Get("Authorization"))
		default:
			return false
		}
		return true
	})
	r := h.run("--debug", "api", "/echo")
	assertCode(t, r, 0)
	assertNoSecret(t, r, secretForms(lastToken))
	if lastToken == "" || !strings.Contains(r.stderr, "[REDACTED]") {
		t.Fatalf("no request or nothing masked:\n%s", r.stderr)
	}
	for _, args := range [][]string{{"api", "/bad"}, {"--debug", "api", "/bad"}, {"-o", "json", "api", "/bad"}} {
		r = h.run(args...)
		assertCode(t, r, ExitError)
		assertNoSecret(t, r, secretForms(lastToken))
		if !strings.Contains(r.stderr, "Bearer [REDACTED]") {
			t.Fatalf("%v: %s", args, r.stderr)
		}
	}
	// auth token prints the token on purpose.
	r = h.mustRun("auth", "token")
	if strings.TrimSpace(r.stdout) == "" || strings.Contains(r.stdout, "REDACTED") {
		t.Fatalf("auth token printed %q", r.stdout)
	}
}

func TestHangingTokenEndpointIsAnAuthFailureNamingIt(t *testing.T) {
	h := hostileHarness(t)
	release := make(chan struct{})
	hostile(t, h, func(w http.ResponseWriter, r *http.Request) bool {
		if !isTokenRequest(r) {
			return false
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return true
	})
	t.Cleanup(func() { close(release) })
	for i := 0; i < 3; i++ {
		r := h.run("--timeout", "300ms", "instances", "list")
		assertCode(t, r, ExitAuth)
		if !strings.Contains(r.stderr, "token endpoint") || !strings.Contains(r.stderr, "/protocol/openid-connect/token") {
			t.Fatalf("run %d: %s", i, r.stderr)
		}
	}
}

func TestRedirectsOffTheAPIHostOrIntoAGetAreNotFollowed(t *testing.T) {
	h := hostileHarness(t)
	var offHost int
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		offHost++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"content":[],"number":0,"last":true}`)
	}))
	defer other.Close()
	var srvURL string
	srv := hostile(t, h, func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.HasSuffix(r.URL.Path, "/away"):
			http.Redirect(w, r, other.URL+"/itcare/x", http.StatusFound)
		case strings.HasSuffix(r.URL.Path, "/same"):
			// 302 on a PATCH: Go would follow it as a GET.
			http.Redirect(w, r, srvURL+"/itcare/health", http.StatusFound)
		default:
			return false
		}
		return true
	})
	srvURL = srv.URL
	for _, args := range [][]string{{"api", "/away"}, {"api", "-X", "PATCH", "/away", "-f", "a=b"}, {"api", "-X", "PATCH", "/same", "-f", "a=b"}} {
		r := h.run(args...)
		assertCode(t, r, ExitError)
		if !strings.Contains(r.stderr, "not followed") {
			t.Fatalf("%v: %s", args, r.stderr)
		}
	}
	if offHost != 0 {
		t.Fatalf("%d requests reached the other host", offHost)
	}
}

func TestUnknownConfigKeysAreErrorsAtEveryLevel(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	for _, body := range []string{
		"profile:\n  default:\n    output: json\n",
		"profiles:\n  default:\n    output: json\n  other:\n    outptu: yaml\n",
		"profiles:\n  default:\n    outptu: json\n",
	} {
		if err := os.WriteFile(filepath.Join(h.dir, "config.yaml"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		r := h.run("version")
		assertCode(t, r, ExitUsage)
		if !strings.Contains(r.stderr, "profile") {
			t.Fatalf("%q: %s", body, r.stderr)
		}
	}
}

func TestAPollAboutAnotherActionOrANegativeIDIsAnError(t *testing.T) {
	h := hostileHarness(t)
	hostile(t, h, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/itcare/actions/"):
			fmt.Fprint(w, `{"id":999,"status":"SUCCESS","process":"STOP","resourceName":"x"}`)
		case strings.HasSuffix(r.URL.Path, "/negative"):
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprint(w, `{"id":-5}`)
		default:
			return false
		}
		return true
	})
	inst := firstInstance(t, h, "--status", "ACTIVE")
	r := h.run("instances", "stop", fmt.Sprint(inst["id"]))
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "answered with action 999") {
		t.Fatalf("%s", r.stderr)
	}
	r = h.run("api", "-X", "PATCH", "/negative", "-f", "a=b", "--wait")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "action -5") {
		t.Fatalf("%s", r.stderr)
	}
}

func TestShortLivedTokensAreReused(t *testing.T) {
	h := newHarness(t, sandbox.Options{AccessTokenLifetime: 40 * time.Second})
	h.login()
	for i := 0; i < 5; i++ {
		h.mustRun("instances", "list", "--size", "1")
	}
	if n := len(h.tokenRequests()); n != 0 {
		t.Fatalf("%d token requests for 5 commands within a 40s token's life, want 0 (the login's token)", n)
	}
}

func TestACachedTokenIsNotSentToAnotherAuthServersAPI(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	// The same account from the environment: the saved login itself is
	// refused for other URLs than its own.
	t.Setenv("ITCARE_CLIENT_ID", "sandbox-client")
	t.Setenv("ITCARE_CLIENT_SECRET", "sandbox-secret")
	var tokenCalls, apiCalls int
	var apiAuth []string
	hostile(t, h, func(w http.ResponseWriter, r *http.Request) bool {
		if isTokenRequest(r) {
			tokenCalls++
		} else {
			apiCalls++
			apiAuth = append(apiAuth, r.Header.Get("Authorization"))
		}
		return false
	})
	cached := strings.TrimSpace(h.mustRun("auth", "token").stdout)
	if tokenCalls != 1 || cached == "" {
		t.Fatalf("%d token requests to the new auth server, want 1", tokenCalls)
	}
	// The token the login cached for the first auth URL is never used here.
	t.Setenv("ITCARE_AUTH_URL", h.sb.AuthURL())
	first := strings.TrimSpace(h.mustRun("auth", "token").stdout)
	if first == cached {
		t.Fatalf("the token of one auth URL was served for another")
	}
}

func TestForbiddenIsAnAuthFailure(t *testing.T) {
	h := hostileHarness(t)
	hostile(t, h, func(w http.ResponseWriter, r *http.Request) bool {
		if isTokenRequest(r) {
			return false
		}
		w.WriteHeader(http.StatusForbidden)
		return true
	})
	for _, args := range [][]string{{"instances", "list"}, {"api", "/compute/instances"}, {"-o", "json", "instances", "get", "1"}} {
		r := h.run(args...)
		assertCode(t, r, ExitAuth)
		if !strings.Contains(r.stderr, "403") {
			t.Fatalf("%v: %s", args, r.stderr)
		}
	}
}

func TestLockFileDoesNotFollowAPlantedLink(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	target := filepath.Join(t.TempDir(), "created-by-itcare")
	lock := (&auth.Store{Dir: h.dir}).LockPath("default")
	if err := os.Symlink(target, lock); err != nil {
		t.Fatal(err)
	}
	h.login()
	if _, err := os.Lstat(target); err == nil {
		t.Fatalf("the lock followed the link and created %s", target)
	}
}

func TestConfigFolderWritableByOthersIsRefused(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	if err := os.Chmod(h.dir, 0o777); err != nil {
		t.Fatal(err)
	}
	r := h.run("instances", "list")
	assertCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, "written by other users") {
		t.Fatalf("%s", r.stderr)
	}
	os.Chmod(h.dir, 0o700)
}

func TestValuesGivenToLoginAreNeverEchoed(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	for _, args := range [][]string{
		{"login", "--client-secret-stdin=S3CRET-typed-here"},
		{"login", "--client-id", "x", "S3CRET-typed-here"},
		{"login", "S3CRET-typed-here", "--client-id=y"},
	} {
		r := h.run(args...)
		assertCode(t, r, ExitUsage)
		if strings.Contains(r.stderr+r.stdout, "S3CRET") {
			t.Fatalf("%v: %s", args, r.stderr)
		}
	}
}

func TestTerminalEscapesFromTheServerAreShownHarmless(t *testing.T) {
	h := hostileHarness(t)
	evil := "web\x1b]0;pwned\x07\x1b[2J\r\u202eexe.txt"
	hostile(t, h, func(w http.ResponseWriter, r *http.Request) bool {
		if isTokenRequest(r) {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/compute/instances") {
			fmt.Fprintf(w, `{"content":[{"id":1,"name":%s,"status":"ACTIVE"}],"number":0,"totalPages":1,"last":true}`, jsonString(evil))
			return true
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errorMessage":%s}`, jsonString(evil))
		return true
	})
	h.stdoutTTY, h.stderrTTY = true, true
	r := h.mustRun("instances", "list")
	if strings.ContainsAny(r.stdout, "\x1b\x07\r\u202e") || !strings.Contains(r.stdout, `web\x1b]0;pwned`) {
		t.Fatalf("table: %q", r.stdout)
	}
	r = h.run("instances", "get", "1")
	assertCode(t, r, ExitError)
	_, msg, _ := strings.Cut(r.stderr, "error: ")
	if msg == "" || strings.ContainsAny(msg, "\x1b\x07\r\u202e") || !strings.Contains(msg, `\x1b[2J`) {
		t.Fatalf("error: %q", r.stderr)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
