//go:build interop

package interop

import (
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startOAuth2Proxy runs oauth2-proxy on a loopback port in front of
// upstream, accepting the bearer JWTs of issuer whose audience is audience
// (verified with the issuer's JWKS: signature, iss, aud, exp). It returns its
// URL and its output (one `METHOD "URI" STATUS` line per request).
func startOAuth2Proxy(t *testing.T, issuer, audience, upstream string) (string, *syncBuffer) {
	t.Helper()
	bin := tool(t, "OAUTH2_PROXY", "bin/tools/oauth2-proxy-*/oauth2-proxy")
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin,
		"--http-address="+addr,
		"--provider=oidc",
		"--oidc-issuer-url="+issuer,
		"--client-id=oauth2-proxy",
		"--client-secret=unused-by-bearer-requests",
		"--cookie-secret=0123456789abcdef0123456789abcdef",
		"--cookie-secure=false",
		"--email-domain=*",
		"--redirect-url=http://"+addr+"/oauth2/callback",
		"--upstream="+upstream,
		"--skip-jwt-bearer-tokens",
		"--extra-jwt-issuers="+issuer+"="+audience,
		"--silence-ping-logging",
		"--request-logging-format={{.RequestMethod}} {{.RequestURI}} {{.StatusCode}}",
	)
	cmd.Dir = t.TempDir()
	out := startProcess(t, "oauth2-proxy", cmd)
	url := "http://" + addr
	waitHTTP(t, "oauth2-proxy", url+"/ping", out)
	return url, out
}

// TestExpiryThroughOAuth2Proxy sends the CLI's requests through oauth2-proxy,
// which really validates the JWTs (signature against the realm's JWKS, iss,
// aud, exp), to Prism serving the API contract. Access tokens are valid for
// 5s only. Two API accounts:
//
//   - "honest": the token response says expires_in=5. The CLI knows the
//     token is stale and refreshes before using it: the proxy never sees the
//     expired token.
//   - "lying": the JWT expires after 5s but the token response says
//     expires_in=3600 (a server whose clock or policy disagrees with what it
//     announced, a revoked token): the CLI sends the cached token, the proxy
//     answers 401, and the CLI refreshes (refresh_token grant) and retries
//     once, successfully.
//
// In both cases the command run after the expiry succeeds, and the expired
// token is shown to be refused by the proxy.
func TestExpiryThroughOAuth2Proxy(t *testing.T) {
	t.Parallel()
	timed(t)
	kc := startKeycloak(t, 5, 7200)
	prism := startPrism(t)
	rec, upstream := newBasePath(t, "/itcare", prism)
	proxyURL, proxyOut := startOAuth2Proxy(t, kc.Issuer, "itcare-api", strings.TrimSuffix(upstream, "/itcare"))
	apiURL := proxyURL + "/itcare"

	lying := newCLI(t, "ITCARE_AUTH_URL="+kc.Issuer, "ITCARE_API_URL="+apiURL)
	honest := newCLI(t, "ITCARE_AUTH_URL="+kc.Issuer, "ITCARE_API_URL="+apiURL)

	configure(t, kc.Origin, map[string]any{"expiresIn": 3600})
	lying.login(kcClient, kcSecret)
	configure(t, kc.Origin, map[string]any{"expiresIn": nil})
	honest.login(kcOddClient, kcSecret)

	lyingTok := lying.cache().AccessToken
	honestTok := honest.cache().AccessToken
	if exp := lying.cache().Expiry; time.Until(exp) < 50*time.Minute {
		t.Fatalf("the lying account's token expires at %s: the server did not announce 3600s", exp)
	}

	// Before the expiry the proxy accepts the cached token (no renewal).
	lying.must("instances", "list")
	if seen := rec.since(0); len(seen) != 1 || seen[0].Token != lyingTok || seen[0].Status != 200 {
		t.Fatalf("Prism saw %v, want 1 request with the cached token", seen)
	}

	exp := time.Unix(int64(claims(t, lyingTok)["exp"].(float64)), 0)
	if e := time.Unix(int64(claims(t, honestTok)["exp"].(float64)), 0); e.After(exp) {
		exp = e
	}
	sleepUntil(t, exp.Add(time.Second), "until both JWTs have expired")

	// The proxy really refuses the expired token.
	for name, tok := range map[string]string{"lying": lyingTok, "honest": honestTok} {
		req, _ := http.NewRequest("GET", apiURL+"/compute/instances", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the proxy answered %s to the expired %s token, want 401", resp.Status, name)
		}
	}
	before401 := strings.Count(proxyOut.String(), `GET "/itcare/compute/instances?page=0" 401`)

	// lying: cached (expired) token → 401 → refresh_token → retry → 200.
	r := lying.must("--debug", "instances", "list")
	var decisions []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "debug: auth:") {
			decisions = append(decisions, l)
		}
	}
	t.Logf("lying account, after the expiry (--debug, token decisions):\n%s", strings.Join(decisions, "\n"))
	if n := strings.Count(proxyOut.String(), `GET "/itcare/compute/instances?page=0" 401`) - before401; n != 1 {
		t.Fatalf("the proxy refused %d requests of the CLI, want 1 (the expired token, before the retry)", n)
	}
	seen := rec.since(0)
	if len(seen) != 2 || seen[1].Token == lyingTok || seen[1].Token != lying.cache().AccessToken || seen[1].Status != 200 {
		t.Fatalf("Prism saw %v; the last request must carry the refreshed token", seen)
	}

	// honest: stale by its own clock → refresh_token before sending.
	honest.must("instances", "list")
	if n := strings.Count(proxyOut.String(), `GET "/itcare/compute/instances?page=0" 401`) - before401; n != 1 {
		t.Fatalf("the proxy refused %d requests, want only the lying account's first one", n)
	}
	seen = rec.since(0)
	if len(seen) != 3 || seen[2].Token == honestTok || seen[2].Token != honest.cache().AccessToken || seen[2].Status != 200 {
		t.Fatalf("Prism saw %v; the last request must carry the honest account's new token", seen)
	}

	var lyingGrants, honestGrants []string
	for _, g := range grants(t, kc.Origin) {
		switch g.ClientID {
		case kcClient:
			lyingGrants = append(lyingGrants, g.String())
		case kcOddClient:
			honestGrants = append(honestGrants, g.String())
		}
	}
	want := "[client_credentials→200 refresh_token→200]"
	if got := fmt.Sprint(lyingGrants); got != want {
		t.Errorf("lying account's token requests: %s, want %s", got, want)
	}
	if got := fmt.Sprint(honestGrants); got != want {
		t.Errorf("honest account's token requests: %s, want %s", got, want)
	}
}
