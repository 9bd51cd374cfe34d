package auth

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/itcare-cli/itcare/internal/origin"
)

// Transport adds "Authorization: Bearer <token>" from Manager to the
// requests whose scheme and host (port included, default ports normalised)
// are APIHost's, and to no other: it is checked for every request, and
// http.Client calls RoundTrip once per redirect hop, so a redirect to another
// host never carries the token. Requests to other hosts lose any
// Authorization header they carry.
//
// On a 401 from the API host it invalidates the token, gets a new one and
// retries the request once, if its body can be replayed (no body, or
// GetBody set).
//
// A plain http APIHost is refused unless it is a loopback address.
type Transport struct {
	Base    http.RoundTripper // nil = http.DefaultTransport
	Manager *Manager
	APIHost string // "https://api.example" or "https://api.example:443"; a path is ignored
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	api, err := origin.Parse(t.APIHost)
	if err != nil || t.APIHost == "" {
		closeBody(req)
		return nil, fmt.Errorf("auth.Transport: invalid API host %q", t.APIHost)
	}
	target, _ := origin.Key(req.URL)
	if target != api {
		if req.Header.Get("Authorization") == "" {
			return base.RoundTrip(req)
		}
		r := req.Clone(req.Context())
		r.Header.Del("Authorization")
		return base.RoundTrip(r)
	}
	if strings.EqualFold(req.URL.Scheme, "http") && !isLoopbackHost(req.URL.Hostname()) {
		closeBody(req)
		return nil, &Error{Msg: fmt.Sprintf("refusing to send the access token over plain http to %s: use https (plain http is only allowed to localhost)", t.APIHost)}
	}
	if t.Manager == nil {
		closeBody(req)
		return nil, errors.New("auth.Transport: no Manager")
	}

	ctx := req.Context()
	tok, err := t.Manager.Token(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	r := withToken(req, tok.AccessToken)
	resp, err := base.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}

	// The token was refused (revoked, server restarted, clock skew...):
	// drop it, get another one and try once more.
	t.Manager.invalidate(ctx, tok.AccessToken)
	if !replayable {
		t.Manager.debugf("API answered 401 to %s %s; the request body cannot be replayed: not retrying", req.Method, req.URL.Redacted())
		return resp, nil
	}
	t.Manager.debugf("API answered 401 to %s %s: getting a new token and retrying once", req.Method, req.URL.Redacted())
	tok2, err := t.Manager.Token(ctx)
	if err != nil {
		// Keep the API's 401: the caller reports it.
		t.Manager.debugf("could not get a new token: %v", err)
		return resp, nil
	}
	r2 := withToken(req, tok2.AccessToken)
	if req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return resp, nil
		}
		r2.Body = body
	}
	drain(resp)
	return base.RoundTrip(r2)
}

// withToken returns a copy of req carrying the bearer token.
func withToken(req *http.Request, token string) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// drain lets the connection of a discarded response be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}
