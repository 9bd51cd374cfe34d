package redact

import (
	"net/url"
	"testing"
)

func TestQueryMasksSecretParameters(t *testing.T) {
	for raw, want := range map[string]string{
		"":                             "",
		"size=5&sort=name":             "size=5&sort=name",
		"access_token=abc&size=5":      "access_token=REDACTED&size=5",
		"code=xyz&state=1":             "code=REDACTED&state=1",
		"client_secret=s&x=1":          "client_secret=REDACTED&x=1",
		"client_assertion=jwt":         "client_assertion=REDACTED",
		"Password=p":                   "Password=REDACTED",
		"productCode=deb12":            "productCode=deb12",
		"bad=%zz&refresh_token=secret": "REDACTED",
	} {
		if got := Query(&url.URL{RawQuery: raw}); got != want {
			t.Errorf("Query(%q) = %q, want %q", raw, got, want)
		}
	}
}
