package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/itcare-cli/itcare/internal/netfault"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// TestNoFlagTakesASecret: no flag of any command accepts a secret or a
// token as its value, so none can end up in argv (ps, shell history).
func TestNoFlagTakesASecret(t *testing.T) {
	ios := testStreams()
	root := NewRootCmd(NewFactory(ios))
	var walk func(c *cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				checked++
				name := strings.ToLower(f.Name)
				for _, word := range []string{"secret", "password", "passwd", "token", "credential", "apikey", "api-key"} {
					if strings.Contains(name, word) && strings.HasPrefix(f.Value.Type(), "string") {
						t.Errorf("%s --%s (%s) takes a value that may be a secret", c.CommandPath(), f.Name, f.Value.Type())
					}
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if checked < 50 {
		t.Fatalf("only %d flags seen", checked)
	}
	// Passing the secret as a flag anyway is a usage error that does not echo it.
	h := newHarness(t, sandbox.Options{})
	for _, args := range [][]string{
		{"login", "--client-id", "sandbox-client", "--client-secret", "sandbox-secret"},
		{"login", "--client-id", "sandbox-client", "--client-secret=sandbox-secret"},
		{"login", "--client-id", "sandbox-client", "--password", "sandbox-secret"},
	} {
		r := h.run(args...)
		assertCode(t, r, ExitUsage)
		if strings.Contains(r.stdout+r.stderr, "sandbox-secret") {
			t.Errorf("%v: the secret is echoed: %s", args, r.stderr)
		}
	}
	if n := len(h.sb.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// TestLoosePermissionsAreWarnedAboutOnRead: the credentials file, the token
// cache and their folder are re-checked on every read.
func TestLoosePermissionsAreWarnedAboutOnRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are POSIX")
	}
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.mustRun("instances", "list", "--size", "1")
	if strings.Contains(r.stderr, "other users") {
		t.Fatalf("warning with private files: %s", r.stderr)
	}
	for _, tc := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Join(h.dir, "default.token.json"), 0o644},
		{filepath.Join(h.dir, "default.credentials.json"), 0o640},
		{h.dir, 0o755},
	} {
		if err := os.Chmod(tc.path, tc.mode); err != nil {
			t.Fatal(err)
		}
		// The token cache is read by every command; the credentials file
		// when a token must be obtained.
		if strings.HasSuffix(tc.path, "credentials.json") {
			h.sb.ExpireAccessTokens()
			os.Remove(filepath.Join(h.dir, "default.token.json"))
		}
		r := h.run("instances", "list", "--size", "1")
		assertCode(t, r, 0)
		if !strings.Contains(r.stderr, fmt.Sprintf("%s can be accessed by other users (mode %04o)", tc.path, tc.mode)) ||
			!strings.Contains(r.stderr, "chmod") {
			t.Errorf("no warning for %s at %04o: %q", tc.path, tc.mode, r.stderr)
		}
		if r.stdout == "" {
			t.Errorf("the warning broke the command")
		}
		max := os.FileMode(0o600)
		if tc.path == h.dir {
			max = 0o700
		}
		os.Chmod(tc.path, max)
	}
}

// TestPlainHTTPIsRefusedExceptToLoopback: neither the client secret nor a
// token is sent over plain http to another host; nothing is sent at all.
func TestPlainHTTPIsRefusedExceptToLoopback(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login() // a cached token: nothing needs the token endpoint
	// The same account from the environment: a saved login would be refused
	// at once for another API URL than its own, before this check.
	t.Setenv("ITCARE_CLIENT_ID", "sandbox-client")
	t.Setenv("ITCARE_CLIENT_SECRET", "sandbox-secret")
	t.Setenv("ITCARE_API_URL", "http://api.example.invalid/itcare")
	r := h.run("instances", "list")
	assertCode(t, r, ExitAuth)
	if !strings.Contains(r.stderr, "refusing to send the access token over plain http") {
		t.Errorf("API over http: %s", r.stderr)
	}
	t.Setenv("ITCARE_API_URL", h.sb.APIURL())
	t.Setenv("ITCARE_AUTH_URL", "http://accounts.example.invalid/auth/realms/cloud")
	t.Setenv("ITCARE_CLIENT_ID", "sandbox-client")
	t.Setenv("ITCARE_CLIENT_SECRET", "sandbox-secret")
	for _, args := range [][]string{{"instances", "list"}, {"login", "--client-id", "sandbox-client"}} {
		r := h.run(args...)
		assertCode(t, r, ExitAuth)
		if !strings.Contains(r.stderr, "refusing to send credentials over plain http") || strings.Contains(r.stderr, "sandbox-secret") {
			t.Errorf("%v: auth over http: %s", args, r.stderr)
		}
	}
	if n := len(h.sb.Requests()); n != 0 {
		t.Fatalf("%d requests reached the sandbox", n)
	}
}

