package auth

import (
	"context"
	"errors"
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
	"time"

	"github.com/gofrs/flock"
)

func mustToken(t *testing.T, m *Manager) *CachedToken {
	t.Helper()
	tok, err := m.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.AccessToken == "" {
		t.Fatal("empty access token")
	}
	return tok
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestDiscover(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	hc := &http.Client{Timeout: 5 * time.Second}

	u, ok := Discover(ctx, hc, e.fk.AuthURL())
	eq(t, "discovered", ok, true)
	eq(t, "token URL", u, e.fk.TokenURL())

	e.fk.set(func(f *fakeKeycloak) { f.discovery = "other" })
	u, ok = Discover(ctx, hc, e.fk.AuthURL()+"/")
	eq(t, "discovered (custom endpoint)", ok, true)
	eq(t, "token URL", u, e.fk.srv.URL+"/custom/token")

	fallback := e.fk.AuthURL() + "/protocol/openid-connect/token"
	for _, mode := range []string{"404", "badjson", "empty", "insecure"} {
		e.fk.set(func(f *fakeKeycloak) { f.discovery = mode })
		u, ok = Discover(ctx, hc, e.fk.AuthURL())
		if ok || u != fallback {
			t.Errorf("discovery %s: got (%q, %v), want the fallback %q", mode, u, ok, fallback)
		}
	}

	// Unreachable server.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	u, ok = Discover(ctx, hc, deadURL+"/auth/realms/cloud")
	if ok || u != deadURL+"/auth/realms/cloud/protocol/openid-connect/token" {
		t.Errorf("unreachable: got (%q, %v)", u, ok)
	}

	// Hanging server: bounded by the discovery timeout within ctx.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	u, ok = Discover(cctx, http.DefaultClient, hang.URL)
	if ok || u != hang.URL+"/protocol/openid-connect/token" || time.Since(start) > 3*time.Second {
		t.Errorf("hanging: got (%q, %v) after %v", u, ok, time.Since(start))
	}
}

func TestManagerFallsBackWhenDiscoveryFails(t *testing.T) {
	e := newEnv(t)
	e.fk.set(func(f *fakeKeycloak) { f.discovery = "404" })
	tok := mustToken(t, e.manager())
	eq(t, "token URL", tok.TokenURL, e.fk.TokenURL())
	eq(t, "grants", fmt.Sprint(e.fk.grants()), "[client_credentials]")
	if !strings.Contains(e.debug.String(), "discovery failed") {
		t.Errorf("debug log does not mention the failed discovery:\n%s", e.debug)
	}
}

func TestColdTokenThenWarmCache(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	tok := mustToken(t, m)

	eq(t, "grants", fmt.Sprint(e.fk.grants()), "[client_credentials]")
	eq(t, "expiry", tok.Expiry, e.clock.Now().Add(1200*time.Second))
	eq(t, "refresh expiry", tok.RefreshExpiry, e.clock.Now().Add(7200*time.Second))
	eq(t, "client id", tok.ClientID, testClient)
	eq(t, "token URL", tok.TokenURL, e.fk.TokenURL())
	if tok.RefreshToken == "" {
		t.Error("no refresh token kept")
	}
	// Basic client authentication, nothing in the body.
	for _, r := range e.fk.all() {
		if r.Path != tokenPathFK {
			continue
		}
		if _, _, ok := (&http.Request{Header: r.Header}).BasicAuth(); !ok {
			t.Error("token request without HTTP Basic client authentication")
		}
		if r.Form.Get("client_secret") != "" {
			t.Error("client secret sent in the body")
		}
	}

	if runtime.GOOS != "windows" {
		fi, err := os.Stat(e.dir)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "dir mode", fi.Mode().Perm(), os.FileMode(0o700))
		fi, err = os.Stat(filepath.Join(e.dir, "default.token.json"))
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "token file mode", fi.Mode().Perm(), os.FileMode(0o600))
	}
	data, _ := os.ReadFile(m.Store.TokenPath("default"))
	for _, key := range []string{`"access_token"`, `"expiry"`, `"refresh_token"`, `"refresh_expiry"`, `"client_id"`, `"token_url"`, `"auth_url"`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("cache file lacks %s:\n%s", key, data)
		}
	}
	if entries, _ := os.ReadDir(e.dir); len(entries) != 2 { // token + lock, no temp files left
		t.Errorf("files in the dir: %v", entries)
	}

	// Same Manager: served from memory.
	e.fk.reset()
	tok2 := mustToken(t, m)
	eq(t, "same token", tok2.AccessToken, tok.AccessToken)

	// A second process: served from the file, no request at all to the
	// auth server (not even discovery).
	e.clock.Advance(10 * time.Minute)
	tok3 := mustToken(t, e.manager())
	eq(t, "same token from the cache", tok3.AccessToken, tok.AccessToken)
	eq(t, "requests to the auth server", len(e.fk.all()), 0)
	if !strings.Contains(e.debug.String(), "token cache hit") {
		t.Errorf("debug log lacks the cache hit:\n%s", e.debug)
	}
	e.assertNoSecrets("debug log", e.debug.String())
	eq(t, "warnings", e.warn.String(), "")
}

