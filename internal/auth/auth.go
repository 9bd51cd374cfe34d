// Package auth obtains, caches and attaches the OAuth2 access tokens the
// ITCare API needs.
//
// ITCare authenticates API accounts against a Keycloak realm with the
// client_credentials grant (client secret sent with HTTP Basic). Tokens are
// cached per profile on disk so that successive invocations of the CLI reuse
// them without talking to the auth server, and refreshed (refresh_token
// grant, else a new client_credentials grant) shortly before they expire.
package auth

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/itcare-cli/itcare/internal/config"
)

// Environment variables holding an API account's credentials.
const (
	EnvClientID     = "ITCARE_CLIENT_ID"
	EnvClientSecret = "ITCARE_CLIENT_SECRET"
)

// redacted replaces a secret in every printed form of Credentials.
const redacted = "[redacted]"

// notLoggedInMsg is the message of the error returned when no credentials
// are available at all for profile.
func notLoggedInMsg(profile string) string {
	what, login := "not logged in", "itcare login"
	if profile != "" {
		what = fmt.Sprintf("profile %q has no login", profile)
	}
	if profile != "" && profile != "default" {
		login += " -p " + profile
	}
	return fmt.Sprintf("%s: run `%s`, or set %s and %s", what, login, EnvClientID, EnvClientSecret)
}

// Credentials of an API account. Source says where the secret came from:
// "env" (ITCARE_CLIENT_SECRET), "keyring" or "file" (saved by login; Path is
// the profile's credentials file, Location says where the secret is), or
// "prompt"/"flag" (given to login). APIURL and AuthURL are the URLs a saved
// login belongs to (empty for logins saved by earlier versions).
//
// Every printed form (String, GoString, any fmt verb) and the JSON encoding
// show the secret as "[redacted]".
type Credentials struct {
	ClientID, ClientSecret, Source, Path string
	APIURL, AuthURL, Location            string
}

// String implements fmt.Stringer without revealing the secret.
func (c Credentials) String() string {
	return fmt.Sprintf("{ClientID:%s ClientSecret:%s Source:%s Path:%s}", c.ClientID, c.secretMark(), c.Source, c.Path)
}

// GoString implements fmt.GoStringer without revealing the secret.
func (c Credentials) GoString() string {
	return fmt.Sprintf("auth.Credentials{ClientID:%q, ClientSecret:%q, Source:%q, Path:%q}", c.ClientID, c.secretMark(), c.Source, c.Path)
}

// Format implements fmt.Formatter so that no verb (%d, %x, %+v...) can print
// the secret.
func (c Credentials) Format(f fmt.State, verb rune) { formatSafely(f, verb, "auth.Credentials", c) }

// safeStringer is a value whose String and GoString leave its secrets out.
type safeStringer interface {
	String() string
	GoString() string
}

// formatSafely formats v for every fmt verb through its String (GoString
// for %#v), so that no verb (%d, %x, %+v...) can print a secret it holds;
// typ names it in the error form of the verbs that do not apply.
func formatSafely(f fmt.State, verb rune, typ string, v safeStringer) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = fmt.Fprint(f, v.GoString())
	case verb == 'v' || verb == 's':
		_, _ = fmt.Fprint(f, v.String())
	case verb == 'q':
		_, _ = fmt.Fprint(f, strconv.Quote(v.String()))
	default:
		_, _ = fmt.Fprintf(f, "%%!%c(%s=%s)", verb, typ, v.String())
	}
}

// MarshalJSON encodes the credentials with the secret redacted, so that they
// cannot leak through a JSON output either. (The credentials file uses its
// own encoding.)
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Source       string `json:"source,omitempty"`
		Path         string `json:"path,omitempty"`
	}{c.ClientID, c.secretMark(), c.Source, c.Path})
}

func (c Credentials) secretMark() string {
	if c.ClientSecret == "" {
		return ""
	}
	return redacted
}

// Error is an authentication failure: no credentials, credentials refused by
// the auth server, auth server unreachable or misconfigured, or an insecure
// URL. Msg is complete and safe to show: it never contains a secret or a
// token. Err is the underlying cause, if any.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string {
	if e.Msg == "" && e.Err != nil {
		return "authentication failed: " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// isLoopbackHost reports whether host (no port) is localhost or a loopback IP
// (127.0.0.0/8, ::1).
func isLoopbackHost(host string) bool {
	// "localhost." (a fully qualified name) is not special-cased by
	// resolvers the way "localhost" is: it may be answered through DNS, so
	// it is not taken as loopback.
	host = strings.ToLower(host)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// config set checks auth-url values with the rules the auth server URL is
// held to here.
func init() { config.SetCheck(config.KeyAuthURL, CheckAuthURL) }

// CheckAuthURL returns an error if raw cannot be used as the auth server
// (realm) URL: not an absolute URL, user info in it, or plain http to
// another host than this one.
func CheckAuthURL(raw string) error {
	_, err := checkSecureURL("auth URL", strings.TrimSpace(raw))
	return err
}

// checkSecureURL parses an auth server URL and refuses anything but https,
// or http to a loopback address. what names the URL in messages.
func checkSecureURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, &Error{Msg: fmt.Sprintf("invalid %s %q: want an absolute https:// URL", what, safeURL(raw))}
	}
	if u.User != nil {
		return nil, &Error{Msg: fmt.Sprintf("invalid %s %s: it must not contain a user name or password", what, u.Redacted())}
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return nil, &Error{Msg: fmt.Sprintf("refusing to send credentials over plain http to %s (%s): use https (plain http is only allowed to localhost)", what, u.Redacted())}
	}
	return u, nil
}

// safeURL returns raw without any user info, for messages.
func safeURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(raw, "@"); i >= 0 {
		return "…" + raw[i+1:]
	}
	return raw
}
