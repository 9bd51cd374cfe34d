package traffic

import "testing"

func TestLimitIsPerClientAndCountsAreKept(t *testing.T) {
	var m Meter
	m.SetLimit(2)
	var refused []int
	for _, client := range []string{"a", "a", "a", "b"} {
		refused = append(refused, m.Begin(Request{Client: client, Change: true, Resource: "/x/1"}))
		m.End()
	}
	if refused[0] != 0 || refused[1] != 0 || refused[2] < 1 || refused[3] != 0 {
		t.Fatalf("Retry-After per request %v: want the third of client a refused only", refused)
	}
	m.Begin(Request{Client: "a", Action: 7}) // refused too: a is still over its rate
	m.CountToken()
	st := m.Stats(func(id int64) string {
		if id == 7 {
			return "/x/1"
		}
		return ""
	})
	if st.Requests != 5 || st.RateLimited != 2 || st.Changes != 4 || st.InFlight != 1 || st.TokenRequests != 1 ||
		st.PerResource["/x/1"] != 5 || st.ChangesPer["/x/1"] != 4 {
		t.Fatalf("stats %+v", st)
	}
	m.Reset()
	if st := m.Stats(func(int64) string { return "" }); st.Requests != 0 || st.MaxInFlight != 1 || len(st.PerResource) != 0 {
		t.Fatalf("after reset %+v", st)
	}
}
