package cmd

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/netfault"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// faultCase is one row of the fault matrix: a real command run against the
// sandbox under injected faults.
type faultCase struct {
	name   string
	change bool // `instances stop ID` (a PATCH); else `instances list --size 1` (a GET)
	faults []netfault.Fault
	args   []string // extra arguments
	// refused points the API URL at a port where nothing listens; when
	// upAfter > 0 the sandbox starts listening there after that long.
	refused bool
	upAfter time.Duration

	code     int
	stderr   []string // substrings of stderr
	attempts int      // requests the CLI sent for the command's main request (GET list or PATCH)
	applied  int      // changes applied (actions created); change rows only
	tokens   int      // requests to the token endpoint; -1: not checked
	minTime  time.Duration
	maxTime  time.Duration
}

// faultResult is what the matrix prints for a row.
type faultResult struct {
	c        faultCase
	code     int
	attempts int
	applied  int
	tokens   int
	elapsed  time.Duration
	message  string
}

// Paths of the main requests.
const (
	listMatch  = "GET /itcare/compute/instances"
	patchMatch = "PATCH /itcare/compute/instances/*"
	pollMatch  = "GET /itcare/actions/*"
)

func faultCases() []faultCase {
	f := func(match string, kind netfault.Kind, count int) netfault.Fault {
		return netfault.Fault{Match: match, Kind: kind, Count: count}
	}
	status := func(match string, code, count int, retryAfter string) netfault.Fault {
		return netfault.Fault{Match: match, Kind: netfault.Status, Status: code, Count: count, RetryAfter: retryAfter}
	}
	latency := netfault.Fault{Kind: netfault.Latency, Latency: 300 * time.Millisecond}
	hang := f("", netfault.Hang, 1)
	const quick = 1500 * time.Millisecond
	return []faultCase{
		// GET: retried on connection errors, 429, 502, 503, 504.
		{name: "no fault", code: 0, attempts: 1},
		{name: "latency 300ms", faults: []netfault.Fault{latency}, code: 0, attempts: 1, minTime: 300 * time.Millisecond},
		{name: "503 x2", faults: []netfault.Fault{status(listMatch, 503, 2, "")}, code: 0, attempts: 3,
			stderr: []string{"retry 1/3", "retry 2/3"}},
		{name: "429 Retry-After: 1", faults: []netfault.Fault{status(listMatch, 429, 1, "1")}, code: 0, attempts: 2,
			minTime: time.Second, stderr: []string{"429 Too Many Requests; retry 1/3 in 1s"}},
		{name: "429 Retry-After: 120 > --timeout 5s", faults: []netfault.Fault{status(listMatch, 429, 1, "120")}, args: []string{"--timeout", "5s"},
			code: 1, attempts: 1, maxTime: quick, stderr: []string{"error: 429 Too Many Requests"}},
		{name: "503 always", faults: []netfault.Fault{status(listMatch, 503, 0, "")}, code: 1, attempts: 4,
			stderr: []string{"error: 503 Service Unavailable: the API is unavailable"}},
		{name: "504 x1", faults: []netfault.Fault{status(listMatch, 504, 1, "")}, code: 0, attempts: 2},
		{name: "drop connection (not handled) x1", faults: []netfault.Fault{f(listMatch, netfault.Drop, 1)}, code: 0, attempts: 2},
		{name: "drop connection (handled) x1", faults: []netfault.Fault{f(listMatch, netfault.DropAfter, 1)}, code: 0, attempts: 2},
		{name: "body cut mid-way x1", faults: []netfault.Fault{f(listMatch, netfault.Cut, 1)}, code: 0, attempts: 2},
		{name: "HTML 502 page x1", faults: []netfault.Fault{f(listMatch, netfault.HTML, 1)}, code: 0, attempts: 2},
		{name: "HTML page with 200", faults: []netfault.Fault{{Match: listMatch, Kind: netfault.HTML, Status: 200, Count: 1}}, code: 1, attempts: 1,
			stderr: []string{"200 OK but the body is not the expected JSON", "<html>"}},
		{name: "truncated JSON 200", faults: []netfault.Fault{f(listMatch, netfault.Truncate, 1)}, code: 1, attempts: 1,
			stderr: []string{"200 OK but the body is not the expected JSON (unexpected end of JSON input)", `{"content":[`}},
		{name: "huge body (300 MiB)", faults: []netfault.Fault{f(listMatch, netfault.Huge, 1)}, code: 1, attempts: 1,
			stderr: []string{"the 200 OK answer is larger than 32 MiB", `(it starts with: {"content":[{"id":1,`}},
		{name: "hang, --timeout 1s", faults: []netfault.Fault{hang}, args: []string{"--timeout", "1s"}, code: 1, attempts: 1,
			maxTime: 2500 * time.Millisecond, stderr: []string{"no complete answer within 1s (--timeout)"}},
		{name: "access token revoked", faults: []netfault.Fault{f(listMatch, netfault.Revoke, 1)}, code: 0, attempts: 2, tokens: 1},
		{name: "access and refresh tokens revoked", faults: []netfault.Fault{f(listMatch, netfault.RevokeAll, 1)}, code: 0, attempts: 2, tokens: 2},
		{name: "connection refused, then up", refused: true, upAfter: 350 * time.Millisecond, code: 0, attempts: -1},
		{name: "connection refused always", refused: true, code: 1, attempts: 4, stderr: []string{"connection refused"}},

		// PATCH (instances stop): never replayed once it may have reached the server.
		{name: "no fault", change: true, code: 0, attempts: 1, applied: 1},
		{name: "latency 300ms", change: true, faults: []netfault.Fault{latency}, code: 0, attempts: 1, applied: 1, minTime: 300 * time.Millisecond},
		{name: "503 x1", change: true, faults: []netfault.Fault{status(patchMatch, 503, 1, "")}, code: 1, attempts: 1, applied: 0,
			stderr: []string{"error: 503 Service Unavailable"}},
		// 429 is answered before the change is looked at: sent again after Retry-After, applied once.
		{name: "429 Retry-After: 1", change: true, faults: []netfault.Fault{status(patchMatch, 429, 1, "1")}, code: 0, attempts: 2, applied: 1,
			minTime: time.Second, stderr: []string{"rate limited (429)"}},
		{name: "drop connection (not handled) x1", change: true, faults: []netfault.Fault{f(patchMatch, netfault.Drop, 1)}, code: 1, attempts: 1, applied: 0,
			stderr: []string{"the change may have been applied"}},
		{name: "drop connection (handled) x1", change: true, faults: []netfault.Fault{f(patchMatch, netfault.DropAfter, 1)}, code: 1, attempts: 1, applied: 1,
			stderr: []string{"the change may have been applied"}},
		{name: "HTML 502 page x1", change: true, faults: []netfault.Fault{f(patchMatch, netfault.HTML, 1)}, code: 1, attempts: 1, applied: 0,
			stderr: []string{"error: 502 Bad Gateway", "<title>502 Bad Gateway</title>"}},
		{name: "body cut mid-way x1", change: true, faults: []netfault.Fault{f(patchMatch, netfault.Cut, 1)}, code: 1, attempts: 1, applied: 1,
			stderr: []string{"the connection broke while reading the answer (unexpected EOF); the change may have been applied"}},
		{name: "truncated 202 body", change: true, faults: []netfault.Fault{f(patchMatch, netfault.Truncate, 1)}, code: 1, attempts: 1, applied: 1,
			stderr: []string{"unexpected answer 202"}},
		{name: "hang, --timeout 1s", change: true, faults: []netfault.Fault{f(patchMatch, netfault.Hang, 1)}, args: []string{"--timeout", "1s"}, code: 1, attempts: 1, applied: 0,
			maxTime: 2500 * time.Millisecond, stderr: []string{"no complete answer within 1s (--timeout)", "the change may have been applied"}},
		{name: "access token revoked", change: true, faults: []netfault.Fault{f(patchMatch, netfault.Revoke, 1)}, code: 0, attempts: 2, applied: 1, tokens: 1},
		{name: "503 x2 on the action poll", change: true, faults: []netfault.Fault{status(pollMatch, 503, 2, "")}, code: 0, attempts: 1, applied: 1},
		{name: "connection refused, then up", change: true, refused: true, upAfter: 350 * time.Millisecond, code: 0, attempts: -1, applied: 1},
	}
}