func TestRefreshGrantThenClientCredentials(t *testing.T) {
	e := newEnv(t)
	first := mustToken(t, e.manager())

	// Access token expired (within the skew), refresh token still good.
	e.clock.Advance(1200*time.Second - 30*time.Second)
	e.fk.reset()
	second := mustToken(t, e.manager())
	eq(t, "grants after access expiry", fmt.Sprint(e.fk.grants()), "[refresh_token]")
	eq(t, "discovery requests", e.fk.authRequests(), 1) // the token URL comes from the cache
	for _, r := range e.fk.all() {
		eq(t, "refresh_token sent", r.Form.Get("refresh_token"), first.RefreshToken)
	}
	if second.AccessToken == first.AccessToken {
		t.Error("access token not renewed")
	}
	eq(t, "new expiry", second.Expiry, e.clock.Now().Add(1200*time.Second))
	if !strings.Contains(e.debug.String(), "refreshing with refresh_token") {
		t.Errorf("debug log:\n%s", e.debug)
	}
	cached, _ := e.store().LoadToken("default")
	eq(t, "cached access token", cached.AccessToken, second.AccessToken)

	// Both expired: client_credentials, no refresh attempt.
	e.clock.Advance(3 * time.Hour)
	e.fk.reset()
	third := mustToken(t, e.manager())
	eq(t, "grants after refresh expiry", fmt.Sprint(e.fk.grants()), "[client_credentials]")
	if !strings.Contains(e.debug.String(), "refresh token expired, using client_credentials") {
		t.Errorf("debug log:\n%s", e.debug)
	}
	if third.AccessToken == second.AccessToken {
		t.Error("access token not renewed")
	}
	e.assertNoSecrets("debug log", e.debug.String())
}

func TestRefreshRefusedFallsBackToClientCredentials(t *testing.T) {
	e := newEnv(t)
	mustToken(t, e.manager())
	e.fk.revokeRefresh() // e.g. the Keycloak session was ended
	e.clock.Advance(25 * time.Minute)
	e.fk.reset()
	mustToken(t, e.manager())
	eq(t, "grants", fmt.Sprint(e.fk.grants()), "[refresh_token client_credentials]")
	if !strings.Contains(e.debug.String(), "invalid_grant") {
		t.Errorf("debug log does not say why the refresh failed:\n%s", e.debug)
	}
}

func TestServerWithoutRefreshToken(t *testing.T) {
	e := newEnv(t)
	e.fk.set(func(f *fakeKeycloak) { f.noRefreshToken = true })
	tok := mustToken(t, e.manager())
	if tok.RefreshToken != "" || !tok.RefreshExpiry.IsZero() {
		t.Errorf("refresh token %q / %v, want none", tok.RefreshToken, tok.RefreshExpiry)
	}
	data, _ := os.ReadFile(e.store().TokenPath("default"))
	if strings.Contains(string(data), "refresh") {
		t.Errorf("cache has refresh fields:\n%s", data)
	}
	e.clock.Advance(30 * time.Minute)
	e.fk.reset()
	mustToken(t, e.manager())
	eq(t, "grants", fmt.Sprint(e.fk.grants()), "[client_credentials]")
}

