package cmd

import (
	"net/http"
	"strings"
)

// stripAuth forwards requests without their Authorization header, so the
// sandbox answers 401 to every API call.
type stripAuth struct{}

func (stripAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if strings.Contains(r.URL.Path, "/itcare/") {
		r.Header.Del("Authorization")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// dropResponseHeader forwards requests and removes a header from answers, as
// a server that ignores ITCare-DryRun would.
type dropResponseHeader struct{ name string }

func (d dropResponseHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		res.Header.Del(d.name)
	}
	return res, err
}

// renamePath sends requests for one path to another, e.g. to make /health
// answer 404 as an older API would.
type renamePath struct{ from, to string }

func (p renamePath) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == p.from {
		r = r.Clone(r.Context())
		r.URL.Path = p.to
	}
	return http.DefaultTransport.RoundTrip(r)
}