// TestFaultMatrix drives `instances list` and `instances stop` against the
// sandbox under every fault, and prints the outcomes (go test -v).
func TestFaultMatrix(t *testing.T) {
	h := newHarness(t, sandbox.Options{ActionDuration: 100 * time.Millisecond})
	h.login()
	active := decodeJSON[[]map[string]any](t, h.mustRun("instances", "list", "--status", "ACTIVE", "--size", "100", "-o", "json").stdout)
	apiURL := h.sb.APIURL()
	var results []faultResult
	next := 0
	for _, c := range faultCases() {
		if c.tokens == 0 {
			c.tokens = -1
			if !c.refused {
				c.tokens = 0
			}
		}
		kind := "GET list"
		if c.change {
			kind = "PATCH stop"
		}
		t.Run(kind+"/"+c.name, func(t *testing.T) {
			args := []string{"instances", "list", "--size", "1"}
			id := ""
			if c.change {
				id = fmt.Sprint(active[next]["id"])
				next++
				args = []string{"instances", "stop", id}
			}
			args = append(append(args, "--debug"), c.args...)
			before := 0
			if c.change {
				before = countActions(t, h, id)
			}
			secrets := cachedSecrets(t, h)
			if err := h.sb.Faults().Set(c.faults...); err != nil {
				t.Fatal(err)
			}
			h.sb.ResetRequests()
			if c.refused {
				addr := freeAddr(t)
				// Another API URL than the saved login's: the same account from
				// the environment (a saved login is refused for other URLs).
				t.Setenv("ITCARE_CLIENT_ID", "sandbox-client")
				t.Setenv("ITCARE_CLIENT_SECRET", "sandbox-secret")
				t.Setenv("ITCARE_API_URL", "http://"+addr+"/itcare")
				defer os.Setenv("ITCARE_API_URL", apiURL)
				if c.upAfter > 0 {
					stop := serveLater(t, addr, c.upAfter, h.sb.Handler())
					defer stop()
				}
			}
			start := time.Now()
			r := h.run(args...)
			elapsed := time.Since(start)
			h.sb.Faults().Set()
			os.Setenv("ITCARE_API_URL", apiURL)

			res := faultResult{c: c, code: r.code, elapsed: elapsed, message: errorLine(r.stderr), tokens: len(h.tokenRequests())}
			method, target := "GET", "/itcare/compute/instances"
			if c.change {
				method, target = "PATCH", "/itcare/compute/instances/"+id
				res.applied = countActions(t, h, id) - before
			}
			res.attempts = countAttempts(r.stderr, method, target)
			results = append(results, res)

			if r.code != c.code {
				t.Errorf("exit code %d, want %d\nstderr: %s", r.code, c.code, r.stderr)
			}
			for _, s := range c.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if c.attempts >= 0 && res.attempts != c.attempts {
				t.Errorf("%d attempts, want %d\nstderr: %s", res.attempts, c.attempts, r.stderr)
			}
			if c.change && res.applied != c.applied {
				t.Errorf("change applied %d times, want %d", res.applied, c.applied)
			}
			if res.applied > 1 {
				t.Errorf("a change was applied %d times", res.applied)
			}
			if c.tokens >= 0 && res.tokens != c.tokens {
				t.Errorf("%d token requests, want %d", res.tokens, c.tokens)
			}
			if elapsed < c.minTime {
				t.Errorf("took %s, want at least %s", elapsed, c.minTime)
			}
			if c.maxTime > 0 && elapsed > c.maxTime {
				t.Errorf("took %s, want at most %s", elapsed, c.maxTime)
			}
			if c.code == 0 && !c.change && !strings.Contains(r.stdout, "ID") {
				t.Errorf("no table on stdout: %q", r.stdout)
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("panic: %s", r.stderr)
			}
			// --debug is on: no secret or token in the trace, before or after a renewal.
			for _, secret := range append(secrets, cachedSecrets(t, h)...) {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("a secret (%.6s…) is in the output", secret)
				}
			}
		})
	}
	t.Log("\n" + faultTable(results))
}