func TestInvalidCredentials(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	m.Credentials.ClientSecret = "wrong-" + testSecret
	for name, call := range map[string]func(context.Context) (*CachedToken, error){"Token": m.Token, "Login": m.Login} {
		_, err := call(context.Background())
		var ae *Error
		if !errors.As(err, &ae) {
			t.Fatalf("%s: error %T %v, want *Error", name, err, err)
		}
		want := fmt.Sprintf("authentication failed: invalid client credentials for client %q at %s", testClient, e.fk.TokenURL())
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %q, want it to start with %q", name, err, want)
		}
		if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(fmt.Sprintf("%+v %#v", err, err), "s3cr3t") {
			t.Errorf("%s: error shows the secret: %v", name, err)
		}
	}
	if _, err := os.Stat(e.store().TokenPath("default")); !os.IsNotExist(err) {
		t.Errorf("a token cache was saved after a failure (%v)", err)
	}
	if _, err := os.Stat(e.store().CredentialsPath("default")); !os.IsNotExist(err) {
		t.Errorf("credentials were saved after a failure (%v)", err)
	}
	e.assertNoSecrets("debug log", e.debug.String())
	if strings.Contains(e.debug.String(), "s3cr3t") {
		t.Errorf("debug log shows the wrong secret:\n%s", e.debug)
	}
}

func TestNoCredentialsAndUnreachable(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	m.Credentials = Credentials{}
	_, err := m.Token(context.Background())
	var ae *Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "no credentials configured") {
		t.Errorf("no credentials: %v", err)
	}

	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	m = e.manager()
	m.AuthURL = deadURL + "/auth/realms/cloud"
	_, err = m.Token(context.Background())
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "cannot reach the token endpoint "+deadURL) {
		t.Errorf("unreachable: %v", err)
	}

	// A cancelled context stays recognisable.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.manager().Token(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSecretWithSpecialCharacters(t *testing.T) {
	e := newEnv(t)
	secret := "a+b/c=d:e%f g&h?=="
	id := "id:with+specials"
	e.fk.set(func(f *fakeKeycloak) { f.clients[id] = secret })
	special := func() *Manager {
		m := e.manager()
		m.Credentials = Credentials{ClientID: id, ClientSecret: secret}
		return m
	}
	if _, err := special().Login(context.Background()); err != nil {
		t.Fatalf("Login: %v", err)
	}
	e.clock.Advance(30 * time.Minute)
	tok := mustToken(t, special()) // refresh grant, same client authentication
	eq(t, "client", tok.ClientID, id)
	e.fk.revokeRefresh()
	e.clock.Advance(30 * time.Minute)
	mustToken(t, special())
	eq(t, "grants", fmt.Sprint(e.fk.grants()), "[client_credentials refresh_token refresh_token client_credentials]")
}

func TestCorruptCacheIsReplaced(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":  `{"access_token": "abc", "expi`,
		"garbage":    "\x00\x01not json",
		"incomplete": `{"access_token": "", "client_id": "x"}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			s := e.store()
			if err := os.MkdirAll(e.dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.TokenPath("default"), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			tok := mustToken(t, e.manager())
			if !strings.Contains(e.warn.String(), "token cache") || !strings.Contains(e.warn.String(), "replaced") {
				t.Errorf("warnings: %q", e.warn.String())
			}
			cached, err := s.LoadToken("default")
			if err != nil || cached == nil || cached.AccessToken != tok.AccessToken {
				t.Errorf("cache not replaced: %v %v", cached, err)
			}
		})
	}
}

func TestLoginAlwaysGetsANewToken(t *testing.T) {
	e := newEnv(t)
	first := mustToken(t, e.manager())
	e.fk.reset()
	tok, err := e.manager().Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "grants", fmt.Sprint(e.fk.grants()), "[client_credentials]")
	if tok.AccessToken == first.AccessToken {
		t.Error("Login reused the cached token")
	}
	cached, _ := e.store().LoadToken("default")
	eq(t, "cached", cached.AccessToken, tok.AccessToken)
}

func TestInvalidate(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	first := mustToken(t, m)
	m.Invalidate()
	cached, _ := e.store().LoadToken("default")
	if cached == nil || cached.Expiry.After(e.clock.Now()) || cached.RefreshToken != first.RefreshToken {
		t.Fatalf("cache after Invalidate: %v", cached)
	}
	e.fk.reset()
	second := mustToken(t, m)
	eq(t, "grants", fmt.Sprint(e.fk.grants()), "[refresh_token]")
	if second.AccessToken == first.AccessToken {
		t.Error("token not renewed")
	}
}

