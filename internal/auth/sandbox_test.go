package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/redact"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// The tests below run the auth package against the ITCare simulator over
// real HTTP on 127.0.0.1. fake_test.go's server covers what the simulator
// cannot be made to do (no refresh token, broken discovery, redirects...).

type sbEnv struct {
	t     *testing.T
	sb    *sandbox.Server
	clock *clock
	dir   string
	debug *logSink
	warn  *logSink
}

func newSandbox(t *testing.T, clients map[string]string) *sbEnv {
	t.Helper()
	c := newClock()
	sb := sandbox.New(sandbox.Options{
		AccessTokenLifetime:  1200 * time.Second,
		RefreshTokenLifetime: 7200 * time.Second,
		Clients:              clients,
		Instances:            2,
		Now:                  c.Now,
	})
	if _, err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return &sbEnv{t: t, sb: sb, clock: c, dir: t.TempDir() + "/itcare", debug: &logSink{}, warn: &logSink{}}
}

func (e *sbEnv) manager(id, secret string) *Manager {
	return &Manager{
		Store:       &Store{Dir: e.dir, Warn: e.warn.Logf},
		Profile:     "default",
		AuthURL:     e.sb.AuthURL(),
		Credentials: Credentials{ClientID: id, ClientSecret: secret, Source: "env"},
		HTTPClient:  &http.Client{Timeout: 10 * time.Second},
		Now:         e.clock.Now,
		Debugf:      e.debug.Logf,
	}
}

func (e *sbEnv) defaultManager() *Manager { return e.manager("sandbox-client", "sandbox-secret") }

// grants lists the grant_type of every token request.
func (e *sbEnv) grants() []string {
	var g []string
	for _, r := range e.sb.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/protocol/openid-connect/token") {
			form, _ := url.ParseQuery(string(r.Body))
			g = append(g, form.Get("grant_type"))
		}
	}
	return g
}

// authRequests counts the requests to the realm.
func (e *sbEnv) authRequests() int {
	n := 0
	for _, r := range e.sb.Requests() {
		if strings.HasPrefix(r.Path, "/auth/") {
			n++
		}
	}
	return n
}

func (e *sbEnv) apiRequests() []sandbox.RecordedRequest {
	var rs []sandbox.RecordedRequest
	for _, r := range e.sb.Requests() {
		if strings.HasPrefix(r.Path, "/itcare/") {
			rs = append(rs, r)
		}
	}
	return rs
}

func TestSandboxDiscovery(t *testing.T) {
	e := newSandbox(t, nil)
	u, ok := Discover(context.Background(), http.DefaultClient, e.sb.AuthURL())
	eq(t, "discovered", ok, true)
	eq(t, "token URL", u, e.sb.AuthURL()+"/protocol/openid-connect/token")
	u, ok = Discover(context.Background(), http.DefaultClient, e.sb.BaseURL()+"/auth/realms/nope")
	eq(t, "unknown realm discovered", ok, false)
	eq(t, "fallback", u, e.sb.BaseURL()+"/auth/realms/nope/protocol/openid-connect/token")
}

func TestSandboxTokenLifecycle(t *testing.T) {
	e := newSandbox(t, nil)

	// Cold: discovery + one token request, cache saved 0600 in a 0700 dir.
	first := mustToken(t, e.defaultManager())
	eq(t, "token requests (cold)", e.sb.TokenRequests(), 1)
	eq(t, "grants", fmt.Sprint(e.grants()), "[client_credentials]")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(e.dir)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "dir mode", fi.Mode().Perm(), os.FileMode(0o700))
		fi, err = os.Stat(e.dir + "/default.token.json")
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "file mode", fi.Mode().Perm(), os.FileMode(0o600))
	}

	// Warm, in a "second process": zero requests to the auth server.
	e.sb.ResetRequests()
	e.clock.Advance(15 * time.Minute)
	warm := mustToken(t, e.defaultManager())
	eq(t, "same token", warm.AccessToken, first.AccessToken)
	eq(t, "auth requests (warm)", e.authRequests(), 0)
	eq(t, "token requests (warm)", e.sb.TokenRequests(), 1)

	// Access token expired: refresh_token grant with the cached refresh
	// token, Basic client authentication.
	e.sb.ResetRequests()
	e.clock.Advance(5 * time.Minute)
	second := mustToken(t, e.defaultManager())
	eq(t, "grants (expired access)", fmt.Sprint(e.grants()), "[refresh_token]")
	for _, r := range e.sb.Requests() {
		form, _ := url.ParseQuery(string(r.Body))
		eq(t, "refresh_token sent", form.Get("refresh_token"), first.RefreshToken)
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") {
			t.Errorf("token request without Basic auth: %q", r.Header.Get("Authorization"))
		}
	}
	if second.AccessToken == first.AccessToken {
		t.Error("not renewed")
	}
	e.assertWorks(second)

	// Refresh token expired too: client_credentials, no refresh attempt.
	e.sb.ResetRequests()
	e.clock.Advance(3 * time.Hour)
	third := mustToken(t, e.defaultManager())
	eq(t, "grants (expired refresh)", fmt.Sprint(e.grants()), "[client_credentials]")
	e.assertWorks(third)

	// Refresh token revoked on the server: invalid_grant, then
	// client_credentials.
	e.sb.ExpireRefreshTokens()
	e.sb.ResetRequests()
	e.clock.Advance(21 * time.Minute)
	fourth := mustToken(t, e.defaultManager())
	eq(t, "grants (revoked refresh)", fmt.Sprint(e.grants()), "[refresh_token client_credentials]")
	e.assertWorks(fourth)

	cached, err := (&Store{Dir: e.dir}).LoadToken("default")
	if err != nil || cached == nil || cached.AccessToken != fourth.AccessToken {
		t.Errorf("cache: %v %v", cached, err)
	}
	assertClean(t, "debug log", e.debug.String(), "sandbox-secret", first, second, third, fourth)
	t.Logf("debug log:\n%s", e.debug)
	eq(t, "warnings", e.warn.String(), "")
}

