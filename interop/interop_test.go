//go:build interop

// Package interop runs the real itcare binary against third-party servers:
// an OAuth 2.0 server shaped like the cegedim.cloud Keycloak realm
// (oauth2-mock-server behind keycloak.mjs), a strict OpenID provider
// (oidc-provider, oidc.mjs), the API contract served by Prism, and
// oauth2-proxy validating the bearer tokens in front of it.
//
// Run it with `make interop` (which installs the servers, pinned) or, once
// they are installed, `go test -tags interop ./interop/...`. Every server
// listens on 127.0.0.1 and is killed by its own PID when its test ends.
package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	interopDir string // this folder
	rootDir    string // the repository
	itcareBin  string // built once by TestMain
)

// durations of the tests, printed at the end.
var (
	timingsMu sync.Mutex
	timings   = map[string]time.Duration{}
)

func TestMain(m *testing.M) {
	var err error
	if interopDir, err = os.Getwd(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rootDir = filepath.Dir(interopDir)
	itcareBin = filepath.Join(interopDir, ".bin", "itcare")
	start := time.Now()
	build := exec.Command("go", "build", "-o", itcareBin, ".")
	build.Dir = rootDir
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building itcare: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("interop: built %s in %s\n", itcareBin, time.Since(start).Round(10*time.Millisecond))
	code := m.Run()
	timingsMu.Lock()
	names := make([]string, 0, len(timings))
	for n := range timings {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Println("interop: test timings")
	for _, n := range names {
		fmt.Printf("  %-40s %6.1fs\n", n, timings[n].Seconds())
	}
	timingsMu.Unlock()
	os.Exit(code)
}

// timed records how long the test takes, for the summary.
func timed(t *testing.T) {
	start := time.Now()
	t.Cleanup(func() {
		timingsMu.Lock()
		timings[t.Name()] = time.Since(start)
		timingsMu.Unlock()
	})
}

// tool returns the path of a prerequisite installed by `make interop`.
func tool(t *testing.T, env, fallbackGlob string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	matches, _ := filepath.Glob(filepath.Join(rootDir, fallbackGlob))
	if len(matches) == 0 {
		t.Fatalf("%s is not installed (looked for %s, or set %s): run `make interop`", fallbackGlob, fallbackGlob, env)
	}
	return matches[len(matches)-1]
}

// nodeScript returns the path of a JavaScript entry point under
// node_modules (or of one of ours), checking `npm ci` ran.
func nodeScript(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(interopDir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `make interop` (npm ci in interop/)", p)
	}
	return p
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startProcess starts a server process and kills it (by its PID) when the
// test ends; its output is shown if the test failed.
func startProcess(t *testing.T, name string, cmd *exec.Cmd) *syncBuffer {
	t.Helper()
	out := &syncBuffer{}
	if cmd.Stdout == nil {
		cmd.Stdout = out
	}
	cmd.Stderr = out
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("--- %s (pid %d) output:\n%s", name, pid, out.String())
		}
	})
	return out
}

// server is a Node server of ours that prints "READY {json}".
type server struct {
	Origin string `json:"origin"`
	Issuer string `json:"issuer"`
	Port   int    `json:"port"`
}

// startNodeServer runs `node script` with env and waits for its READY line.
func startNodeServer(t *testing.T, script string, env ...string) server {
	t.Helper()
	cmd := exec.Command("node", nodeScript(t, script))
	cmd.Dir = interopDir
	cmd.Env = append(append(os.Environ(), "INTEROP_STDIN_LIFELINE=1"), env...)
	lifeline, err := cmd.StdinPipe() // closed when this process ends, however it ends
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	out := startProcess(t, script, cmd)
	t.Cleanup(func() {
		pw.Close()
		lifeline.Close()
	})
	ready := make(chan server, 1)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "READY "); ok {
				var s server
				if json.Unmarshal([]byte(rest), &s) == nil {
					ready <- s
				}
			} else {
				_, _ = out.Write([]byte(line + "\n"))
			}
		}
	}()
	select {
	case s := <-ready:
		return s
	case <-exited:
		t.Fatalf("%s exited before it was ready:\n%s", script, out.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start within 30s:\n%s", script, out.String())
	}
	return server{}
}

// freePort returns a loopback port that was free a moment ago, for
// servers that cannot report the port they picked.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitHTTP polls url until it answers (any status) or the process output
// shows it died.
func waitHTTP(t *testing.T, name, url string, out *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer at %s within 60s:\n%s", name, url, out.String())
}

// grant is one token request as a server logged it.
type grant struct {
	Grant         string `json:"grant"`
	ClientID      string `json:"clientId"`
	Basic         bool   `json:"basic"`
	BasicStrict   bool   `json:"basicStrict"`
	Status        int    `json:"status"`
	Error         string `json:"error"`
	RefreshIssued bool   `json:"refreshIssued"`
}

func (g grant) String() string {
	s := fmt.Sprintf("%s→%d", g.Grant, g.Status)
	if g.Error != "" {
		s += " " + g.Error
	}
	return s
}

// grants returns the token requests the server at origin has seen.
func grants(t *testing.T, origin string) []grant {
	t.Helper()
	resp, err := http.Get(origin + "/__interop/grants")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var gs []grant
	if err := json.NewDecoder(resp.Body).Decode(&gs); err != nil {
		t.Fatal(err)
	}
	return gs
}