func TestConcurrentProcesses(t *testing.T) {
	e := newEnv(t)
	mustToken(t, e.manager())
	e.clock.Advance(3 * time.Hour) // access and refresh tokens expired
	e.fk.set(func(f *fakeKeycloak) { f.tokenDelay = 50 * time.Millisecond })
	e.fk.reset()

	const n = 20
	var wg sync.WaitGroup
	tokens := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := e.manager().Token(context.Background())
			errs[i] = err
			if err == nil {
				tokens[i] = tok.AccessToken
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("goroutine %d: %v", i, err)
		}
	}
	if g := e.fk.grants(); len(g) > 2 || len(g) == 0 {
		t.Errorf("%d token requests for %d concurrent processes: %v", len(g), n, g)
	}
	cached, err := e.store().LoadToken("default")
	if err != nil || cached == nil || !cached.Expiry.After(e.clock.Now().Add(time.Minute)) {
		t.Fatalf("cache after: %v %v", cached, err)
	}
	for i, tok := range tokens {
		if tok != cached.AccessToken && len(e.fk.grants()) == 1 {
			t.Errorf("goroutine %d got a different token", i)
		}
	}
	eq(t, "warnings", e.warn.String(), "")
}

func TestSameManagerConcurrent(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	e.fk.set(func(f *fakeKeycloak) { f.tokenDelay = 20 * time.Millisecond })
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := m.Token(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	eq(t, "token requests", len(e.fk.grants()), 1)
}

func TestCacheIsPerClientAndAuthURL(t *testing.T) {
	e := newEnv(t)
	mustToken(t, e.manager())
	e.fk.set(func(f *fakeKeycloak) { f.clients["other"] = "other-secret" })
	m := e.manager()
	m.Credentials = Credentials{ClientID: "other", ClientSecret: "other-secret"}
	e.fk.reset()
	tok := mustToken(t, m)
	eq(t, "client", tok.ClientID, "other")
	eq(t, "grants for another client", fmt.Sprint(e.fk.grants()), "[client_credentials]")

	// Another auth URL (same server, discovery says so): not the cache's.
	e.fk.reset()
	m = e.manager()
	m.AuthURL = strings.Replace(e.fk.AuthURL(), "127.0.0.1", "localhost", 1)
	mustToken(t, m)
	eq(t, "grants for another auth URL", fmt.Sprint(e.fk.grants()), "[client_credentials]")
}

func TestPlainHTTPRefused(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	fail := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		sent = append(sent, r.URL.String())
		mu.Unlock()
		return nil, errors.New("no network in this test")
	})
	m := &Manager{
		Store:       &Store{Dir: t.TempDir()},
		Profile:     "default",
		AuthURL:     "http://accounts.example.com/auth/realms/cloud",
		Credentials: Credentials{ClientID: "id", ClientSecret: "secret"},
		HTTPClient:  &http.Client{Transport: fail},
	}
	for name, call := range map[string]func(context.Context) (*CachedToken, error){"Token": m.Token, "Login": m.Login} {
		_, err := call(context.Background())
		var ae *Error
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), "plain http") {
			t.Errorf("%s over http: %v", name, err)
		}
	}
	if len(sent) != 0 {
		t.Errorf("requests sent: %v", sent)
	}
	// A cached token URL (tampered file) over plain http is not used either.
	m.AuthURL = "https://accounts.example.com/auth/realms/cloud"
	_ = m.Store.SaveToken("default", &CachedToken{AccessToken: "a", Expiry: time.Now().Add(-time.Hour), RefreshToken: "r",
		ClientID: "id", TokenURL: "http://evil.example.com/token", AuthURL: m.AuthURL})
	if _, err := m.Token(context.Background()); err == nil {
		t.Error("token obtained without network")
	}
	for _, u := range sent {
		if !strings.HasPrefix(u, "https://accounts.example.com/") {
			t.Errorf("request sent to %s", u)
		}
	}

	// Loopback http is fine.
	for _, u := range []string{"http://127.0.0.1:1/x", "http://127.3.4.5/x", "http://[::1]:8080/x", "http://localhost/x", "https://example.com/x"} {
		if _, err := checkSecureURL("auth URL", u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1/x", "http://example.com/x", "http://localhost.example.com/x", "ftp://localhost/x", "/relative", "https://user:pw@example.com/x"} {
		_, err := checkSecureURL("auth URL", u)
		if err == nil {
			t.Errorf("%s accepted", u)
		} else if strings.Contains(err.Error(), "pw@") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTokenRedirectNotFollowed(t *testing.T) {
	e := newEnv(t)
	var leaked bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked = true
		}
	}))
	defer other.Close()
	redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "well-known") {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, other.URL+"/token", http.StatusTemporaryRedirect)
	}))
	defer redir.Close()
	m := e.manager()
	m.AuthURL = redir.URL + "/realm"
	_, err := m.Token(context.Background())
	var ae *Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("error %v", err)
	}
	if leaked {
		t.Error("client credentials sent to the redirect target")
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	c := Credentials{ClientID: "my-client", ClientSecret: testSecret, Source: "file", Path: "/x/default.credentials.json"}
	outputs := []string{
		c.String(), c.GoString(),
		fmt.Sprint(c), fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%X|%d|%10.3v", c, c, c, c, c, c, c, c, c),
		fmt.Sprintf("%v|%+v|%#v|%s", &c, &c, &c, &c),
		fmt.Sprintf("%+v", struct{ C Credentials }{c}),
		fmt.Sprintf("%+v", Manager{Credentials: c}),
		fmt.Sprintf("%v", []Credentials{c}),
	}
	js, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(js))
	for _, s := range outputs {
		if strings.Contains(s, "s3cr3t") || strings.Contains(s, "73336372337") /* hex */ {
			t.Errorf("secret printed: %s", s)
		}
	}
	if !strings.Contains(c.String(), "[redacted]") || !strings.Contains(c.GoString(), "[redacted]") || !strings.Contains(c.String(), "my-client") {
		t.Errorf("String %q GoString %q", c.String(), c.GoString())
	}
	tok := &CachedToken{AccessToken: "access-xyz", RefreshToken: "refresh-xyz", ClientID: "c"}
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%+v %#v %v %+v %#v %s %x %d", tok, tok, *tok, *tok, *tok, *tok, *tok, *tok),
		fmt.Sprintf("%+v", struct{ T CachedToken }{*tok})} {
		if strings.Contains(s, "xyz") {
			t.Errorf("token printed: %s", s)
		}
	}
}

