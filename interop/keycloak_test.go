//go:build interop

package interop

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The API account of the Keycloak-shaped server. The secret holds every
// character that RFC 6749 §2.3.1 form-encoding changes before the Basic
// header is built (+ / = : % and a space): a client that skipped the encoding,
// or a server that skipped the decoding, would not match it.
const (
	kcClient = "itcare-interop"
	kcSecret = "s3cr+t/wi=th:colon%2F and~space"
	// an id with ':' and ' ' too: without encoding, the id:secret split
	// happens at the wrong place.
	kcOddClient = "itcare:interop ci"
)

func kcClients() string {
	b, _ := json.Marshal(map[string]string{kcClient: kcSecret, kcOddClient: kcSecret})
	return string(b)
}

// startKeycloak starts keycloak.mjs with access tokens living accessTTL
// seconds and refresh tokens refreshTTL seconds (0: none).
func startKeycloak(t *testing.T, accessTTL, refreshTTL int, env ...string) server {
	t.Helper()
	return startNodeServer(t, "keycloak.mjs", append([]string{
		"KC_CLIENTS=" + kcClients(),
		"KC_ACCESS_TTL=" + strconv.Itoa(accessTTL),
		"KC_REFRESH_TTL=" + strconv.Itoa(refreshTTL),
		"KC_AUDIENCE=itcare-api",
	}, env...)...)
}

// TestKeycloakLoginAndRefresh walks a token's whole life against the
// Keycloak-shaped realm: login (client_credentials, Basic), status, cache
// hit, refresh_token grant once the access token is stale, refresh refused
// by the server → client_credentials, refresh token expired →
// client_credentials without trying it. The server's grant log is the
// reference for which grant the CLI used.
//
// The CLI renews an access token a quarter of its life before it expires
// (at most 60s, auth.DefaultSkew) and stops using a refresh token 60s before,
// so the access tokens live 6s (usable for 4.5s) and the refresh tokens 70s
// (usable for 10s).
func TestKeycloakLoginAndRefresh(t *testing.T) {
	t.Parallel()
	timed(t)
	kc := startKeycloak(t, 6, 70)
	c := newCLI(t, "ITCARE_AUTH_URL="+kc.Issuer, "ITCARE_API_URL=http://127.0.0.1:9/itcare")

	// login: one client_credentials grant, client authenticated with Basic,
	// id and secret form-encoded.
	r := c.login(kcClient, kcSecret)
	if strings.Contains(r.stdout+r.stderr, kcSecret) {
		t.Fatalf("login printed the secret:\n%s%s", r.stdout, r.stderr)
	}
	gs := wantGrants(t, kc.Origin, "client_credentials→200")
	if g := gs[0]; !g.Basic || !g.BasicStrict || g.ClientID != kcClient || !g.RefreshIssued {
		t.Fatalf("login's token request: %+v, want HTTP Basic with the RFC 6749 §2.3.1 encoding, client %q", g, kcClient)
	}
	cache1 := c.cache()
	if want := kc.Issuer + "/protocol/openid-connect/token"; cache1.TokenURL != want {
		t.Errorf("token URL %q, want the discovered %q", cache1.TokenURL, want)
	}
	freshUntil := cache1.renewAt()

	// auth status: where the credentials are, and the token's state.
	st := c.status()
	if st.ClientID != kcClient || st.CredentialsSource != "file" || !st.TokenValid || st.RefreshExpiry == "" ||
		st.AuthURL != kc.Issuer || st.CredentialsFile == "" {
		t.Fatalf("auth status: %+v", st)
	}
	if data, err := os.ReadFile(st.CredentialsFile); err != nil || !strings.Contains(string(data), kcClient) {
		t.Fatalf("credentials file %s: %v", st.CredentialsFile, err)
	}

	// auth token within the token's life: the cached JWT, no token request.
	if time.Now().After(freshUntil) {
		t.Fatalf("this machine took more than 4s for login and auth status: cannot check the cache hit")
	}
	tok1 := c.token()
	if tok1 != cache1.AccessToken {
		t.Fatalf("auth token printed another token than the cached one")
	}
	cl := claims(t, tok1)
	if cl["iss"] != kc.Issuer || cl["azp"] != kcClient || cl["aud"] != "itcare-api" {
		t.Fatalf("token claims: iss=%v azp=%v aud=%v", cl["iss"], cl["azp"], cl["aud"])
	}
	wantGrants(t, kc.Origin, "client_credentials→200")

	// The access token goes stale: refresh_token grant, a new refresh token.
	sleepUntil(t, freshUntil, "until the access token is due for renewal")
	tok2 := c.token()
	if tok2 == tok1 {
		t.Fatal("auth token printed the stale token")
	}
	gs = wantGrants(t, kc.Origin, "client_credentials→200", "refresh_token→200")
	if g := gs[1]; !g.Basic || !g.BasicStrict || g.ClientID != kcClient {
		t.Fatalf("refresh request: %+v, want HTTP Basic as for client_credentials", g)
	}
	cache2 := c.cache()
	if cache2.RefreshToken == cache1.RefreshToken || cache2.RefreshToken == "" {
		t.Fatal("the CLI did not keep the rotated refresh token")
	}
	if st := c.status(); !st.TokenValid {
		t.Fatalf("auth status after refresh: %+v", st)
	}

	// The server forgets its refresh tokens (sessions logged out): the
	// refresh is refused (400 invalid_grant) and the CLI falls back to
	// client_credentials within the same command.
	post(t, kc.Origin+"/__interop/revoke-refresh-tokens")
	sleepUntil(t, cache2.renewAt(), "until the refreshed token is due for renewal")
	tok3 := c.token()
	wantGrants(t, kc.Origin, "client_credentials→200", "refresh_token→200",
		"refresh_token→400 invalid_grant", "client_credentials→200")
	if tok3 == tok2 {
		t.Fatal("auth token printed the stale token")
	}

	// The refresh token itself expires (by the CLI's clock): straight to
	// client_credentials, without a doomed refresh_token request.
	cache3 := c.cache()
	sleepUntil(t, cache3.RefreshExpiry.Add(-skew), "until the refresh token is due to expire")
	if tok4 := c.token(); tok4 == tok3 {
		t.Fatal("auth token printed the stale token")
	}
	wantGrants(t, kc.Origin, "client_credentials→200", "refresh_token→200",
		"refresh_token→400 invalid_grant", "client_credentials→200", "client_credentials→200")
}