// cachedSecrets returns the client secret (raw and as HTTP Basic) and the
// cached access and refresh tokens.
func cachedSecrets(t *testing.T, h *harness) []string {
	t.Helper()
	out := []string{"sandbox-secret", base64.StdEncoding.EncodeToString([]byte("sandbox-client:sandbox-secret"))}
	var cache map[string]any
	if err := json.Unmarshal(mustRead(t, filepath.Join(h.dir, "default.token.json")), &cache); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"access_token", "refresh_token"} {
		if v, _ := cache[k].(string); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// countAttempts counts the requests the --debug trace shows for method and
// path (whatever the query).
func countAttempts(stderr, method, path string) int {
	n := 0
	for _, line := range strings.Split(stderr, "\n") {
		rest, ok := strings.CutPrefix(line, "> "+method+" ")
		if !ok {
			continue
		}
		if u, err := url.Parse(strings.TrimSpace(rest)); err == nil && u.Path == path {
			n++
		}
	}
	return n
}

// countActions counts the actions the sandbox has for an instance.
func countActions(t *testing.T, h *harness, id string) int {
	t.Helper()
	r := h.mustRun("actions", "list", "--resource-id", id, "-o", "json")
	return len(decodeJSON[[]map[string]any](t, r.stdout))
}

// errorLine is the first line of stderr that is not --debug tracing.
func errorLine(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "error: ") {
			return strings.TrimPrefix(line, "error: ")
		}
	}
	return ""
}

