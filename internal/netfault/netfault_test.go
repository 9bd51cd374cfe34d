package netfault

import (
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Fault
	}{
		{"GET /itcare/compute/instances=503x2", Fault{Match: "GET /itcare/compute/instances", Kind: Status, Status: 503, Count: 2}},
		{"GET /itcare/compute/instances=429:1x1", Fault{Match: "GET /itcare/compute/instances", Kind: Status, Status: 429, RetryAfter: "1", Count: 1}},
		{"429:1500ms", Fault{Kind: Status, Status: 429, RetryAfter: "2"}},
		{"PATCH /itcare/compute/instances/*=drop-after", Fault{Match: "PATCH /itcare/compute/instances/*", Kind: DropAfter}},
		{"PATCH=drop", Fault{Match: "PATCH", Kind: Drop}},
		{"htmlx3", Fault{Kind: HTML, Count: 3}},
		{"html:200", Fault{Kind: HTML, Status: 200}},
		{"truncate", Fault{Kind: Truncate}},
		{"cutx1", Fault{Kind: Cut, Count: 1}},
		{"huge:1000000", Fault{Kind: Huge, Size: 1000000}},
		{"hang:30s", Fault{Kind: Hang, Latency: 30 * time.Second}},
		{" latency:200ms ", Fault{Kind: Latency, Latency: 200 * time.Millisecond}},
		{"/itcare/actions/*=revoke", Fault{Match: "/itcare/actions/*", Kind: Revoke}},
		{"revoke-allx1", Fault{Kind: RevokeAll, Count: 1}},
	} {
		got, err := Parse(tc.spec)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.spec, got, err, tc.want)
		}
	}
	for _, spec := range []string{"", "boom", "503x0", "42", "latency", "latency:soon", "drop:1",
		"GET /a /b=503", "GET a=503", "GET /[=503", "html:abc", "huge:-1", "429:soon"} {
		if f, err := Parse(spec); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", spec, f)
		} else if !strings.Contains(err.Error(), "invalid fault") {
			t.Errorf("Parse(%q): unclear error %v", spec, err)
		}
	}
	var in Injector
	for _, f := range []Fault{{Kind: "nope"}, {Kind: Drop, Count: -1}, {Kind: Status, Status: 7}} {
		if in.Add(f) == nil || in.Set(f) == nil {
			t.Errorf("fault %+v accepted", f)
		}
	}
}
