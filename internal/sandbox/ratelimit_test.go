package sandbox

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestRateLimitAnswers429WithRetryAfterPerClient(t *testing.T) {
	e := newEnv(t, Options{Instances: 5, RateLimit: 2})
	var codes []int
	for i := 0; i < 5; i++ {
		code, h, _ := e.call(http.MethodGet, "/itcare/compute/instances", "")
		codes = append(codes, code)
		if code == http.StatusTooManyRequests && h.Get("Retry-After") != "1" {
			t.Fatalf("429 with Retry-After %q, want 1", h.Get("Retry-After"))
		}
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests || codes[4] != http.StatusTooManyRequests {
		t.Fatalf("codes %v, want 200 200 then 429s (a burst of 2)", codes)
	}
	// Token requests are not limited.
	e.clientCredentials(defaultClient, defaultSecret)
	st := e.s.Stats()
	if st.Requests != 5 || st.RateLimited != 3 || st.TokenRequests != 2 || st.InFlight != 0 || st.MaxInFlight < 1 {
		t.Fatalf("stats %+v", st)
	}
	// Without a limit, everything is served.
	e.s.SetRateLimit(0)
	if code, _, _ := e.call(http.MethodGet, "/itcare/compute/instances", ""); code != 200 {
		t.Fatalf("no limit: %d", code)
	}
}

func TestStatsCountRequestsPerResourceWithTheirActions(t *testing.T) {
	e := newEnv(t, Options{Instances: 5, ActionDuration: -1})
	code, _, b := e.call(http.MethodPatch, "/itcare/compute/instances/10001", `{"operation":"stop"}`)
	if code != http.StatusAccepted {
		t.Fatalf("stop: %d %s", code, b)
	}
	var acc struct{ ID int64 }
	_ = json.Unmarshal(b, &acc)
	e.call(http.MethodGet, "/itcare/actions/"+jsonInt(acc.ID).String(), "")
	e.call(http.MethodGet, "/itcare/compute/instances/10001", "")
	e.call(http.MethodGet, "/itcare/compute/instances", "")
	code, _, b = e.call(http.MethodGet, "/sandbox/stats", "", "Authorization", "-")
	var st Stats
	if err := json.Unmarshal(b, &st); code != 200 || err != nil {
		t.Fatalf("GET /sandbox/stats: %d %v %s", code, err, b)
	}
	if st.Requests != 4 || st.Changes != 1 || st.PerResource["/compute/instances/10001"] != 3 || st.ChangesPer["/compute/instances/10001"] != 1 {
		t.Fatalf("stats %s", b)
	}
	if code, _, _ := e.call(http.MethodDelete, "/sandbox/stats", "", "Authorization", "-"); code != http.StatusNoContent {
		t.Fatalf("DELETE /sandbox/stats: %d", code)
	}
	if st := e.s.Stats(); st.Requests != 0 || len(st.PerResource) != 0 {
		t.Fatalf("after reset: %+v", st)
	}
}