// freeAddr returns a loopback address where nothing listens.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// serveLater starts serving h on addr after d; stop shuts it down.
func serveLater(t *testing.T, addr string, d time.Duration, h http.Handler) (stop func()) {
	srv := &http.Server{Handler: h}
	timer := time.AfterFunc(d, func() {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("listening on %s: %v", addr, err)
			return
		}
		go srv.Serve(ln)
	})
	return func() { timer.Stop(); srv.Close() }
}

var loopbackRE = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)

func faultTable(results []faultResult) string {
	var b strings.Builder
	b.WriteString("| command | fault | exit | attempts | applied | token requests | time | message |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		cmd, applied := "instances list", "–"
		if r.c.change {
			cmd, applied = "instances stop", fmt.Sprint(r.applied)
		}
		msg := loopbackRE.ReplaceAllString(r.message, "")
		if len([]rune(msg)) > 110 {
			msg = string([]rune(msg)[:110]) + "…"
		}
		msg = strings.ReplaceAll(msg, "|", `\|`)
		if msg != "" {
			msg = "`" + strings.ReplaceAll(msg, "`", "'") + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %d | %s | %s |\n", cmd, r.c.name, r.code, r.attempts, applied, r.tokens,
			r.elapsed.Round(10*time.Millisecond), msg)
	}
	return b.String()
}

// TestSandboxFaultFlags: `itcare sandbox --fault/--latency` arm the faults.
func TestSandboxFaultFlags(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	for _, args := range [][]string{{"sandbox", "--fault", "bogus"}, {"sandbox", "--fault", "GET /x=503x0"}, {"sandbox", "--latency", "-1s"}} {
		r := h.run(args...)
		assertCode(t, r, ExitUsage)
		if !strings.Contains(r.stderr, "invalid") {
			t.Errorf("%v: %s", args, r.stderr)
		}
	}
	apiURL, stop := startSandboxBinary(t, nil, "--latency", "100ms", "--fault", "GET /itcare/health=503:1x1")
	defer stop()
	for i, want := range []int{503, 200} {
		start := time.Now()
		res, err := http.Get(apiURL + "/health")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want || time.Since(start) < 100*time.Millisecond {
			t.Fatalf("request %d: %d after %s, want %d after 100ms", i, res.StatusCode, time.Since(start), want)
		}
		if want == 503 && res.Header.Get("Retry-After") != "1" {
			t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
		}
	}
	if errOut := stop(); !strings.Contains(errOut, "injecting faults: latency 100ms; GET /itcare/health=503:1x1") {
		t.Fatalf("stderr %q", errOut)
	}
}