// grantList is the grants as "grant→status" strings, for comparisons.
func grantList(gs []grant) string {
	s := make([]string, len(gs))
	for i, g := range gs {
		s[i] = g.String()
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// wantGrants fails unless the server saw exactly these token requests.
func wantGrants(t *testing.T, origin string, want ...string) []grant {
	t.Helper()
	gs := grants(t, origin)
	if got, w := grantList(gs), "["+strings.Join(want, ", ")+"]"; got != w {
		t.Fatalf("token requests seen by the server:\n got  %s\n want %s", got, w)
	}
	return gs
}

// configure changes the settings of a keycloak.mjs server.
func configure(t *testing.T, origin string, settings map[string]any) {
	t.Helper()
	body, _ := json.Marshal(settings)
	resp, err := http.Post(origin+"/__interop/config", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("configuring %s: %s %s", origin, resp.Status, b)
	}
}

// cli runs the itcare binary with a private config folder.
type cli struct {
	t   *testing.T
	env []string
	dir string
}

type result struct {
	code           int
	stdout, stderr string
}

// newCLI returns a runner with its own config folder and the given
// environment (ITCARE_AUTH_URL, ITCARE_API_URL...). Nothing from the
// caller's ITCARE_* environment leaks in.
func newCLI(t *testing.T, env ...string) *cli {
	t.Helper()
	dir := t.TempDir()
	base := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"),
		"ITCARE_CONFIG=" + filepath.Join(dir, "itcare", "config.yaml"),
		"NO_COLOR=1",
		"TERM=dumb",
	}
	return &cli{t: t, env: append(base, env...), dir: dir}
}

func (c *cli) runIn(stdin string, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, itcareBin, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			c.t.Fatalf("itcare %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	return c.runIn("", args...)
}

// must runs itcare and fails the test unless it exits 0.
func (c *cli) must(args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("itcare %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// wantCode fails unless r exited with code.
func wantCode(t *testing.T, r result, code int, what string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", what, r.code, code, r.stdout, r.stderr)
	}
}

// login runs `itcare login --client-id id --client-secret-stdin
// --insecure-storage` (the secret in the test's own config folder, never in
// the keyring of the person running the tests).
func (c *cli) login(id, secret string) result {
	c.t.Helper()
	r := c.runIn(secret+"\n", "login", "--client-id", id, "--client-secret-stdin", "--insecure-storage")
	if r.code != 0 {
		c.t.Fatalf("itcare login: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	return r
}

// token runs `itcare auth token` and returns the token printed.
func (c *cli) token() string {
	c.t.Helper()
	return strings.TrimSpace(c.must("auth", "token").stdout)
}

// authStatus is the part of `itcare auth status -o json` the tests read.
type authStatus struct {
	Profile           string `json:"profile"`
	ClientID          string `json:"clientId"`
	AuthURL           string `json:"authUrl"`
	CredentialsSource string `json:"credentialsSource"`
	CredentialsFile   string `json:"credentialsFile"`
	TokenExpiry       string `json:"tokenExpiry"`
	RefreshExpiry     string `json:"refreshExpiry"`
	TokenValid        bool   `json:"tokenValid"`
}

func (c *cli) status() authStatus {
	c.t.Helper()
	r := c.must("auth", "status", "-o", "json")
	var st authStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		c.t.Fatalf("auth status -o json: %v\n%s", err, r.stdout)
	}
	return st
}

// cachedToken is the part of the CLI's token cache the tests read.
type cachedToken struct {
	AccessToken   string    `json:"access_token"`
	Expiry        time.Time `json:"expiry"`
	IssuedAt      time.Time `json:"issued_at"`
	RefreshToken  string    `json:"refresh_token"`
	RefreshExpiry time.Time `json:"refresh_expiry"`
	TokenURL      string    `json:"token_url"`
}

// cache reads the default profile's token cache.
func (c *cli) cache() cachedToken {
	c.t.Helper()
	data, err := os.ReadFile(filepath.Join(c.dir, "itcare", "default.token.json"))
	if err != nil {
		c.t.Fatal(err)
	}
	var tok cachedToken
	if err := json.Unmarshal(data, &tok); err != nil {
		c.t.Fatal(err)
	}
	return tok
}

// skew is how long before expiry the CLI renews a token (auth.DefaultSkew),
// and stops using a refresh token.
const skew = 60 * time.Second

// renewAt is when the CLI renews the access token: skew before its expiry,
// but at most a quarter of its lifetime before (auth.Manager's margin).
func (t cachedToken) renewAt() time.Time {
	margin := skew
	if life := t.Expiry.Sub(t.IssuedAt); !t.IssuedAt.IsZero() && life > 0 && life/4 < margin {
		margin = life / 4
	}
	return t.Expiry.Add(-margin)
}

// sleepUntil sleeps until at (plus a margin).
func sleepUntil(t *testing.T, at time.Time, why string) {
	t.Helper()
	d := time.Until(at) + 300*time.Millisecond
	if d > 0 {
		t.Logf("sleeping %s: %s", d.Round(100*time.Millisecond), why)
		time.Sleep(d)
	}
}

// claims decodes a JWT's payload (no verification: the servers under test
// do that).
func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	data, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// unencodedBasic sends a client_credentials request to tokenURL with HTTP
// Basic credentials built WITHOUT the RFC 6749 §2.3.1 form-encoding (what a
// naive client does) and returns the status: a server that decodes as the
// RFC says must refuse a secret holding '+' or '%XX', or an id holding ':'.
func unencodedBasic(t *testing.T, tokenURL, id, secret string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", tokenURL, strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
