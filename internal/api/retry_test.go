package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// step is one scripted answer of scriptRT: a status (with headers and body),
// or an error.
type step struct {
	status int
	header http.Header
	body   io.Reader
	err    error
}

// scriptRT answers requests from a script and records what it was sent.
type scriptRT struct {
	mu     sync.Mutex
	steps  []step
	calls  int
	bodies []string
}

func (s *scriptRT) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b []byte
	if req.Body != nil {
		b, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	s.bodies = append(s.bodies, string(b))
	st := s.steps[min(s.calls, len(s.steps)-1)]
	s.calls++
	if st.err != nil {
		return nil, st.err
	}
	body := st.body
	if body == nil {
		body = strings.NewReader(fmt.Sprintf(`{"call":%d}`, s.calls))
	}
	h := st.header
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: st.status, Status: fmt.Sprintf("%d %s", st.status, http.StatusText(st.status)),
		Header: h, Body: io.NopCloser(body), Request: req}, nil
}

// sleeps records the waits of a RetryTransport instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newRetry(rt http.RoundTripper) (*RetryTransport, *sleeps, *[]string) {
	sl := &sleeps{}
	var logs []string
	t := &RetryTransport{Base: rt, sleep: sl.sleep, Debugf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	return t, sl, &logs
}

func do(t *testing.T, rt http.RoundTripper, ctx context.Context, method, body string) (*http.Response, string, error) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, "https://api.example/itcare/compute/instances", rd)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rt.RoundTrip(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, string(b), err
}

var (
	errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	errReset   = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
)

func TestRetrySafeMethodsOnStatusesAndConnectionErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"503 503 200", []step{{status: 503}, {status: 503}, {status: 200}}},
		{"429 502 200", []step{{status: 429}, {status: 502}, {status: 200}}},
		{"504 200", []step{{status: 504}, {status: 200}}},
		{"refused 200", []step{{err: errRefused}, {status: 200}}},
		{"reset EOF 200", []step{{err: errReset}, {err: io.EOF}, {status: 200}}},
	} {
		for _, method := range []string{"GET", "HEAD", "OPTIONS"} {
			s := &scriptRT{steps: tc.steps}
			rt, sl, logs := newRetry(s)
			res, _, err := do(t, rt, context.Background(), method, "")
			if err != nil || res.StatusCode != 200 || s.calls != len(tc.steps) {
				t.Errorf("%s %s: %v, %d calls", method, tc.name, err, s.calls)
				continue
			}
			if len(sl.d) != len(tc.steps)-1 || len(*logs) != len(tc.steps)-1 {
				t.Errorf("%s %s: sleeps %v, logs %q", method, tc.name, sl.d, *logs)
			}
			for i, d := range sl.d {
				if lo, hi := DefaultBaseDelay<<i/2, DefaultBaseDelay<<i; d < lo || d > hi {
					t.Errorf("%s %s: wait %d = %s, want in [%s, %s]", method, tc.name, i, d, lo, hi)
				}
			}
		}
	}
}

func TestRetryGivesUpAfterMaxAttempts(t *testing.T) {
	s := &scriptRT{steps: []step{{status: 503}}}
	rt, sl, logs := newRetry(s)
	res, body, err := do(t, rt, context.Background(), "GET", "")
	if err != nil || res.StatusCode != 503 || s.calls != DefaultMaxAttempts || len(sl.d) != DefaultMaxAttempts-1 {
		t.Fatalf("%v %v, %d calls", err, res, s.calls)
	}
	if body != fmt.Sprintf(`{"call":%d}`, DefaultMaxAttempts) {
		t.Fatalf("the last answer is not the one returned: %s", body)
	}
	if !strings.Contains((*logs)[0], "retry 1/3") || !strings.Contains((*logs)[2], "retry 3/3") {
		t.Fatalf("debug: %q", *logs)
	}
	s = &scriptRT{steps: []step{{err: errReset}}}
	rt, _, _ = newRetry(s)
	rt.MaxAttempts = 2
	if _, _, err := do(t, rt, context.Background(), "GET", ""); !errors.Is(err, syscall.ECONNRESET) || s.calls != 2 {
		t.Fatalf("%v, %d calls", err, s.calls)
	}
}

