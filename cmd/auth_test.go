package cmd

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/netfault"
	"github.com/itcare-cli/itcare/internal/redact"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

func tokenFile(h *harness, profile string) string {
	matches, _ := filepath.Glob(filepath.Join(h.dir, "*"))
	for _, m := range matches {
		base := filepath.Base(m)
		if strings.Contains(base, profile) && strings.Contains(base, "token") {
			return m
		}
	}
	h.t.Fatalf("no token cache for profile %s in %v", profile, matches)
	return ""
}

func grantOf(r sandbox.RecordedRequest) string {
	q, _ := url.ParseQuery(string(r.Body))
	return q.Get("grant_type")
}

func TestLoginSavesPrivateCacheAndSecondCommandMakesNoTokenRequest(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.stdin = "sandbox-secret\n"
	r := h.run("login", "--client-id", "sandbox-client", "--client-secret-stdin")
	assertCode(t, r, 0)
	if !strings.Contains(r.stderr, "Logged in") || !strings.Contains(r.stderr, "sandbox-client") {
		t.Errorf("login message: %q", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "sandbox-secret") {
		t.Fatal("the secret was printed")
	}
	if n := len(h.tokenRequests()); n != 1 {
		t.Fatalf("login made %d token requests, want 1", n)
	}
	st, err := os.Stat(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	_ = st
	files, _ := filepath.Glob(filepath.Join(h.dir, "*.json"))
	if len(files) < 2 {
		t.Fatalf("expected credentials and token files, found %v", files)
	}
	for _, f := range files {
		fi, _ := os.Stat(f)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	h.sb.ResetRequests()
	h.stdin = ""
	h.mustRun("instances", "list", "--size", "5")
	h.mustRun("actions", "list")
	if n := len(h.tokenRequests()); n != 0 {
		t.Fatalf("commands after login made %d token requests, want 0", n)
	}
	if n := len(h.apiRequests("GET", "/compute/instances")); n != 1 {
		t.Fatalf("want 1 instances request, got %d", n)
	}
}

// editCache rewrites the profile's token cache through fn.
func editCache(t *testing.T, path string, fn func(m map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	out, _ := json.Marshal(m)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestExpiredAccessTokenIsRefreshedWithRefreshToken(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	past := time.Now().Add(-time.Hour).Format(time.RFC3339)
	editCache(t, tokenFile(h, "default"), func(m map[string]any) { m["expiry"] = past })
	h.mustRun("instances", "list", "--size", "1")
	toks := h.tokenRequests()
	if len(toks) != 1 || grantOf(toks[0]) != "refresh_token" {
		t.Fatalf("want one refresh_token grant, got %d requests (%v)", len(toks), grants(toks))
	}
	// The refreshed token is cached: the next command makes no token request.
	h.sb.ResetRequests()
	h.mustRun("instances", "list", "--size", "1")
	if n := len(h.tokenRequests()); n != 0 {
		t.Fatalf("%d token requests after refresh", n)
	}
}

func grants(rs []sandbox.RecordedRequest) []string {
	var out []string
	for _, r := range rs {
		out = append(out, grantOf(r))
	}
	return out
}

func TestExpiredRefreshTokenFallsBackToClientCredentials(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	past := time.Now().Add(-time.Hour).Format(time.RFC3339)
	editCache(t, tokenFile(h, "default"), func(m map[string]any) {
		m["expiry"] = past
		m["refresh_expiry"] = past
	})
	h.mustRun("instances", "list", "--size", "1")
	toks := h.tokenRequests()
	if len(toks) != 1 || grantOf(toks[0]) != "client_credentials" {
		t.Fatalf("want one client_credentials grant, got %v", grants(toks))
	}
}

func TestRefreshTokenRejectedByServerFallsBackToClientCredentials(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.sb.ExpireRefreshTokens()
	editCache(t, tokenFile(h, "default"), func(m map[string]any) { m["expiry"] = time.Now().Add(-time.Hour).Format(time.RFC3339) })
	h.mustRun("instances", "list", "--size", "1")
	if g := grants(h.tokenRequests()); strings.Join(g, ",") != "refresh_token,client_credentials" {
		t.Fatalf("grants %v", g)
	}
}

func TestAPI401TriggersExactlyOneReauthAndRetry(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.sb.ExpireAccessTokens() // the server revokes every token it issued
	r := h.mustRun("instances", "list", "--size", "2", "-o", "json")
	if items := decodeJSON[[]map[string]any](t, r.stdout); len(items) != 2 {
		t.Fatalf("got %d items", len(items))
	}
	if n := len(h.tokenRequests()); n != 1 {
		t.Fatalf("want exactly 1 re-authentication, got %d", n)
	}
	if n := len(h.apiRequests("GET", "/compute/instances")); n != 2 {
		t.Fatalf("want the request sent twice (401 then retry), got %d", n)
	}
}

func TestPersistent401IsAnAuthErrorAfterOneRetry(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	// A transport that strips the bearer: the API answers 401 every time.
	h.transport = stripAuth{}
	r := h.run("instances", "list")
	assertCode(t, r, ExitAuth)
	h.sb.ResetViolations() // requests without a bearer token, on purpose
	if n := len(h.apiRequests("GET", "/compute/instances")); n != 2 {
		t.Fatalf("want 2 attempts (one retry), got %d", n)
	}
	if !strings.Contains(r.stderr, "401") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestWrongCredentialsExit4AndSaveNothing(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.stdin = "not-the-secret\n"
	r := h.run("login", "--client-id", "sandbox-client", "--client-secret-stdin")
	assertCode(t, r, ExitAuth)
	if strings.Contains(r.stderr, "not-the-secret") {
		t.Fatal("secret in the error message")
	}
	files, _ := filepath.Glob(filepath.Join(h.dir, "*.json"))
	if len(files) != 0 {
		t.Fatalf("files saved after failed login: %v", files)
	}
	// And a command without any credentials is an authentication error too.
	h.stdin = ""
	r = h.run("instances", "list")
	assertCode(t, r, ExitAuth)
	if !strings.Contains(r.stderr, "itcare login") {
		t.Errorf("no hint to log in: %s", r.stderr)
	}
}

func TestLoginWithoutSecretOffTerminalIsUsageError(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	r := h.run("login", "--client-id", "sandbox-client")
	assertCode(t, r, ExitUsage)
	if n := len(h.tokenRequests()); n != 0 {
		t.Fatalf("%d token requests", n)
	}
}

func TestEnvCredentialsOverrideSavedOnes(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	t.Setenv("ITCARE_CLIENT_ID", "other-client")
	t.Setenv("ITCARE_CLIENT_SECRET", "other-secret")
	h.mustRun("instances", "list", "--size", "1")
	toks := h.tokenRequests()
	if len(toks) != 1 {
		t.Fatalf("want 1 token request for the env client, got %d", len(toks))
	}
	user, _ := basicUser(toks[0].Header.Get("Authorization"))
	if user != "other-client" {
		t.Fatalf("token requested for %q, want other-client", user)
	}
	r := h.mustRun("auth", "status", "-o", "json")
	st := decodeJSON[map[string]any](t, r.stdout)
	if st["clientId"] != "other-client" || st["credentialsSource"] != "env" {
		t.Fatalf("auth status: %v", st)
	}
}

func basicUser(h string) (string, bool) {
	raw, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return "", false
	}
	dec, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return "", false
	}
	u, _, _ := strings.Cut(string(dec), ":")
	u, _ = url.QueryUnescape(u)
	return u, true
}

func TestDebugShowsNeitherSecretNorToken(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	t.Setenv("ITCARE_CLIENT_ID", "sandbox-client")
	t.Setenv("ITCARE_CLIENT_SECRET", "sandbox-secret")
	r := h.mustRun("--debug", "instances", "list", "--size", "1")
	if !strings.Contains(r.stderr, "> GET ") || !strings.Contains(r.stderr, "openid-connect/token") {
		t.Fatalf("no trace on stderr: %s", r.stderr)
	}
	// The sandbox records tokens redacted: the one sent is the cached one.
	cached, _ := os.ReadFile(tokenFile(h, "default"))
	var saved map[string]any
	_ = json.Unmarshal(cached, &saved)
	token, _ := saved["access_token"].(string)
	var sent string
	for _, req := range h.apiRequests("GET", "/compute/instances") {
		sent = req.Header.Get("Authorization")
	}
	if token == "" || sent != redact.Authorization("Bearer "+token) {
		t.Fatalf("no bearer token recorded, or not the cached one (%q)", sent)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("sandbox-client:sandbox-secret"))
	for _, secret := range []string{"sandbox-secret", token, basic} {
		if strings.Contains(r.stderr, secret) || strings.Contains(r.stdout, secret) {
			t.Fatalf("--debug output contains a secret (%q...)", secret[:6])
		}
	}
	// The refresh token is not shown either.
	data, _ := os.ReadFile(tokenFile(h, "default"))
	var cache map[string]any
	_ = json.Unmarshal(data, &cache)
	if rt, _ := cache["refresh_token"].(string); rt != "" && strings.Contains(r.stderr, rt) {
		t.Fatal("refresh token in --debug output")
	}
	// auth token prints a token on purpose, and only on stdout.
	r = h.mustRun("--debug", "auth", "token")
	tok := strings.TrimSpace(r.stdout)
	if tok == "" || strings.Contains(r.stderr, tok) {
		t.Fatalf("auth token: stdout %q, token in stderr: %v", r.stdout, strings.Contains(r.stderr, tok))
	}
}

func TestPrecedenceFlagOverEnvOverFile(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	cfg := "profiles:\n  default:\n    api-url: https://file.example/itcare\n    output: yaml\n  other:\n    api-url: https://other.example/itcare\n"
	if err := os.WriteFile(filepath.Join(h.dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	status := func(args ...string) map[string]any {
		r := h.run(append([]string{"auth", "status", "-o", "json"}, args...)...)
		return decodeJSON[map[string]any](t, r.stdout)
	}
	os.Unsetenv("ITCARE_API_URL")
	if got := status()["apiUrl"]; got != "https://file.example/itcare" {
		t.Fatalf("file: %v", got)
	}
	if got := status("-p", "other")["apiUrl"]; got != "https://other.example/itcare" {
		t.Fatalf("profile section: %v", got)
	}
	t.Setenv("ITCARE_API_URL", "https://env.example/itcare")
	if got := status()["apiUrl"]; got != "https://env.example/itcare" {
		t.Fatalf("env over file: %v", got)
	}
	if got := status("--api-url", "https://flag.example/itcare")["apiUrl"]; got != "https://flag.example/itcare" {
		t.Fatalf("flag over env: %v", got)
	}
	// The file's output: yaml applies when no flag says otherwise.
	r := h.run("version")
	if !strings.Contains(r.stdout, "version:") {
		t.Fatalf("file output setting not applied: %s", r.stdout)
	}
	t.Setenv("ITCARE_OUTPUT", "json")
	r = h.run("version")
	decodeJSON[map[string]any](t, r.stdout)
}

func TestUnknownConfigKeyIsUsageError(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	os.WriteFile(filepath.Join(h.dir, "config.yaml"), []byte("profiles:\n  default:\n    api_url: x\n"), 0o600)
	r := h.run("version")
	assertCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, "api_url") {
		t.Fatal(r.stderr)
	}
}

func TestLogoutRemovesSavedCredentials(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.mustRun("logout")
	files, _ := filepath.Glob(filepath.Join(h.dir, "*.json"))
	if len(files) != 0 {
		t.Fatalf("files left after logout: %v", files)
	}
	assertCode(t, h.run("instances", "list"), ExitAuth)
}

func TestStatusWithoutCredentials(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	r := h.mustRun("status", "-o", "json")
	st := decodeJSON[map[string]any](t, r.stdout)
	if st["state"] != "UP" || st["endpoint"] != "/health" {
		t.Fatalf("status: %v", st)
	}
	for _, req := range h.sb.Requests() {
		if req.Header.Get("Authorization") != "" {
			t.Fatal("status sent credentials")
		}
	}
	t.Setenv("ITCARE_API_URL", "http://127.0.0.1:1/itcare")
	r = h.run("status")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "127.0.0.1:1") {
		t.Fatalf("no reason: %s", r.stderr)
	}
}

func TestStatusFallsBackToLegacyEndpoint(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.transport = renamePath{from: "/itcare/health", to: "/itcare/no-such-health"}
	r := h.mustRun("status", "-o", "json")
	h.sb.ResetViolations() // /no-such-health is not in the contract, on purpose
	st := decodeJSON[map[string]any](t, r.stdout)
	if st["endpoint"] != "/api/status" || st["state"] != "UP" {
		t.Fatalf("status: %v", st)
	}
}

// A token request changes nothing on the server, so a 503 from the token
// endpoint is retried like a safe request (it used to fail the login, exit 4).
func TestTokenEndpoint503IsRetried(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	f, err := netfault.Parse("POST /auth/realms/cloud/protocol/openid-connect/token=503x1")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.sb.Faults().Add(f); err != nil {
		t.Fatal(err)
	}
	h.stdin = "sandbox-secret\n"
	r := h.run("login", "--client-id", "sandbox-client", "--client-secret-stdin")
	assertCode(t, r, 0)
	if n := len(h.tokenRequests()); n != 2 {
		t.Fatalf("%d token requests, want 2 (the 503, then the retry)", n)
	}
}
