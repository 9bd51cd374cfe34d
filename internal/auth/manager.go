package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/itcare-cli/itcare/internal/redact"
)

// DefaultSkew is how long before its expiry a token is renewed when
// Manager.Skew is zero. It covers clock drift between this machine and the
// auth server and the time an API request takes to reach the server.
const DefaultSkew = 60 * time.Second

// defaultLifetime is assumed for an access token whose response has no
// expires_in (Keycloak always sends it).
const defaultLifetime = 5 * time.Minute

// Manager is the token source every API call uses. It serves the profile's
// cached token while it is valid (without any request to the auth server),
// else takes the profile's cross-process lock, re-reads the cache (another
// process may just have renewed it), renews the token (refresh_token grant
// while the refresh token lasts, else client_credentials) and saves it.
//
// A Manager is safe for concurrent use; its fields must not change after
// the first call.
type Manager struct {
	Store       *Store // nil: no cache (every process gets its own token)
	Profile     string
	AuthURL     string // Keycloak realm URL, e.g. https://accounts.cegedim.cloud/auth/realms/cloud
	Credentials Credentials
	HTTPClient  *http.Client // discovery and token requests; nil = http.DefaultClient
	// Skew renews the access token (and stops using the refresh token) this
	// long before it expires; 0 means DefaultSkew (60s).
	Skew   time.Duration
	Now    func() time.Time                 // nil = time.Now
	Debugf func(format string, args ...any) // optional decision log; never given a token or secret

	once sync.Once
	sem  chan struct{} // one token operation at a time in this process; guards tok
	tok  *CachedToken  // in-memory token
}

func (m *Manager) init() { m.once.Do(func() { m.sem = make(chan struct{}, 1) }) }

func (m *Manager) acquire(ctx context.Context) error {
	m.init()
	select {
	case m.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *Manager) release() { <-m.sem }

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Manager) skew() time.Duration {
	if m.Skew > 0 {
		return m.Skew
	}
	return DefaultSkew
}

func (m *Manager) debugf(format string, args ...any) {
	if m.Debugf != nil {
		m.Debugf("auth: "+format, args...)
	}
}

func (m *Manager) warnf(format string, args ...any) {
	if m.Store != nil {
		m.Store.warnf(format, args...)
	}
}

