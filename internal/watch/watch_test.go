package watch

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

type recSink struct {
	updates []Update
	errs    []error
}

func (r *recSink) Update(u Update) error { r.updates = append(r.updates, u); return nil }
func (r *recSink) Error(err error, at, next time.Time) {
	r.errs = append(r.errs, err)
}

func items(t *testing.T, s string) []Item {
	t.Helper()
	it, err := Items([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func TestRunDiffsPollsByID(t *testing.T) {
	polls := []string{
		`[{"id":1,"status":"ACTIVE"},{"id":2,"status":"ACTIVE"}]`,
		`[{"status":"ACTIVE","id":1},{"id":2,"status":"STOPPING"},{"id":3,"status":"ACTIVE"}]`,
		`[{"id":2,"status":"STOPPING"},{"id":3,"status":"ACTIVE"}]`,
	}
	n := 0
	fetch := func(ctx context.Context) ([]Item, error) {
		s := polls[n]
		n++
		return items(t, s), nil
	}
	var slept []time.Duration
	clock := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	sink := &recSink{}
	err := Run(context.Background(), fetch, Options{
		Interval: 2 * time.Second,
		Now:      func() time.Time { return clock },
		Sleep: func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			clock = clock.Add(d)
			return nil
		},
		Stop: func(p int) bool { return p == len(polls) },
	}, sink)
	if err != nil {
		t.Fatal(err)
	}
	kinds := func(u Update) string {
		var s []string
		for _, e := range u.Events {
			s = append(s, e.Kind+":"+e.Item.Key)
		}
		return strings.Join(s, " ")
	}
	want := []string{"added:1 added:2", "changed:2 added:3", "removed:1"}
	for i, u := range sink.updates {
		if got := kinds(u); got != want[i] {
			t.Errorf("poll %d: events %q, want %q", i, got, want[i])
		}
	}
	if !sink.updates[0].First || sink.updates[1].First {
		t.Error("First is wrong")
	}
	if sink.updates[1].Marks["2"] != Changed || sink.updates[1].Marks["1"] != "" {
		t.Errorf("marks %v", sink.updates[1].Marks)
	}
	if len(slept) != 2 || slept[0] != 2*time.Second {
		t.Errorf("slept %v", slept)
	}
	b, _ := json.Marshal(sink.updates[2].Events[0])
	if string(b) != `{"event":"removed","at":"2026-01-01T10:00:04Z","item":{"status":"ACTIVE","id":1}}` {
		t.Errorf("event JSON %s", b)
	}
}

func TestRunRetriesAndEnds(t *testing.T) {
	errTemp, errFatal := errors.New("503"), errors.New("401")
	results := []error{errTemp, nil, errFatal}
	n := 0
	fetch := func(ctx context.Context) ([]Item, error) {
		err := results[n]
		n++
		if err != nil {
			return nil, err
		}
		return items(t, `[{"id":1}]`), nil
	}
	sink := &recSink{}
	err := Run(context.Background(), fetch, Options{
		Retry: func(err error) bool { return err == errTemp },
		Sleep: func(ctx context.Context, d time.Duration) error { return nil },
	}, sink)
	if err != errFatal {
		t.Fatalf("Run returned %v, want the fatal error", err)
	}
	if len(sink.errs) != 1 || len(sink.updates) != 1 {
		t.Fatalf("errs %v updates %d", sink.errs, len(sink.updates))
	}
}

func TestRunEndsCleanlyOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	fetch := func(ctx context.Context) ([]Item, error) {
		cancel()
		return nil, ctx.Err()
	}
	if err := Run(ctx, fetch, Options{}, &recSink{}); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
}

func TestRequestsNeverOverlap(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	running, polls := 0, 0
	fetch := func(ctx context.Context) ([]Item, error) {
		running++
		if running > 1 {
			t.Error("two polls at once")
		}
		time.Sleep(30 * time.Millisecond) // slower than the interval
		running--
		polls++
		if polls == 3 {
			cancel()
		}
		return nil, nil
	}
	start := time.Now()
	if err := Run(ctx, fetch, Options{Interval: 10 * time.Millisecond}, &recSink{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Fatalf("3 polls of 30ms took %s", d)
	}
}

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 5 * time.Second, "10s": 10 * time.Second, "2": 2 * time.Second, "1m": time.Minute, "1.5": 1500 * time.Millisecond} {
		if got, err := ParseInterval(in); err != nil || got != want {
			t.Errorf("ParseInterval(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"500ms", "0", "-1s", "fast", "5x", "1e12", "NaN", "48h"} {
		if _, err := ParseInterval(in); err == nil {
			t.Errorf("ParseInterval(%q) accepted", in)
		}
	}
}

func TestKeyOf(t *testing.T) {
	for raw, want := range map[string]string{`{"id":42}`: "42", `{"id":"a-1"}`: "a-1", `{"name":"x"}`: "name:x", `{}`: "#3", `3`: "#3"} {
		if got := KeyOf(json.RawMessage(raw), 3); got != want {
			t.Errorf("KeyOf(%s) = %q, want %q", raw, got, want)
		}
	}
}
