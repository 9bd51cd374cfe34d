package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// discoveryTimeout bounds the OIDC discovery request.
const discoveryTimeout = 5 * time.Second

// keycloakTokenPath is the token endpoint relative to a Keycloak realm URL.
const keycloakTokenPath = "/protocol/openid-connect/token"

// FallbackTokenURL is the Keycloak token endpoint of the realm at authURL.
func FallbackTokenURL(authURL string) string {
	return strings.TrimRight(authURL, "/") + keycloakTokenPath
}

// Discover finds the token endpoint of the realm at authURL from
// <authURL>/.well-known/openid-configuration. On any failure (network,
// non-200 status, bad JSON, missing, relative or insecure token_endpoint) it
// returns the Keycloak default <authURL>/protocol/openid-connect/token and
// discovered=false. The request is bounded by 5s within ctx. hc nil means
// http.DefaultClient.
func Discover(ctx context.Context, hc *http.Client, authURL string) (tokenURL string, discovered bool) {
	u, err := discover(ctx, hc, authURL)
	if err != nil {
		return FallbackTokenURL(authURL), false
	}
	return u, true
}

// discover returns the discovered token endpoint, or why there is none.
func discover(ctx context.Context, hc *http.Client, authURL string) (string, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(authURL, "/")+"/.well-known/openid-configuration", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("invalid discovery document: %w", err)
	}
	if doc.TokenEndpoint == "" {
		return "", errors.New("no token_endpoint in the discovery document")
	}
	te, err := url.Parse(doc.TokenEndpoint)
	if err != nil || !te.IsAbs() || te.Host == "" || te.User != nil {
		return "", fmt.Errorf("invalid token_endpoint %q", safeURL(doc.TokenEndpoint))
	}
	// Never let the discovery document downgrade the token request to
	// plain http (a misconfigured proxy often advertises http URLs).
	if te.Scheme != "https" && (te.Scheme != "http" || !isLoopbackHost(te.Hostname())) {
		return "", fmt.Errorf("insecure token_endpoint %s", te.Redacted())
	}
	return te.String(), nil
}
