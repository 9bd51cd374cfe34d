// Package realm is the OpenID Connect realm of the sandbox, shaped like the
// Keycloak realm that guards the real ITCare API: it issues opaque access
// and refresh tokens to known clients (client_credentials and refresh_token
// grants, client_secret_basic), publishes its discovery document, and tells
// the API which client a bearer token belongs to. In ITCare's world this is
// a separate service (Keycloak) from the API, with its own state; here it is
// a separate package with its own lock. It computes answers; the server
// that embeds it writes them. Standard library only.
package realm

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Answer is what the realm says to a request: a status, headers to add and
// a body to send as JSON.
type Answer struct {
	Status int
	Header http.Header
	Body   any
}

type token struct {
	client  string
	expires time.Time
}

// Realm holds the clients and the tokens issued to them.
type Realm struct {
	now             func() time.Time
	accessLifetime  time.Duration
	refreshLifetime time.Duration
	clients         map[string]string // read-only after New

	mu      sync.Mutex
	access  map[string]token
	refresh map[string]token
}

// New returns a realm for clients (id -> secret) whose tokens live access
// and refresh long (0: Keycloak's defaults, 1200 s and 7200 s), on the
// clock now.
func New(clients map[string]string, access, refresh time.Duration, now func() time.Time) *Realm {
	if access <= 0 {
		access = 1200 * time.Second
	}
	if refresh <= 0 {
		refresh = 7200 * time.Second
	}
	return &Realm{now: now, accessLifetime: access, refreshLifetime: refresh, clients: clients,
		access: map[string]token{}, refresh: map[string]token{}}
}

// Serve answers a request to the realm: rel is its path below the realm's,
// issuer the realm's URL as the client reaches it, body the request body.
func (rm *Realm) Serve(r *http.Request, body []byte, issuer, rel string) Answer {
	oidc := issuer + "/protocol/openid-connect"
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case rel == "/protocol/openid-connect/token" && r.Method == http.MethodPost:
		return rm.serveToken(r, body)
	case rel == "/protocol/openid-connect/token":
		return methodNotAllowed("POST")
	case rel == "/protocol/openid-connect/auth":
		return oauthError(http.StatusBadRequest, "unsupported_response_type",
			"the sandbox realm only supports the client_credentials and refresh_token grants")
	case rel != "" && rel != "/" && rel != "/.well-known/openid-configuration" && rel != "/protocol/openid-connect/certs":
		return oauthError(http.StatusNotFound, "not_found", "Unable to find matching target resource method")
	case !get:
		return methodNotAllowed("GET")
	case rel == "/.well-known/openid-configuration":
		return Answer{Status: http.StatusOK, Body: map[string]any{
			"issuer":                                issuer,
			"authorization_endpoint":                oidc + "/auth",
			"token_endpoint":                        oidc + "/token",
			"jwks_uri":                              oidc + "/certs",
			"grant_types_supported":                 []string{"client_credentials", "refresh_token"},
			"response_types_supported":              []string{"code", "token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"scopes_supported":                      []string{"openid", "profile", "email"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic"},
			"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "azp", "clientId"},
		}}
	case rel == "/protocol/openid-connect/certs":
		// Tokens are opaque random strings: there is nothing to verify.
		return Answer{Status: http.StatusOK, Body: map[string]any{"keys": []any{}}}
	}
	return Answer{Status: http.StatusOK, Body: map[string]any{
		"realm":             "cloud",
		"token-service":     oidc,
		"account-service":   issuer + "/account",
		"tokens-not-before": 0,
	}}
}

func (rm *Realm) serveToken(r *http.Request, body []byte) Answer {
	ans := rm.grant(r, body)
	if ans.Header == nil {
		ans.Header = http.Header{}
	}
	ans.Header.Set("Cache-Control", "no-store")
	ans.Header.Set("Pragma", "no-cache")
	return ans
}

