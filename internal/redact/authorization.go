package redact

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Authorization is how the sandbox records an Authorization value: the
// credential is replaced by "<redacted:" and the first 12 hex digits of its
// SHA-256 ">", so tests can tell tokens apart without the sandbox keeping
// them. Basic credentials keep their client id (base64 of
// "client:<redacted:...>"); other schemes keep their name.
func Authorization(v string) string {
	if v == "" {
		return ""
	}
	fingerprint := func(secret string) string {
		sum := sha256.Sum256([]byte(secret))
		return "<redacted:" + hex.EncodeToString(sum[:6]) + ">"
	}
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok {
		return fingerprint(v)
	}
	if strings.EqualFold(scheme, "Basic") {
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if user, pass, ok := strings.Cut(string(raw), ":"); ok {
				return scheme + " " + base64.StdEncoding.EncodeToString([]byte(user+":"+fingerprint(pass)))
			}
		}
	}
	return scheme + " " + fingerprint(cred)
}
