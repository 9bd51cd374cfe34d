package auth

import (
	"strings"
	"testing"
)

func TestLocalhostWithATrailingDotIsNotLoopback(t *testing.T) {
	for _, raw := range []string{"http://localhost.:8080/auth/realms/cloud", "http://LOCALHOST.:80/x", "http://localhost.localdomain/x"} {
		if _, err := checkSecureURL("auth URL", raw); err == nil || !strings.Contains(err.Error(), "plain http") {
			t.Errorf("%s: err = %v, want a refusal of plain http", raw, err)
		}
	}
	for _, raw := range []string{"http://localhost:8080/x", "http://127.0.0.1/x", "http://[::1]:9/x"} {
		if _, err := checkSecureURL("auth URL", raw); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
}
