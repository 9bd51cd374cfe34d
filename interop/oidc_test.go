//go:build interop

package interop

import (
	"strings"
	"testing"
)

// TestStrictProviderClientCredentialsOnly runs the CLI against oidc-provider,
// a certified OpenID provider that is strict where the mock is lenient: it
// rejects badly encoded Basic credentials itself, issues opaque access
// tokens, and never a refresh token for client_credentials. Its issuer is its
// root, so the CLI must use the token endpoint it discovers (/token), not the
// Keycloak path. Once the access token is stale the CLI must get a new one
// with client_credentials: there is nothing to refresh.
//
// Access tokens live 6s: the CLI (which renews a quarter of the life early) uses one for 4.5s.
func TestStrictProviderClientCredentialsOnly(t *testing.T) {
	t.Parallel()
	timed(t)
	op := startNodeServer(t, "oidc.mjs", "OP_CLIENTS="+kcClients(), "OP_ACCESS_TTL=6")
	c := newCLI(t, "ITCARE_AUTH_URL="+op.Issuer, "ITCARE_API_URL=http://127.0.0.1:9/itcare")

	c.login(kcClient, kcSecret)
	gs := wantGrants(t, op.Origin, "client_credentials→200")
	if !gs[0].Basic || gs[0].ClientID != kcClient {
		t.Fatalf("login's token request %+v: want HTTP Basic for %q", gs[0], kcClient)
	}
	cache1 := c.cache()
	if want := op.Issuer + "/token"; cache1.TokenURL != want {
		t.Fatalf("token URL %q, want the discovered %q", cache1.TokenURL, want)
	}
	if cache1.RefreshToken != "" || !cache1.RefreshExpiry.IsZero() {
		t.Fatal("the cache holds a refresh token the server never issued")
	}
	if strings.Count(cache1.AccessToken, ".") == 2 {
		t.Fatal("oidc-provider's client_credentials tokens are opaque; got a JWT")
	}
	st := c.status()
	if !st.TokenValid || st.RefreshExpiry != "" || st.ClientID != kcClient {
		t.Fatalf("auth status: %+v", st)
	}

	// Within the token's life: cache hit.
	if tok := c.token(); tok != cache1.AccessToken {
		t.Fatal("auth token did not print the cached token")
	}
	wantGrants(t, op.Origin, "client_credentials→200")

	// Stale, and no refresh token: client_credentials again.
	sleepUntil(t, cache1.renewAt(), "until the access token is due for renewal")
	if tok := c.token(); tok == cache1.AccessToken {
		t.Fatal("auth token printed the stale token")
	}
	wantGrants(t, op.Origin, "client_credentials→200", "client_credentials→200")

	// The provider's own RFC 6749 §2.3.1 decoding accepts the CLI's
	// encoding of an id with ':' and ' ' too.
	odd := newCLI(t, "ITCARE_AUTH_URL="+op.Issuer)
	odd.login(kcOddClient, kcSecret)
	gs = grants(t, op.Origin)
	if g := gs[len(gs)-1]; g.Status != 200 || g.ClientID != kcOddClient {
		t.Fatalf("token request %+v: want a token for %q", g, kcOddClient)
	}

	// Negative control: without the encoding, the provider refuses the
	// same credentials.
	for _, id := range []string{kcClient, kcOddClient} {
		if st := unencodedBasic(t, op.Issuer+"/token", id, kcSecret); st < 400 {
			t.Errorf("unencoded Basic credentials of %q: HTTP %d, want a refusal", id, st)
		}
	}

	// A wrong secret: invalid_client, exit 4.
	bad := newCLI(t, "ITCARE_AUTH_URL="+op.Issuer)
	r := bad.runIn(kcSecret+"x\n", "login", "--client-id", kcClient, "--client-secret-stdin")
	wantCode(t, r, 4, "login with a wrong secret")
	if !strings.Contains(r.stderr, "invalid client credentials") {
		t.Errorf("stderr does not say the credentials were refused:\n%s", r.stderr)
	}
	gs = grants(t, op.Origin)
	if g := gs[len(gs)-1]; g.Status != 401 || g.Error != "invalid_client" {
		t.Fatalf("token request %+v: want 401 invalid_client", g)
	}
}