// authURL checks the configuration and returns the normalised auth URL.
func (m *Manager) authURL() (string, error) {
	redact.AddClient(m.Credentials.ClientID, m.Credentials.ClientSecret)
	if m.Credentials.ClientID == "" || m.Credentials.ClientSecret == "" {
		return "", &Error{Msg: "no credentials configured: run `itcare login` or set " + EnvClientID + " and " + EnvClientSecret}
	}
	if strings.TrimSpace(m.AuthURL) == "" {
		return "", &Error{Msg: "no auth URL configured"}
	}
	u, err := checkSecureURL("auth URL", strings.TrimSpace(m.AuthURL))
	if err != nil {
		return "", err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// matches reports whether t was obtained for these credentials and auth
// server.
func (m *Manager) matches(t *CachedToken, authURL string) bool {
	return t != nil && t.ClientID == m.Credentials.ClientID && t.AuthURL == authURL && t.TokenURL != ""
}

// fresh reports whether t's access token can still be used.
func (m *Manager) fresh(t *CachedToken, authURL string, now time.Time) bool {
	return m.matches(t, authURL) && t.AccessToken != "" && now.Before(t.Expiry.Add(-m.margin(t)))
}

// margin is how long before its expiry t is renewed: Skew when set, else
// DefaultSkew but at most a quarter of the token's lifetime when it is
// known, so that a token living 60s or less is still reused (a fixed 60s
// margin would renew it at once).
func (m *Manager) margin(t *CachedToken) time.Duration {
	s := m.skew()
	if m.Skew <= 0 && !t.IssuedAt.IsZero() {
		if life := t.Expiry.Sub(t.IssuedAt); life > 0 && life/4 < s {
			s = life / 4
		}
	}
	return s
}

// refreshable reports whether t's refresh token can still be used. A zero
// RefreshExpiry means its lifetime is unknown: it is tried.
func (m *Manager) refreshable(t *CachedToken, authURL string, now time.Time) bool {
	return m.matches(t, authURL) && t.RefreshToken != "" &&
		(t.RefreshExpiry.IsZero() || now.Before(t.RefreshExpiry.Add(-m.skew())))
}

// loadCache reads the profile's token cache; a read error is a miss.
func (m *Manager) loadCache() *CachedToken {
	if m.Store == nil {
		return nil
	}
	t, err := m.Store.LoadToken(m.Profile)
	if err != nil {
		m.warnf("cannot read the token cache: %v", err)
		return nil
	}
	return t
}

// saveCache writes t to the profile's token cache; failing to is only a
// warning (the token is still good for this process).
func (m *Manager) saveCache(t *CachedToken) {
	if m.Store == nil {
		return
	}
	if err := m.Store.SaveToken(m.Profile, t); err != nil {
		m.warnf("cannot save the token cache: %v", err)
	}
}

// lock takes the cross-process lock; failing to (another process holding it
// for more than 10s, read-only directory) is not fatal: at worst both
// processes get a token.
func (m *Manager) lock(ctx context.Context) func() {
	if m.Store == nil {
		return func() {}
	}
	unlock, err := m.Store.lock(ctx, m.Profile)
	if err != nil {
		m.debugf("could not take the token lock %s (%v); going on without it", m.Store.LockPath(m.Profile), err)
	}
	return unlock
}

// begin starts a token operation: the normalised auth URL, and this
// process's turn (release gives it back).
func (m *Manager) begin(ctx context.Context) (authURL string, release func(), err error) {
	if authURL, err = m.authURL(); err != nil {
		return "", nil, err
	}
	if err := m.acquire(ctx); err != nil {
		return "", nil, err
	}
	return authURL, m.release, nil
}

// lockUnlessDone takes the cross-process lock (see lock), unless ctx ended
// while waiting for it.
func (m *Manager) lockUnlessDone(ctx context.Context) (unlock func(), err error) {
	unlock = m.lock(ctx)
	if err := ctx.Err(); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// keep saves a token just obtained, in the cache and in memory, and
// returns the caller's copy.
func (m *Manager) keep(t *CachedToken) *CachedToken {
	m.saveCache(t)
	m.tok = t
	return clone(t)
}

// clone copies t for a caller, registering its tokens with the output
// redaction first: whatever prints them later, by mistake or because a
// server echoed them, masks them.
func clone(t *CachedToken) *CachedToken {
	redact.Add(t.AccessToken)
	redact.Add(t.RefreshToken)
	c := *t
	return &c
}

// Token returns a valid access token: the cached one if it is still valid
// for Skew, else a renewed one (see Manager). Errors obtaining a token are
// *Error (or the context's error).
func (m *Manager) Token(ctx context.Context) (*CachedToken, error) {
	authURL, release, err := m.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer release()

	now := m.now()
	if m.fresh(m.tok, authURL, now) {
		return clone(m.tok), nil
	}
	if t := m.loadCache(); m.fresh(t, authURL, now) {
		m.debugf("token cache hit (valid until %s)", t.Expiry.Format(time.RFC3339))
		m.tok = t
		return clone(t), nil
	}

	unlock, err := m.lockUnlessDone(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now = m.now()
	cached := m.loadCache()
	if m.fresh(cached, authURL, now) {
		m.debugf("token renewed by another process (valid until %s)", cached.Expiry.Format(time.RFC3339))
		m.tok = cached
		return clone(cached), nil
	}

	t, err := m.renew(ctx, authURL, cached)
	if err != nil {
		return nil, err
	}
	return m.keep(t), nil
}

// Login always gets a new token with the client_credentials grant (which
// proves the credentials), discovering the token endpoint afresh, and saves
// it in the cache. Nothing is saved if it fails.
func (m *Manager) Login(ctx context.Context) (*CachedToken, error) {
	authURL, release, err := m.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	unlock, err := m.lockUnlessDone(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	tokenURL, err := m.discover(ctx, authURL)
	if err != nil {
		return nil, err
	}
	t, err := m.clientCredentials(ctx, authURL, tokenURL)
	if err != nil {
		return nil, err
	}
	return m.keep(t), nil
}

// Invalidate drops the in-memory token and marks the cached access token as
// expired (keeping the refresh token), so that the next Token gets a new
// one. Used after the API answered 401.
func (m *Manager) Invalidate() {
	m.invalidate(context.Background(), "")
}

// invalidate is Invalidate limited to the access token used, when given:
// if the token has already been replaced (by another goroutine that got a
// 401 too, or another process), there is nothing to do.
func (m *Manager) invalidate(ctx context.Context, used string) {
	if err := m.acquire(ctx); err != nil {
		return
	}
	defer m.release()
	if used != "" && m.tok != nil && m.tok.AccessToken != used {
		return
	}
	m.tok = nil
	authURL, err := m.authURL()
	if m.Store == nil || err != nil {
		return
	}
	unlock := m.lock(ctx)
	defer unlock()
	t := m.loadCache()
	if !m.matches(t, authURL) || (used != "" && t.AccessToken != used) {
		return
	}
	if now := m.now(); t.Expiry.After(now) {
		t.Expiry = now
	}
	m.debugf("access token refused by the API: marked as expired")
	m.saveCache(t)
}

// discover returns the token endpoint for authURL and checks it is secure.
func (m *Manager) discover(ctx context.Context, authURL string) (string, error) {
	tokenURL, err := discover(ctx, m.HTTPClient, authURL)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return "", ctxErr
		}
		tokenURL = FallbackTokenURL(authURL)
		m.debugf("OIDC discovery failed (%v); using %s", err, tokenURL)
	} else {
		m.debugf("discovered token endpoint %s", tokenURL)
	}
	if _, err := checkSecureURL("token URL", tokenURL); err != nil {
		return "", err
	}
	return tokenURL, nil
}

// renew gets a new token: refresh_token grant with the cached refresh token
// while it is usable, else (or if it is refused) client_credentials.
func (m *Manager) renew(ctx context.Context, authURL string, cached *CachedToken) (*CachedToken, error) {
	var tokenURL string
	if m.matches(cached, authURL) {
		if _, err := checkSecureURL("token URL", cached.TokenURL); err == nil {
			tokenURL = cached.TokenURL
		}
	}
	if tokenURL == "" {
		u, err := m.discover(ctx, authURL)
		if err != nil {
			return nil, err
		}
		tokenURL = u
	}
	switch {
	case cached == nil:
		m.debugf("no cached token, using client_credentials")
	case !m.matches(cached, authURL) || tokenURL != cached.TokenURL:
		m.debugf("the cached token is for another client or auth server, using client_credentials")
	case m.refreshable(cached, authURL, m.now()):
		m.debugf("access token expired, refreshing with refresh_token")
		t, err := m.refresh(ctx, authURL, tokenURL, cached)
		if err == nil {
			return t, nil
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			return nil, m.tokenError(ctx, tokenURL, err)
		}
		m.debugf("refresh refused (%s), using client_credentials", describeRetrieveError(re))
	case cached.RefreshToken != "":
		m.debugf("refresh token expired, using client_credentials")
	default:
		m.debugf("access token expired and no refresh token, using client_credentials")
	}
	return m.clientCredentials(ctx, authURL, tokenURL)
}

// httpContext carries the HTTP client for golang.org/x/oauth2, with
// redirects refused: credentials are never re-sent to another URL.
func (m *Manager) httpContext(ctx context.Context) context.Context {
	hc := http.DefaultClient
	if m.HTTPClient != nil {
		hc = m.HTTPClient
	}
	c := *hc
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		return fmt.Errorf("token endpoint redirected to %s: not following it", req.URL.Redacted())
	}
	return context.WithValue(ctx, oauth2.HTTPClient, &c)
}

func (m *Manager) refresh(ctx context.Context, authURL, tokenURL string, cached *CachedToken) (*CachedToken, error) {
	conf := &oauth2.Config{
		ClientID:     m.Credentials.ClientID,
		ClientSecret: m.Credentials.ClientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader},
	}
	tok, err := conf.TokenSource(m.httpContext(ctx), &oauth2.Token{RefreshToken: cached.RefreshToken}).Token()
	if err != nil {
		return nil, err
	}
	t := m.convert(tok, authURL, tokenURL, cached)
	m.debugf("refreshed the token (valid until %s, new refresh token: %t)", t.Expiry.Format(time.RFC3339), t.RefreshToken != cached.RefreshToken)
	return t, nil
}

func (m *Manager) clientCredentials(ctx context.Context, authURL, tokenURL string) (*CachedToken, error) {
	conf := &clientcredentials.Config{
		ClientID:     m.Credentials.ClientID,
		ClientSecret: m.Credentials.ClientSecret,
		TokenURL:     tokenURL,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	tok, err := conf.Token(m.httpContext(ctx))
	if err != nil {
		return nil, m.tokenError(ctx, tokenURL, err)
	}
	t := m.convert(tok, authURL, tokenURL, nil)
	m.debugf("got a token with client_credentials for client %q (valid until %s, refresh token: %t)",
		t.ClientID, t.Expiry.Format(time.RFC3339), t.RefreshToken != "")
	return t, nil
}

// convert builds the cache entry from a token response. Lifetimes are taken
// from expires_in / refresh_expires_in against the Manager's clock. prev is
// the entry refreshed, if any: when the server keeps the same refresh token
// without saying how long it lasts, its known expiry is kept.
func (m *Manager) convert(tok *oauth2.Token, authURL, tokenURL string, prev *CachedToken) *CachedToken {
	now := m.now()
	t := &CachedToken{
		AccessToken:  tok.AccessToken,
		TokenType:    tok.TokenType,
		RefreshToken: tok.RefreshToken,
		ClientID:     m.Credentials.ClientID,
		TokenURL:     tokenURL,
		AuthURL:      authURL,
		IssuedAt:     now,
	}
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	switch secs, ok := extraSeconds(tok, "expires_in"); {
	case ok && secs > 0:
		t.Expiry = now.Add(secs)
	case !tok.Expiry.IsZero():
		t.Expiry = tok.Expiry
	default:
		t.Expiry = now.Add(defaultLifetime)
	}
	if t.RefreshToken != "" {
		secs, ok := extraSeconds(tok, "refresh_expires_in")
		switch {
		case ok && secs > 0:
			t.RefreshExpiry = now.Add(secs)
		case !ok && prev != nil && prev.RefreshToken == t.RefreshToken:
			t.RefreshExpiry = prev.RefreshExpiry
		}
	}
	return t
}

// extraSeconds reads a number of seconds from the token response.
func extraSeconds(tok *oauth2.Token, key string) (time.Duration, bool) {
	var secs float64
	switch v := tok.Extra(key).(type) {
	case float64:
		secs = v
	case int64:
		secs = float64(v)
	case int:
		secs = float64(v)
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return 0, false
		}
		secs = f
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, false
		}
		secs = f
	default:
		return 0, false
	}
	return time.Duration(secs * float64(time.Second)), true
}

