package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock shared by a test's Managers and its fake
// server, so that expiry is simulated without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recorded is one request seen by the fake server.
type recorded struct {
	Method, Path string
	Header       http.Header
	Form         url.Values
	Body         string
}

// fakeKeycloak is a minimal Keycloak realm (discovery + token endpoint)
// plus a protected API under /api, with switches for the behaviours the
// tests need exact control over.
type fakeKeycloak struct {
	t       *testing.T
	srv     *httptest.Server
	clock   *clock
	clients map[string]string

	mu              sync.Mutex
	requests        []recorded
	access          map[string]time.Time // access token → expiry
	refresh         map[string]time.Time // refresh token → expiry
	issued          []string             // every token handed out
	accessLifetime  time.Duration
	refreshLifetime time.Duration
	noRefreshToken  bool // strict server: no refresh token for client_credentials
	discovery       string
	api401          bool // the API refuses every token
	tokenDelay      time.Duration
}

const (
	realmPath   = "/auth/realms/cloud"
	testClient  = "test-client"
	testSecret  = "s3cr3t-Value-do-not-print"
	tokenPathFK = realmPath + "/protocol/openid-connect/token"
)

func newFakeKeycloak(t *testing.T, c *clock) *fakeKeycloak {
	t.Helper()
	f := &fakeKeycloak{
		t: t, clock: c,
		clients:         map[string]string{testClient: testSecret},
		access:          map[string]time.Time{},
		refresh:         map[string]time.Time{},
		accessLifetime:  1200 * time.Second,
		refreshLifetime: 7200 * time.Second,
		discovery:       "ok",
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeKeycloak) AuthURL() string  { return f.srv.URL + realmPath }
func (f *fakeKeycloak) TokenURL() string { return f.srv.URL + tokenPathFK }
func (f *fakeKeycloak) APIURL() string   { return f.srv.URL + "/api" }

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (f *fakeKeycloak) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	_ = r.ParseForm()
	f.mu.Lock()
	f.requests = append(f.requests, recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Form: r.PostForm, Body: string(body)})
	f.mu.Unlock()
	switch {
	case r.URL.Path == realmPath+"/.well-known/openid-configuration":
		f.serveDiscovery(w)
	case r.URL.Path == tokenPathFK:
		f.serveToken(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		f.serveAPI(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeKeycloak) serveDiscovery(w http.ResponseWriter) {
	f.mu.Lock()
	mode := f.discovery
	f.mu.Unlock()
	switch mode {
	case "404":
		http.NotFound(w, nil)
	case "badjson":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"token_endpoint": `)
	case "empty":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"issuer": "x"}`)
	case "insecure":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"token_endpoint": "http://keycloak.internal:8080/token"}`)
	case "other":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"token_endpoint": f.srv.URL + "/custom/token"})
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": f.AuthURL(), "token_endpoint": f.TokenURL()})
	}
}

func tokenErr(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (f *fakeKeycloak) serveToken(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	delay := f.tokenDelay
	f.mu.Unlock()
	time.Sleep(delay)
	// RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic.
	u, p, ok := r.BasicAuth()
	if ok {
		var err1, err2 error
		u, err1 = url.QueryUnescape(u)
		p, err2 = url.QueryUnescape(p)
		ok = err1 == nil && err2 == nil
	}
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if !ok || f.clients[u] == "" || f.clients[u] != p {
		tokenErr(w, http.StatusUnauthorized, "unauthorized_client", "Invalid client or Invalid client credentials")
		return
	}
	withRefresh := true
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		withRefresh = !f.noRefreshToken
	case "refresh_token":
		exp, known := f.refresh[r.PostForm.Get("refresh_token")]
		if !known || !now.Before(exp) {
			tokenErr(w, http.StatusBadRequest, "invalid_grant", "Token is not active")
			return
		}
	default:
		tokenErr(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	resp := map[string]any{
		"access_token":       randomToken(),
		"expires_in":         int(f.accessLifetime / time.Second),
		"token_type":         "Bearer",
		"not-before-policy":  0,
		"scope":              "profile email",
		"refresh_expires_in": 0,
	}
	f.access[resp["access_token"].(string)] = now.Add(f.accessLifetime)
	f.issued = append(f.issued, resp["access_token"].(string))
	if withRefresh {
		rt := randomToken()
		resp["refresh_token"] = rt
		resp["refresh_expires_in"] = int(f.refreshLifetime / time.Second)
		f.refresh[rt] = now.Add(f.refreshLifetime)
		f.issued = append(f.issued, rt)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeKeycloak) serveAPI(w http.ResponseWriter, r *http.Request) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	f.mu.Lock()
	exp, known := f.access[tok]
	refuse := f.api401
	f.mu.Unlock()
	if !ok || !known || !f.clock.Now().Before(exp) || refuse {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.URL.Path == "/api/redirect" {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"path": %q}`, r.URL.Path)
}