// assertWorks checks the API accepts tok.
func (e *sbEnv) assertWorks(tok *CachedToken) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.sb.APIURL()+"/compute/instances", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	readAll(e.t, resp)
	if resp.StatusCode != 200 {
		e.t.Errorf("API answered %d to the token", resp.StatusCode)
	}
}

func assertClean(t *testing.T, what, s, secret string, toks ...*CachedToken) {
	t.Helper()
	if strings.Contains(s, secret) {
		t.Errorf("%s contains the secret:\n%s", what, s)
	}
	for _, tok := range toks {
		if tok == nil {
			continue
		}
		for _, v := range []string{tok.AccessToken, tok.RefreshToken} {
			if v != "" && strings.Contains(s, v) {
				t.Errorf("%s contains a token:\n%s", what, s)
			}
		}
	}
}

func TestSandboxInvalidCredentials(t *testing.T) {
	e := newSandbox(t, nil)
	m := e.manager("sandbox-client", "not-the-secret")
	_, err := m.Login(context.Background())
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %T %v", err, err)
	}
	want := fmt.Sprintf("authentication failed: invalid client credentials for client %q at %s/protocol/openid-connect/token", "sandbox-client", e.sb.AuthURL())
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want %q...", err, want)
	}
	t.Logf("error: %v", err)
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("error shows the secret: %v", err)
	}
	if _, err := os.Stat(e.dir + "/default.token.json"); !os.IsNotExist(err) {
		t.Errorf("token saved after a failure (%v)", err)
	}
	_, err = m.Token(context.Background())
	if !errors.As(err, &ae) {
		t.Errorf("Token: %v", err)
	}
	assertClean(t, "debug log", e.debug.String(), "not-the-secret")
}

func TestSandboxSpecialSecret(t *testing.T) {
	secret := "p+a/s=s:w%o rd=="
	e := newSandbox(t, map[string]string{"odd-client": secret})
	tok, err := e.manager("odd-client", secret).Login(context.Background())
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	e.assertWorks(tok)
	e.clock.Advance(time.Hour)
	tok = mustToken(t, e.manager("odd-client", secret))
	eq(t, "grants", fmt.Sprint(e.grants()), "[client_credentials refresh_token]")
	e.assertWorks(tok)
	assertClean(t, "debug log", e.debug.String(), secret)
}

func TestSandboxTransport(t *testing.T) {
	e := newSandbox(t, nil)
	other := newOtherHost(t)
	m := e.defaultManager()
	c := &http.Client{Transport: &Transport{Base: http.DefaultTransport, Manager: m, APIHost: e.sb.BaseURL()}}

	code, _ := get(t, c, e.sb.APIURL()+"/compute/instances")
	eq(t, "status", code, 200)
	tok, _ := m.Token(context.Background())
	api := e.apiRequests()
	eq(t, "API requests", len(api), 1)
	eq(t, "Authorization", api[0].Header.Get("Authorization"), redact.Authorization("Bearer "+tok.AccessToken))

	// Without the transport the sandbox refuses: the header is what counts.
	resp, err := http.Get(e.sb.APIURL() + "/compute/instances")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	eq(t, "status without token", resp.StatusCode, 401)

	// Another host gets nothing.
	get(t, c, other.srv.URL+"/elsewhere")
	eq(t, "Authorization sent to another host", fmt.Sprint(other.seen()), "[]")

	// 401: exactly one re-auth and one retry.
	e.sb.ExpireAccessTokens()
	e.sb.ResetRequests()
	code, _ = get(t, c, e.sb.APIURL()+"/compute/instances")
	eq(t, "status after re-auth", code, 200)
	eq(t, "re-auth grants", fmt.Sprint(e.grants()), "[refresh_token]")
	eq(t, "API tries", len(e.apiRequests()), 2)
	assertClean(t, "debug log", e.debug.String(), "sandbox-secret", tok)
}

func TestSandboxConcurrentProcesses(t *testing.T) {
	e := newSandbox(t, nil)
	mustToken(t, e.defaultManager())
	e.clock.Advance(3 * time.Hour) // both tokens expired
	before := e.sb.TokenRequests()

	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.defaultManager().Token(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := e.sb.TokenRequests() - before; got < 1 || got > 2 {
		t.Errorf("%d token requests for %d concurrent processes", got, n)
	}
	cached, err := (&Store{Dir: e.dir}).LoadToken("default")
	if err != nil || cached == nil || !cached.Expiry.After(e.clock.Now().Add(time.Minute)) {
		t.Fatalf("cache: %v %v", cached, err)
	}
	e.assertWorks(cached)
}
