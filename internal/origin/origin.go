// Package origin is the one place that decides whether two URLs point at the
// same server: same scheme, host and port, with case, a trailing dot on the
// host and default ports normalised. The token goes only to the API's origin.
package origin

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Key returns "scheme://host:port" for an http(s) URL, normalised; a path is
// ignored.
func Key(u *url.URL) (string, error) {
	scheme := strings.ToLower(u.Scheme)
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" || (scheme != "http" && scheme != "https") {
		return "", fmt.Errorf("not an http(s) URL: %q", u.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(host, port), nil
}

// Parse is Key of a URL given as text.
func Parse(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", err
	}
	return Key(u)
}

// Same reports whether a and b are http(s) URLs of the same origin.
func Same(a, b *url.URL) bool {
	ka, err := Key(a)
	if err != nil {
		return false
	}
	kb, err := Key(b)
	return err == nil && ka == kb
}
