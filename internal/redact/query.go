package redact

import (
	"net/url"
	"strings"
)

// QueryMask replaces the value of a sensitive query parameter in logs.
const QueryMask = "REDACTED"

// Query is u's query string fit for a log line: the values of parameters
// whose name says they carry a secret (token, secret, password, assertion,
// or an authorization code) are replaced by QueryMask; an unparsable query
// is replaced as a whole.
func Query(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return QueryMask
	}
	sensitive := false
	for k := range q {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "token") || strings.Contains(lk, "secret") || strings.Contains(lk, "password") ||
			lk == "code" || strings.Contains(lk, "assertion") {
			q[k] = []string{QueryMask}
			sensitive = true
		}
	}
	if !sensitive {
		return u.RawQuery
	}
	return q.Encode()
}