// TestBearerTokenDoesNotFollowARedirectToAnotherHost: the API (a front on
// one loopback port) redirects to another port; the token stays behind.
func TestBearerTokenDoesNotFollowARedirectToAnotherHost(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	// From the environment: a saved login is refused for another API URL.
	t.Setenv("ITCARE_CLIENT_ID", "sandbox-client")
	t.Setenv("ITCARE_CLIENT_SECRET", "sandbox-secret")
	var mu sync.Mutex
	var otherAuth []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		otherAuth = append(otherAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"content":[{"id":1,"name":"elsewhere"}],"totalPages":1,"totalElements":1,"number":0,"size":20,"last":true,"first":true}`)
	}))
	defer other.Close()
	var frontAuth []string
	sb := h.sb.Handler()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		frontAuth = append(frontAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.Path == "/itcare/compute/instances" {
			http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
			return
		}
		sb.ServeHTTP(w, r)
	}))
	defer front.Close()
	t.Setenv("ITCARE_API_URL", front.URL+"/itcare")
	r := h.run("instances", "list", "-o", "json")
	// A redirect off the API host is not followed at all: the other host's
	// answer is never taken as the API's.
	assertCode(t, r, ExitError)
	if strings.Contains(r.stdout, "elsewhere") || !strings.Contains(r.stderr, "not followed") {
		t.Fatalf("the redirect was followed: %s\n%s", r.stdout, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(frontAuth) != 1 || !strings.HasPrefix(frontAuth[0], "Bearer ") {
		t.Fatalf("the API host did not get the token: %q", frontAuth)
	}
	if len(otherAuth) != 0 {
		t.Fatalf("the other host was called: %q", otherAuth)
	}
}

// TestBadInputIsAUsageErrorAndSendsNothing: exit 2, a message naming the
// problem, and no request at all.
func TestBadInputIsAUsageErrorAndSendsNothing(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	tmp := t.TempDir()
	file := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	trailing := file("trailing.json", `{"operation":"stop"} {"x":1}`, 0o600)
	array := file("array.json", `[1,2`, 0o600)
	unreadable := file("unreadable.json", `{}`, 0o000)
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		// durations
		{args: []string{"instances", "list", "--timeout", "soon"}, want: `invalid argument "soon" for "--timeout"`},
		{args: []string{"instances", "list", "--timeout", "-5s"}, want: "timeout"},
		{args: []string{"instances", "list"}, env: map[string]string{"ITCARE_TIMEOUT": "ten"}, want: `invalid value "ten" for timeout`},
		{args: []string{"instances", "stop", "10001", "--wait-timeout", "5"}, want: "missing unit"},
		{args: []string{"instances", "stop", "10001", "--wait-timeout", "-1m"}, want: "must not be negative"},
		{args: []string{"actions", "wait", "1", "--interval", "fast"}, want: "--interval"},
		// unknown flags and commands, bad values of known flags
		{args: []string{"instances", "list", "--sizee", "1"}, want: "unknown flag: --sizee"},
		{args: []string{"instances", "list", "-Z"}, want: "unknown shorthand flag"},
		{args: []string{"lst"}, want: "unknown command"},
		{args: []string{"instances", "list", "--dry-run=maybe"}, want: "--dry-run"},
		{args: []string{"instances", "list", "--size", "ten"}, want: "--size"},
		{args: []string{"instances", "list", "-p", "bad profile"}, want: "invalid profile name"},
		{args: []string{"instances", "list", "--api-url", "ftp://api.example/itcare"}, want: "invalid API URL"},
		// filters and sort
		{args: []string{"instances", "list", "--tag", ":itcare"}, want: "invalid tag"},
		{args: []string{"instances", "list", "--name", "!"}, want: "invalid name filter"},
		{args: []string{"instances", "list", "--service", "1.5"}, want: "want a number"},
		{args: []string{"instances", "list", "--sort", ",asc"}, want: "invalid sort"},
		{args: []string{"instances", "list", "--sort", "name,up"}, want: "invalid sort direction"},
		// output options
		{args: []string{"instances", "list", "-o", "template={{.bad"}, want: "template"},
		{args: []string{"instances", "list", "-o", "json", "--jq", ".["}, want: "jq"},
		// api: fields, input files, JSON
		{args: []string{"api", "/compute/instances", "-F", "a[b=1"}, want: "a[b=1"},
		{args: []string{"api", "/compute/instances", "-F", "=1"}, want: "=1"},
		{args: []string{"api", "/compute/instances", "-f", "a"}, want: "key=value"},
		{args: []string{"api", "-X", "PATCH", "/compute/instances/10001", "--input", trailing}, want: "JSON"},
		{args: []string{"api", "-X", "PATCH", "/compute/instances/10001", "--input", array}, want: "JSON"},
		{args: []string{"api", "-X", "PATCH", "/compute/instances/10001", "--input", unreadable}, want: "unreadable.json"},
		{args: []string{"api", "-X", "PATCH", "/compute/instances/10001", "--input", tmp}, want: tmp},
		{args: []string{"api", "-X", "PATCH", "/compute/instances/10001", "-F", "options=@" + unreadable}, want: "unreadable.json"},
	} {
		if tc.want == "unreadable.json" && os.Geteuid() == 0 {
			continue // root reads every file
		}
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		r := h.run(tc.args...)
		for k := range tc.env {
			os.Unsetenv(k)
		}
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", tc.args, r.code, r.stderr)
			continue
		}
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: stderr lacks %q: %s", tc.args, tc.want, r.stderr)
		}
		if strings.Contains(r.stderr, "panic") {
			t.Errorf("%v: %s", tc.args, r.stderr)
		}
	}
	if n := len(h.sb.Requests()); n != 0 {
		for _, r := range h.sb.Requests() {
			t.Logf("sent: %s %s?%s", r.Method, r.Path, r.RawQuery)
		}
		t.Fatalf("%d requests sent for bad input", n)
	}
}

// TestUnknownSubcommandIsAUsageError: a mistyped subcommand of a command
// group must not print the help and exit 0 (a script would take it for a
// success).
func TestUnknownSubcommandIsAUsageError(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	r := h.run("instances", "lst")
	assertCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, `unknown command "lst"`) {
		t.Fatalf("stderr %s", r.stderr)
	}
}

// TestBadAnswersAreClearErrors: answers that are not what the API documents
// give exit 1 with the status and an excerpt, never a panic.
func TestBadAnswersAreClearErrors(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	for _, tc := range []struct {
		name  string
		fault netfault.Fault
		args  []string
		want  []string
	}{
		{"HTML 500 page for a get", netfault.Fault{Match: "GET /itcare/compute/instances/*", Kind: netfault.HTML, Status: 500},
			[]string{"instances", "get", "10001"}, []string{"500 Internal Server Error", "<title>500 Internal Server Error</title>"}},
		{"truncated action", netfault.Fault{Match: "GET /itcare/actions/*", Kind: netfault.Truncate},
			[]string{"actions", "get", "50001"}, []string{"200 OK but the body is not the expected JSON"}},
		{"HTML 404 from a proxy", netfault.Fault{Match: "GET /itcare/actions", Kind: netfault.HTML, Status: 404},
			[]string{"actions", "list"}, []string{"404 Not Found", "<html>"}},
		{"HTML 503 page for a list", netfault.Fault{Match: "GET /itcare/compute/instances", Kind: netfault.HTML, Status: 503, RetryAfter: "0"},
			[]string{"instances", "list"}, []string{"503 Service Unavailable", "<title>503 Service Unavailable</title>"}},
	} {
		if err := h.sb.Faults().Set(tc.fault); err != nil {
			t.Fatal(err)
		}
		r := h.run(tc.args...)
		h.sb.Faults().Set()
		if r.code != ExitError {
			t.Errorf("%s: exit %d, want 1\n%s", tc.name, r.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q: %s", tc.name, w, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "panic") || len(r.stderr) > 2000 {
			t.Errorf("%s: stderr %d bytes: %.300s", tc.name, len(r.stderr), r.stderr)
		}
		if json.Valid([]byte(r.stdout)) && strings.TrimSpace(r.stdout) != "" {
			t.Errorf("%s: data on stdout despite the error: %.200s", tc.name, r.stdout)
		}
	}
}