// revokeAccess makes the server refuse every access token issued so far.
func (f *fakeKeycloak) revokeAccess() {
	f.mu.Lock()
	f.access = map[string]time.Time{}
	f.mu.Unlock()
}

// revokeRefresh makes the server refuse every refresh token issued so far.
func (f *fakeKeycloak) revokeRefresh() {
	f.mu.Lock()
	f.refresh = map[string]time.Time{}
	f.mu.Unlock()
}

func (f *fakeKeycloak) set(fn func(f *fakeKeycloak)) {
	f.mu.Lock()
	fn(f)
	f.mu.Unlock()
}

func (f *fakeKeycloak) all() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func (f *fakeKeycloak) reset() {
	f.mu.Lock()
	f.requests = nil
	f.mu.Unlock()
}

// grants returns the grant_type of every token request, in order.
func (f *fakeKeycloak) grants() []string {
	var g []string
	for _, r := range f.all() {
		if r.Path == tokenPathFK {
			g = append(g, r.Form.Get("grant_type"))
		}
	}
	return g
}

// apiRequests returns the requests made to the API.
func (f *fakeKeycloak) apiRequests() []recorded {
	var rs []recorded
	for _, r := range f.all() {
		if strings.HasPrefix(r.Path, "/api/") {
			rs = append(rs, r)
		}
	}
	return rs
}

// authRequests counts the requests made to the realm (discovery + token).
func (f *fakeKeycloak) authRequests() int {
	n := 0
	for _, r := range f.all() {
		if strings.HasPrefix(r.Path, realmPath) {
			n++
		}
	}
	return n
}

func (f *fakeKeycloak) issuedTokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.issued...)
}

// logSink collects Debugf and Warn output.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) Logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// env is one test's setup: a fake server, a clock and a config dir.
type env struct {
	t     *testing.T
	fk    *fakeKeycloak
	clock *clock
	dir   string
	debug *logSink
	warn  *logSink
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c := newClock()
	return &env{t: t, fk: newFakeKeycloak(t, c), clock: c, dir: t.TempDir() + "/itcare",
		debug: &logSink{}, warn: &logSink{}}
}

func (e *env) store() *Store { return &Store{Dir: e.dir, Warn: e.warn.Logf} }

// manager returns a new Manager, as a new process would build it.
func (e *env) manager() *Manager {
	return &Manager{
		Store:       e.store(),
		Profile:     "default",
		AuthURL:     e.fk.AuthURL(),
		Credentials: Credentials{ClientID: testClient, ClientSecret: testSecret, Source: "env"},
		HTTPClient:  &http.Client{Timeout: 10 * time.Second},
		Now:         e.clock.Now,
		Debugf:      e.debug.Logf,
	}
}

// assertNoSecrets checks that s shows neither the client secret nor any
// token the server issued.
func (e *env) assertNoSecrets(what, s string) {
	e.t.Helper()
	if strings.Contains(s, testSecret) || strings.Contains(s, url.QueryEscape(testSecret)) {
		e.t.Errorf("%s contains the client secret:\n%s", what, s)
	}
	for _, tok := range e.fk.issuedTokens() {
		if strings.Contains(s, tok) {
			e.t.Errorf("%s contains a token:\n%s", what, s)
		}
	}
}
