package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// otherHost is a server on another port that records the Authorization
// headers it receives.
type otherHost struct {
	srv  *httptest.Server
	mu   sync.Mutex
	auth []string
}

func newOtherHost(t *testing.T) *otherHost {
	o := &otherHost{}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.auth = append(o.auth, r.Header.Get("Authorization"))
		o.mu.Unlock()
		fmt.Fprint(w, "other")
	}))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *otherHost) seen() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.auth...)
}

func (e *env) client(m *Manager) *http.Client {
	return &http.Client{Transport: &Transport{Base: http.DefaultTransport, Manager: m, APIHost: e.fk.srv.URL}}
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp.StatusCode, readAll(t, resp)
}

func TestTransportAddsTokenOnlyForAPIHost(t *testing.T) {
	e := newEnv(t)
	other := newOtherHost(t)
	m := e.manager()
	c := e.client(m)

	code, _ := get(t, c, e.fk.APIURL()+"/compute/instances")
	eq(t, "status", code, 200)
	tok, _ := m.Token(context.Background())
	api := e.fk.apiRequests()
	eq(t, "API requests", len(api), 1)
	eq(t, "Authorization", api[0].Header.Get("Authorization"), "Bearer "+tok.AccessToken)

	// Another host (same IP, other port): no token, and an Authorization
	// header set by the caller is removed too.
	get(t, c, other.srv.URL+"/x")
	req, _ := http.NewRequest("GET", other.srv.URL+"/y", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	eq(t, "caller's request untouched", req.Header.Get("Authorization"), "Bearer "+tok.AccessToken)

	// A redirect from the API to another host: the hop to the other host
	// carries no token.
	code, body := get(t, c, e.fk.APIURL()+"/redirect?to="+url.QueryEscape(other.srv.URL+"/z"))
	eq(t, "redirected status", code, 200)
	eq(t, "redirected body", body, "other")
	for i, a := range other.seen() {
		if a != "" {
			t.Errorf("request %d to the other host carried %q", i, a)
		}
	}
	eq(t, "requests to the other host", len(other.seen()), 3)

	// A redirect within the API host keeps the token.
	code, _ = get(t, c, e.fk.APIURL()+"/redirect?to=/api/elsewhere")
	eq(t, "same-host redirect", code, 200)
	e.assertNoSecrets("debug log", e.debug.String())
}

func TestTransport401ReauthAndRetryOnce(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	c := e.client(m)
	get(t, c, e.fk.APIURL()+"/a")
	first, _ := m.Token(context.Background())

	// The server forgets the token: one re-auth, one retry, success.
	e.fk.revokeAccess()
	e.fk.reset()
	code, _ := get(t, c, e.fk.APIURL()+"/b")
	eq(t, "status after re-auth", code, 200)
	eq(t, "grants", fmt.Sprint(e.fk.grants()), "[refresh_token]")
	api := e.fk.apiRequests()
	eq(t, "API requests", len(api), 2)
	second, _ := m.Token(context.Background())
	if len(api) == 2 {
		eq(t, "first try", api[0].Header.Get("Authorization"), "Bearer "+first.AccessToken)
		eq(t, "retry", api[1].Header.Get("Authorization"), "Bearer "+second.AccessToken)
	}
	cached, _ := e.store().LoadToken("default")
	eq(t, "cache updated", cached.AccessToken, second.AccessToken)

	// A POST body is replayed on the retry.
	e.fk.revokeAccess()
	e.fk.reset()
	resp, err := c.Post(e.fk.APIURL()+"/post", "application/json", strings.NewReader(`{"operation":"stop"}`))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	eq(t, "POST status", resp.StatusCode, 200)
	api = e.fk.apiRequests()
	eq(t, "POST tries", len(api), 2)
	for _, r := range api {
		eq(t, "POST body", r.Body, `{"operation":"stop"}`)
	}

	// A body that cannot be replayed: no retry, the 401 is returned, but
	// the token is dropped so the next request gets a new one.
	e.fk.revokeAccess()
	e.fk.reset()
	req, _ := http.NewRequest("POST", e.fk.APIURL()+"/post", onceReader{strings.NewReader("x")})
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	eq(t, "non-replayable status", resp.StatusCode, 401)
	eq(t, "non-replayable tries", len(e.fk.apiRequests()), 1)
	code, _ = get(t, c, e.fk.APIURL()+"/c")
	eq(t, "next request", code, 200)

	// The API refuses every token: exactly one re-auth and one retry.
	e.fk.set(func(f *fakeKeycloak) { f.api401 = true })
	e.fk.reset()
	code, _ = get(t, c, e.fk.APIURL()+"/d")
	eq(t, "status when always refused", code, 401)
	eq(t, "tries when always refused", len(e.fk.apiRequests()), 2)
	eq(t, "re-auths when always refused", len(e.fk.grants()), 1)
}

// onceReader is a body without GetBody.
type onceReader struct{ io.Reader }

func TestTransportParallel401(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	c := e.client(m)
	get(t, c, e.fk.APIURL()+"/warm")
	e.fk.revokeAccess()
	e.fk.reset()
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(fmt.Sprintf("%s/p%d", e.fk.APIURL(), i))
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	eq(t, "re-auths for 10 parallel 401s", len(e.fk.grants()), 1)
}

func TestTransportRefusesPlainHTTP(t *testing.T) {
	called := false
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		called = true
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})
	c := &http.Client{Transport: &Transport{Base: base, Manager: &Manager{}, APIHost: "http://api.example.com"}}
	_, err := c.Get("http://api.example.com/itcare/health")
	var ae *Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("error %v", err)
	}
	if called {
		t.Error("request sent")
	}

	// Misconfigured transport.
	c = &http.Client{Transport: &Transport{Base: base, Manager: &Manager{}}}
	if _, err := c.Get("https://api.example.com/x"); err == nil {
		t.Error("no error without APIHost")
	}
}

func TestTransportAuthErrorPropagates(t *testing.T) {
	e := newEnv(t)
	m := e.manager()
	m.Credentials.ClientSecret = "wrong"
	c := e.client(m)
	body := bytes.NewReader([]byte("{}"))
	_, err := c.Post(e.fk.APIURL()+"/x", "application/json", body)
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %T %v, want *Error", err, err)
	}
	eq(t, "API requests", len(e.fk.apiRequests()), 0)
}