func (rm *Realm) grant(r *http.Request, body []byte) Answer {
	client, ok := rm.authenticateClient(r)
	if !ok {
		ans := oauthError(http.StatusUnauthorized, "invalid_client", "Invalid client credentials")
		ans.Header = http.Header{"Www-Authenticate": {`Basic realm="cloud"`}}
		return ans
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return oauthError(http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return oauthError(http.StatusBadRequest, "invalid_request", "Malformed form body")
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	switch grant := form.Get("grant_type"); grant {
	case "":
		return oauthError(http.StatusBadRequest, "invalid_request", "Missing form parameter: grant_type")
	case "client_credentials":
		return Answer{Status: http.StatusOK, Body: rm.issueLocked(client)}
	case "refresh_token":
		rt := form.Get("refresh_token")
		if rt == "" {
			return oauthError(http.StatusBadRequest, "invalid_request", "No refresh token")
		}
		tok, found := rm.refresh[rt]
		if !found || tok.client != client || !rm.now().Before(tok.expires) {
			return oauthError(http.StatusBadRequest, "invalid_grant", "Token is not active")
		}
		return Answer{Status: http.StatusOK, Body: rm.issueLocked(client)}
	}
	return oauthError(http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type")
}

// issueLocked creates an access and a refresh token for client.
func (rm *Realm) issueLocked(client string) map[string]any {
	now := rm.now()
	rm.pruneLocked(now)
	at, rt := randomToken(), randomToken()
	rm.access[at] = token{client: client, expires: now.Add(rm.accessLifetime)}
	rm.refresh[rt] = token{client: client, expires: now.Add(rm.refreshLifetime)}
	return map[string]any{
		"access_token":       at,
		"expires_in":         int64(rm.accessLifetime.Seconds()),
		"refresh_expires_in": int64(rm.refreshLifetime.Seconds()),
		"refresh_token":      rt,
		"token_type":         "bearer",
		"not-before-policy":  0,
		"scope":              "profile email",
	}
}

// pruneLocked drops expired tokens once the maps grow.
func (rm *Realm) pruneLocked(now time.Time) {
	for _, m := range []map[string]token{rm.access, rm.refresh} {
		if len(m) < 1024 {
			continue
		}
		for k, t := range m {
			if !now.Before(t.expires) {
				delete(m, k)
			}
		}
	}
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// authenticateClient checks HTTP Basic client credentials
// (client_secret_basic). Per RFC 6749 §2.3.1 the id and the secret are
// form-urlencoded before base64; the plain form is accepted too.
func (rm *Realm) authenticateClient(r *http.Request) (string, bool) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", false
	}
	id, secret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", false
	}
	type pair struct{ id, secret string }
	candidates := []pair{{id, secret}}
	uid, err1 := url.QueryUnescape(id)
	usecret, err2 := url.QueryUnescape(secret)
	if err1 == nil && err2 == nil {
		candidates = append(candidates, pair{uid, usecret})
	}
	for _, c := range candidates {
		want, known := rm.clients[c.id]
		if known && subtle.ConstantTimeCompare([]byte(want), []byte(c.secret)) == 1 {
			return c.id, true
		}
	}
	return "", false
}

// Bearer returns the client of the request's bearer token; valid is false
// when the token is unknown or expired (client is still named for a known
// expired token, so that traffic can be told apart by client).
func (rm *Realm) Bearer(r *http.Request) (client string, valid bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	t, found := rm.access[strings.TrimSpace(tok)]
	if !found {
		return "", false
	}
	return t.client, rm.now().Before(t.expires)
}

// Expire invalidates every access token issued so far (access), every
// refresh token (refresh), or both.
func (rm *Realm) Expire(access, refresh bool) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if access {
		rm.access = map[string]token{}
	}
	if refresh {
		rm.refresh = map[string]token{}
	}
}

func oauthError(status int, code, desc string) Answer {
	return Answer{Status: status, Body: map[string]string{"error": code, "error_description": desc}}
}

func methodNotAllowed(allow string) Answer {
	ans := oauthError(http.StatusMethodNotAllowed, "method_not_allowed", "HTTP 405 Method Not Allowed")
	ans.Header = http.Header{"Allow": {allow}}
	return ans
}
