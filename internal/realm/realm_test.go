package realm

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTokensExpireAndNameTheirClient(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rm := New(map[string]string{"c": "s3cret-value"}, time.Minute, 0, func() time.Time { return now })
	req := httptest.NewRequest(http.MethodPost, "/protocol/openid-connect/token", nil)
	req.SetBasicAuth("c", "s3cret-value")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ans := rm.Serve(req, []byte("grant_type=client_credentials"), "http://x/auth/realms/cloud", "/protocol/openid-connect/token")
	body, _ := ans.Body.(map[string]any)
	if ans.Status != 200 || body["refresh_expires_in"] != int64(7200) || ans.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token answer %d %v %v", ans.Status, body, ans.Header)
	}
	api := httptest.NewRequest(http.MethodGet, "/itcare/compute/instances", nil)
	api.Header.Set("Authorization", "Bearer "+body["access_token"].(string))
	if client, ok := rm.Bearer(api); client != "c" || !ok {
		t.Fatalf("Bearer = %q, %v", client, ok)
	}
	rm.Expire(false, true) // refresh tokens only: the access token stays good
	if _, ok := rm.Bearer(api); !ok {
		t.Fatal("expiring refresh tokens expired the access token")
	}
	now = now.Add(time.Minute)
	if client, ok := rm.Bearer(api); client != "c" || ok {
		t.Fatalf("expired: Bearer = %q, %v", client, ok)
	}
	rm.Expire(true, false)
	if client, _ := rm.Bearer(api); client != "" {
		t.Fatalf("revoked: Bearer = %q", client)
	}
	req.SetBasicAuth("c", "wrong")
	ans = rm.Serve(req, []byte("grant_type=client_credentials"), "", "/protocol/openid-connect/token")
	if ans.Status != 401 || !strings.Contains(ans.Header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("wrong secret: %d %v", ans.Status, ans.Header)
	}
}