func TestRetryNeverReplaysChanges(t *testing.T) {
	for _, method := range []string{"POST", "PATCH", "PUT", "DELETE"} {
		for _, st := range []step{{status: 503}, {status: 429}, {status: 502}, {status: 504}, {err: io.EOF},
			{err: io.ErrUnexpectedEOF}, {err: errReset}, {err: context.DeadlineExceeded}} {
			s := &scriptRT{steps: []step{st, {status: 202}}}
			rt, sl, _ := newRetry(s)
			res, _, err := do(t, rt, context.Background(), method, `{"operation":"stop"}`)
			if s.calls != 1 || len(sl.d) != 0 {
				t.Errorf("%s after %v: %d calls", method, st, s.calls)
			}
			if (st.err == nil) != (err == nil) || (res != nil && res.StatusCode != st.status) {
				t.Errorf("%s after %v: %v %v", method, st, res, err)
			}
		}
	}
}

func TestRetryReplaysChangesOnlyWhenRefused(t *testing.T) {
	s := &scriptRT{steps: []step{{err: errRefused}, {err: errRefused}, {status: 202}}}
	rt, _, _ := newRetry(s)
	res, _, err := do(t, rt, context.Background(), "PATCH", `{"operation":"stop"}`)
	if err != nil || res.StatusCode != 202 || s.calls != 3 {
		t.Fatalf("%v %v, %d calls", err, res, s.calls)
	}
	for i, b := range s.bodies {
		if b != `{"operation":"stop"}` {
			t.Fatalf("attempt %d sent body %q", i+1, b)
		}
	}
	// A body that cannot be read again is not replayed.
	s = &scriptRT{steps: []step{{err: errRefused}, {status: 202}}}
	rt, _, _ = newRetry(s)
	req, _ := http.NewRequest("PATCH", "https://api.example/x", io.NopCloser(strings.NewReader("{}")))
	if _, err := rt.RoundTrip(req); err == nil || s.calls != 1 {
		t.Fatalf("non-replayable body: %v, %d calls", err, s.calls)
	}
}