func TestDebugAndErrorsNeverShowSecrets(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	mustToken(t, m)
	e.clock.Advance(25 * time.Minute)
	mustToken(t, e.manager())
	e.fk.revokeRefresh()
	e.clock.Advance(25 * time.Minute)
	mustToken(t, e.manager())
	m = e.manager()
	m.Invalidate()
	mustToken(t, m)
	if _, err := m.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	bad := e.manager()
	bad.Credentials.ClientID = "unknown"
	_, err := bad.Login(context.Background())
	if err == nil {
		t.Fatal("no error for an unknown client")
	}
	e.assertNoSecrets("error", fmt.Sprintf("%v %+v", err, err))
	e.assertNoSecrets("debug log", e.debug.String())
	e.assertNoSecrets("warnings", e.warn.String())
	if e.debug.String() == "" {
		t.Error("no debug output at all")
	}
}

func TestDebugfNilAndNoStore(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	m.Debugf, m.Store = nil, nil
	mustToken(t, m)
	mustToken(t, m)
	eq(t, "token requests", len(e.fk.grants()), 1)
}

func TestSkewDefault(t *testing.T) {
	e := newEnv(t)
	mustToken(t, e.manager())
	e.clock.Advance(1200*time.Second - DefaultSkew - time.Second)
	e.fk.reset()
	mustToken(t, e.manager())
	eq(t, "requests just before the skew", len(e.fk.all()), 0)
	e.clock.Advance(2 * time.Second)
	mustToken(t, e.manager())
	eq(t, "grants after the skew", fmt.Sprint(e.fk.grants()), "[refresh_token]")

	m := e.manager()
	m.Skew = 10 * time.Minute
	e.fk.reset()
	e.clock.Advance(1200*time.Second - 9*time.Minute)
	mustToken(t, m)
	eq(t, "grants with a 10 min skew", fmt.Sprint(e.fk.grants()), "[refresh_token]")
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLockHeldTooLong(t *testing.T) {
	e := newEnv(t)
	s := e.store()
	if err := os.MkdirAll(e.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	held := flock.New(s.LockPath("default"))
	if err := held.Lock(); err != nil {
		t.Fatal(err)
	}
	defer held.Unlock()
	old := lockWait
	lockWait = 100 * time.Millisecond
	defer func() { lockWait = old }()

	start := time.Now()
	mustToken(t, e.manager())
	if d := time.Since(start); d < 100*time.Millisecond || d > 5*time.Second {
		t.Errorf("waited %v", d)
	}
	if !strings.Contains(e.debug.String(), "could not take the token lock") {
		t.Errorf("debug log:\n%s", e.debug)
	}
	if tok, _ := s.LoadToken("default"); tok == nil {
		t.Error("token not cached")
	}
}