// TestKeycloakClientAuthentication pins how the client authenticates: HTTP
// Basic with the id and secret form-encoded (RFC 6749 §2.3.1) even when the
// id holds ':' and ' '; a wrong secret is an auth failure (exit 4) that
// prints no secret and saves nothing; ITCARE_CLIENT_ID/ITCARE_CLIENT_SECRET
// work without login; without discovery the Keycloak token path is used.
func TestKeycloakClientAuthentication(t *testing.T) {
	t.Parallel()
	timed(t)
	kc := startKeycloak(t, 1200, 7200)

	t.Run("odd client id", func(t *testing.T) {
		c := newCLI(t, "ITCARE_AUTH_URL="+kc.Issuer)
		c.login(kcOddClient, kcSecret)
		gs := grants(t, kc.Origin)
		g := gs[len(gs)-1]
		if g.Status != 200 || g.ClientID != kcOddClient || !g.BasicStrict {
			t.Fatalf("token request %+v: want client %q authenticated with encoded Basic credentials", g, kcOddClient)
		}
		if st := c.status(); st.ClientID != kcOddClient || !st.TokenValid {
			t.Fatalf("auth status: %+v", st)
		}
	})

	// Negative control: the same credentials without the encoding are
	// refused, so the CLI's logins above and below prove its encoding.
	tokenURL := kc.Issuer + "/protocol/openid-connect/token"
	for _, id := range []string{kcClient, kcOddClient} {
		if st := unencodedBasic(t, tokenURL, id, kcSecret); st != http.StatusUnauthorized {
			t.Errorf("unencoded Basic credentials of %q: HTTP %d, want 401", id, st)
		}
	}

	t.Run("wrong secret", func(t *testing.T) {
		c := newCLI(t, "ITCARE_AUTH_URL="+kc.Issuer)
		wrong := kcSecret + "x"
		r := c.runIn(wrong+"\n", "login", "--client-id", kcClient, "--client-secret-stdin")
		wantCode(t, r, 4, "login with a wrong secret")
		if !strings.Contains(r.stderr, "invalid client credentials") {
			t.Errorf("stderr does not say the credentials were refused:\n%s", r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, wrong) || strings.Contains(r.stdout+r.stderr, "s3cr") {
			t.Errorf("the secret was printed:\n%s%s", r.stdout, r.stderr)
		}
		gs := grants(t, kc.Origin)
		if g := gs[len(gs)-1]; g.Status != 401 || g.Error != "invalid_client" || !g.BasicStrict {
			t.Fatalf("token request %+v: want 401 invalid_client", g)
		}
		if _, err := os.Stat(filepath.Join(c.dir, "itcare", "default.credentials.json")); err == nil {
			t.Error("credentials were saved after a failed login")
		}
		wantCode(t, c.run("auth", "token"), 4, "auth token without login")
	})

	t.Run("environment credentials", func(t *testing.T) {
		c := newCLI(t, "ITCARE_AUTH_URL="+kc.Issuer, "ITCARE_CLIENT_ID="+kcClient, "ITCARE_CLIENT_SECRET="+kcSecret)
		before := len(grants(t, kc.Origin))
		tok := c.token()
		if claims(t, tok)["azp"] != kcClient {
			t.Fatal("token for another client")
		}
		if st := c.status(); st.CredentialsSource != "env" || !st.TokenValid {
			t.Fatalf("auth status: %+v", st)
		}
		if c.token() != tok {
			t.Fatal("second auth token did not reuse the cached token")
		}
		if n := len(grants(t, kc.Origin)) - before; n != 1 {
			t.Fatalf("%d token requests for two commands, want 1", n)
		}
	})

	t.Run("no discovery", func(t *testing.T) {
		configure(t, kc.Origin, map[string]any{"discovery": false})
		t.Cleanup(func() { configure(t, kc.Origin, map[string]any{"discovery": true}) })
		c := newCLI(t, "ITCARE_AUTH_URL="+kc.Issuer)
		c.login(kcClient, kcSecret)
		if got, want := c.cache().TokenURL, kc.Issuer+"/protocol/openid-connect/token"; got != want {
			t.Fatalf("token URL %q, want the Keycloak default %q", got, want)
		}
	})
}

func post(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
}