func TestRetryAfterIsHonouredWithinTheDeadline(t *testing.T) {
	h := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	s := &scriptRT{steps: []step{{status: 429, header: h("2")}, {status: 503, header: h("0")}, {status: 200}}}
	rt, sl, _ := newRetry(s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if res, _, err := do(t, rt, ctx, "GET", ""); err != nil || res.StatusCode != 200 {
		t.Fatal(err)
	}
	if len(sl.d) != 2 || sl.d[0] != 2*time.Second || sl.d[1] != 0 {
		t.Fatalf("waits %v, want [2s 0s]", sl.d)
	}
	// A Retry-After beyond the deadline: the answer is returned at once.
	s = &scriptRT{steps: []step{{status: 429, header: h("120")}, {status: 200}}}
	rt, sl, logs := newRetry(s)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if res, _, err := do(t, rt, ctx, "GET", ""); err != nil || res.StatusCode != 429 || s.calls != 1 || len(sl.d) != 0 {
		t.Fatalf("%v %v %d calls, waits %v", err, res, s.calls, sl.d)
	}
	if !strings.Contains(strings.Join(*logs, "\n"), "passes the deadline") {
		t.Fatalf("debug: %q", *logs)
	}
}

func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	s := &scriptRT{steps: []step{{status: 503}}}
	rt := &RetryTransport{Base: s, BaseDelay: time.Hour, MaxDelay: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, _, err := do(t, rt, ctx, "GET", "")
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second || s.calls != 1 {
		t.Fatalf("%v after %s, %d calls", err, time.Since(start), s.calls)
	}
	// A request whose context is already over is not retried.
	s = &scriptRT{steps: []step{{err: context.Canceled}, {status: 200}}}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	rt, _, _ = newRetry(s)
	if _, _, err := do(t, rt, ctx, "GET", ""); err == nil || s.calls != 1 {
		t.Fatalf("%v, %d calls", err, s.calls)
	}
}

// brokenBody yields some bytes, then fails like a connection cut mid-answer.
type brokenBody struct {
	data []byte
	err  error
}

func (b *brokenBody) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		return 0, b.err
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

func TestRetryGETWhoseBodyIsCut(t *testing.T) {
	s := &scriptRT{steps: []step{
		{status: 200, body: &brokenBody{data: []byte(`{"content":[{"id":1`), err: io.ErrUnexpectedEOF}},
		{status: 200, body: &brokenBody{data: []byte(`{"cont`), err: errReset}},
		{status: 200},
	}}
	rt, sl, logs := newRetry(s)
	res, body, err := do(t, rt, context.Background(), "GET", "")
	if err != nil || res.StatusCode != 200 || body != `{"call":3}` || s.calls != 3 || len(sl.d) != 2 {
		t.Fatalf("%v %v %q, %d calls", err, res, body, s.calls)
	}
	if !strings.Contains((*logs)[0], "reading the answer") {
		t.Fatalf("debug: %q", *logs)
	}
	// The last attempt's body is passed on as it is: its error is the caller's.
	s = &scriptRT{steps: []step{{status: 200, body: &brokenBody{data: []byte(`{`), err: io.ErrUnexpectedEOF}}}}
	rt, _, _ = newRetry(s)
	if _, _, err := do(t, rt, context.Background(), "GET", ""); !errors.Is(err, io.ErrUnexpectedEOF) || s.calls != DefaultMaxAttempts {
		t.Fatalf("%v, %d calls", err, s.calls)
	}
	// A change's body is never read here: its answer is not replayed.
	s = &scriptRT{steps: []step{{status: 202, body: &brokenBody{data: []byte(`{`), err: io.ErrUnexpectedEOF}}, {status: 202}}}
	rt, _, _ = newRetry(s)
	if _, _, err := do(t, rt, context.Background(), "PATCH", "{}"); !errors.Is(err, io.ErrUnexpectedEOF) || s.calls != 1 {
		t.Fatalf("PATCH: %v, %d calls", err, s.calls)
	}
	// A large answer is streamed, not held: the part beyond the buffer reaches the caller intact.
	big := strings.Repeat("x", retryBufferLimit+10)
	s = &scriptRT{steps: []step{{status: 200, body: strings.NewReader(big)}}}
	rt, _, _ = newRetry(s)
	if _, body, err := do(t, rt, context.Background(), "GET", ""); err != nil || body != big {
		t.Fatalf("large body: %v, %d bytes", err, len(body))
	}
}

func TestBackoffBounds(t *testing.T) {
	rt := &RetryTransport{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt := 1; attempt <= 40; attempt++ {
		d := min(100*time.Millisecond<<min(attempt-1, 20), time.Second)
		for range 20 {
			if got := rt.backoff(attempt); got < d/2 || got > d {
				t.Fatalf("backoff(%d) = %s, want in [%s, %s]", attempt, got, d/2, d)
			}
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	for v, want := range map[string]time.Duration{"0": 0, "1": time.Second, "120": 2 * time.Minute,
		time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat): 0} {
		if got, ok := retryAfter(v); !ok || got != want {
			t.Errorf("retryAfter(%q) = %s, %t; want %s", v, got, ok, want)
		}
	}
	if got, ok := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); !ok || got < 59*time.Minute {
		t.Errorf("date in an hour: %s %t", got, ok)
	}
	for _, v := range []string{"", "-1", "soon", "1.5"} {
		if _, ok := retryAfter(v); ok {
			t.Errorf("retryAfter(%q) accepted", v)
		}
	}
}
