package sandbox

import (
	"crypto/subtle"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// serveOIDC answers the Keycloak-shaped realm.
func (s *Server) serveOIDC(w http.ResponseWriter, r *http.Request, body []byte, rel string) {
	issuer := s.base(r) + realmPath
	oidc := issuer + "/protocol/openid-connect"
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch rel {
	case "", "/":
		if !get {
			writeReply(w, oauthMethodNotAllowed("GET"))
			return
		}
		writeReply(w, jsonReply(http.StatusOK, map[string]any{
			"realm":             "cloud",
			"token-service":     oidc,
			"account-service":   issuer + "/account",
			"tokens-not-before": 0,
		}))
	case "/.well-known/openid-configuration":
		if !get {
			writeReply(w, oauthMethodNotAllowed("GET"))
			return
		}
		writeReply(w, jsonReply(http.StatusOK, map[string]any{
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
		}))
	case "/protocol/openid-connect/certs":
		if !get {
			writeReply(w, oauthMethodNotAllowed("GET"))
			return
		}
		// Tokens are opaque random strings: there is nothing to verify.
		writeReply(w, jsonReply(http.StatusOK, map[string]any{"keys": []any{}}))
	case "/protocol/openid-connect/auth":
		writeReply(w, oauthError(http.StatusBadRequest, "unsupported_response_type",
			"the sandbox realm only supports the client_credentials and refresh_token grants"))
	case "/protocol/openid-connect/token":
		if r.Method != http.MethodPost {
			writeReply(w, oauthMethodNotAllowed("POST"))
			return
		}
		s.serveToken(w, r, body)
	default:
		writeReply(w, oauthError(http.StatusNotFound, "not_found", "Unable to find matching target resource method"))
	}
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	client, ok := s.authenticateClient(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="cloud"`)
		writeReply(w, oauthError(http.StatusUnauthorized, "invalid_client", "Invalid client credentials"))
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		writeReply(w, oauthError(http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"))
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeReply(w, oauthError(http.StatusBadRequest, "invalid_request", "Malformed form body"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch grant := form.Get("grant_type"); grant {
	case "":
		writeReply(w, oauthError(http.StatusBadRequest, "invalid_request", "Missing form parameter: grant_type"))
	case "client_credentials":
		writeReply(w, jsonReply(http.StatusOK, s.issueLocked(client)))
	case "refresh_token":
		rt := form.Get("refresh_token")
		if rt == "" {
			writeReply(w, oauthError(http.StatusBadRequest, "invalid_request", "No refresh token"))
			return
		}
		tok, found := s.refresh[rt]
		if !found || tok.client != client || !s.now().Before(tok.expires) {
			writeReply(w, oauthError(http.StatusBadRequest, "invalid_grant", "Token is not active"))
			return
		}
		writeReply(w, jsonReply(http.StatusOK, s.issueLocked(client)))
	default:
		writeReply(w, oauthError(http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type"))
	}
}

// issueLocked creates an access and a refresh token for client.
func (s *Server) issueLocked(client string) map[string]any {
	now := s.now()
	s.pruneTokensLocked(now)
	at, rt := randomToken(), randomToken()
	s.access[at] = token{client: client, expires: now.Add(s.accessLifetime)}
	s.refresh[rt] = token{client: client, expires: now.Add(s.refreshLifetime)}
	return map[string]any{
		"access_token":       at,
		"expires_in":         int64(s.accessLifetime.Seconds()),
		"refresh_expires_in": int64(s.refreshLifetime.Seconds()),
		"refresh_token":      rt,
		"token_type":         "bearer",
		"not-before-policy":  0,
		"scope":              "profile email",
	}
}

// pruneTokensLocked drops expired tokens once the maps grow.
func (s *Server) pruneTokensLocked(now time.Time) {
	for _, m := range []map[string]token{s.access, s.refresh} {
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

// authenticateClient checks HTTP Basic client credentials
// (client_secret_basic). Per RFC 6749 §2.3.1 the id and the secret are
// form-urlencoded before base64; the plain form is accepted too.
func (s *Server) authenticateClient(r *http.Request) (string, bool) {
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
		want, known := s.clients[c.id]
		if known && subtle.ConstantTimeCompare([]byte(want), []byte(c.secret)) == 1 {
			return c.id, true
		}
	}
	return "", false
}

// bearerLocked returns the client owning a valid access token.
func (s *Server) bearerLocked(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	t, found := s.access[strings.TrimSpace(tok)]
	if !found || !s.now().Before(t.expires) {
		return "", false
	}
	return t.client, true
}

func oauthError(status int, code, desc string) reply {
	return jsonReply(status, map[string]string{"error": code, "error_description": desc})
}

func oauthMethodNotAllowed(allow string) reply {
	rep := oauthError(http.StatusMethodNotAllowed, "method_not_allowed", "HTTP 405 Method Not Allowed")
	rep.header = http.Header{"Allow": {allow}}
	return rep
}