// tokenError turns a failed token request into an *Error whose message
// names the client and the endpoint and never contains the secret.
func (m *Manager) tokenError(ctx context.Context, tokenURL string, err error) error {
	id := m.Credentials.ClientID
	var msg string
	var re *oauth2.RetrieveError
	var ue *url.Error
	switch {
	case errors.As(err, &re) && isBadClient(re):
		msg = fmt.Sprintf("authentication failed: invalid client credentials for client %q at %s", id, tokenURL)
		if d := m.scrub(re.ErrorDescription); d != "" && !strings.Contains(strings.ToLower(d), "invalid client") {
			msg += " (" + d + ")"
		}
	case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests:
		msg = fmt.Sprintf("authentication failed: the token endpoint %s is limiting requests (HTTP 429): try again later", tokenURL)
	case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 500:
		msg = fmt.Sprintf("authentication failed: the token endpoint %s failed: %s", tokenURL, m.scrub(describeRetrieveError(re)))
	case errors.As(err, &re):
		msg = fmt.Sprintf("authentication failed: the token endpoint %s refused client %q: %s", tokenURL, id, m.scrub(describeRetrieveError(re)))
	case ctx.Err() != nil:
		return &Error{Msg: fmt.Sprintf("authentication interrupted: %v", ctx.Err()), Err: ctx.Err()}
	case errors.As(err, &ue):
		msg = fmt.Sprintf("authentication failed: cannot reach the token endpoint %s: %s", tokenURL, m.scrub(ue.Err.Error()))
	default:
		msg = fmt.Sprintf("authentication failed: bad answer from the token endpoint %s: %s", tokenURL, m.scrub(err.Error()))
	}
	return &Error{Msg: msg, Err: err}
}

// isBadClient reports whether the token endpoint rejected the client
// credentials themselves.
func isBadClient(re *oauth2.RetrieveError) bool {
	switch re.ErrorCode {
	case "invalid_client", "unauthorized_client":
		return true
	case "":
		return re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized
	}
	return false
}

// describeRetrieveError summarises an error answer without its raw body.
func describeRetrieveError(re *oauth2.RetrieveError) string {
	var parts []string
	if re.Response != nil {
		parts = append(parts, fmt.Sprintf("HTTP %d", re.Response.StatusCode))
	}
	if re.ErrorCode != "" {
		parts = append(parts, re.ErrorCode)
	}
	if re.ErrorDescription != "" {
		parts = append(parts, strconv.Quote(re.ErrorDescription))
	}
	if len(parts) == 0 {
		return "error"
	}
	return strings.Join(parts, " ")
}

// scrub removes the client secret from server-provided text, should a
// server ever echo it.
func (m *Manager) scrub(s string) string {
	if sec := m.Credentials.ClientSecret; sec != "" {
		s = strings.ReplaceAll(s, sec, redacted)
		if q := url.QueryEscape(sec); q != sec {
			s = strings.ReplaceAll(s, q, redacted)
		}
	}
	return s
}
