// Package netfault injects network faults into an HTTP server: chosen
// requests are made slow, fail, hang, lose their answer or get a malformed
// one, so that clients can be tested against a flaky network over real
// HTTP. The sandbox arms it (`itcare sandbox --fault`); it knows nothing of
// ITCare and wraps any handler. Standard library only.
package netfault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is what a Fault does to a request.
type Kind string

// Fault kinds. "Handler" is the server's normal processing of the request:
// for a change (PATCH, DELETE, POST) it is what applies the change.
const (
	// Latency delays the request by Latency, then serves it normally.
	// Latency faults add up and combine with one other fault.
	Latency Kind = "latency"
	// Status answers Status (default 503) with an empty body and
	// Retry-After when set; the handler does not run.
	Status Kind = "status"
	// HTML answers Status (default 502) with an HTML page, as a proxy
	// in front of the API would; the handler does not run.
	HTML Kind = "html"
	// Truncate runs the handler and sends the first half of its body,
	// with a matching Content-Length: valid HTTP, invalid JSON.
	Truncate Kind = "truncate"
	// Cut runs the handler, announces the full Content-Length, sends
	// half of the body and closes the connection.
	Cut Kind = "cut"
	// Huge answers 200 with a JSON body of Size bytes (default 300 MiB)
	// streamed without Content-Length; the handler does not run.
	Huge Kind = "huge"
	// Drop closes the connection without an answer; the handler does
	// not run (nothing changes).
	Drop Kind = "drop"
	// DropAfter runs the handler (the change is applied), then closes
	// the connection without an answer.
	DropAfter Kind = "drop-after"
	// Hang never answers: it holds the request until the client gives
	// up, the server stops, or Latency (default 10 min) passes; the handler
	// does not run.
	Hang Kind = "hang"
	// Revoke revokes every access token, then serves the request
	// (which therefore gets 401 if it carried one).
	Revoke Kind = "revoke"
	// RevokeAll revokes every access and refresh token, then serves
	// the request.
	RevokeAll Kind = "revoke-all"
)

var kinds = []Kind{Latency, Status, HTML, Truncate, Cut, Huge,
	Drop, DropAfter, Hang, Revoke, RevokeAll}

// RunsHandler reports whether a request under this fault is processed by the
// server (so a change it carries is applied, unless authentication fails).
func (k Kind) RunsHandler() bool {
	switch k {
	case "", Latency, Truncate, Cut, DropAfter, Revoke, RevokeAll:
		return true
	}
	return false
}

// Defaults of the fault parameters.
const (
	DefaultHugeSize = 300 << 20
	DefaultHang     = 10 * time.Minute
)

// Fault is one injected failure.
type Fault struct {
	// Match selects requests: "METHOD PATH", "METHOD" or "PATH"; "" matches
	// every request. PATH is a path.Match pattern on the full URL path, e.g.
	// "/itcare/compute/instances" or "/itcare/compute/instances/*" (one
	// segment); METHOD is case-insensitive.
	Match string
	Kind  Kind
	// Count is how many matching requests the fault applies to; after that
	// requests are served normally. 0 means every matching request, until
	// Clear.
	Count int
	// Status of Status (default 503) and HTML (default 502).
	Status int
	// RetryAfter, when not empty, is sent as the Retry-After header by
	// Status and HTML ("1", "120", or an HTTP date).
	RetryAfter string
	// Latency is the delay of Latency, and how long Hang holds
	// the request at most (default 10 min).
	Latency time.Duration
	// Size of the Huge body in bytes (default 300 MiB).
	Size int64
}

// Applied records one fault applied to a request.
type Applied struct {
	Kind         Kind
	Method, Path string
	Time         time.Time
}

// state is a Fault with its parsed matcher and remaining count.
type state struct {
	Fault
	method, pattern string
	left            int // remaining applications; -1 = unlimited
}

// Injector holds the armed faults and the record of those applied; the
// zero value injects nothing. It has its own lock: faults are chosen
// before the request is handled.
type Injector struct {
	// Now dates the applied faults (nil: time.Now).
	Now func() time.Time
	// Revoke is called by the Revoke (all false) and RevokeAll (all true)
	// faults before the request is served.
	Revoke func(all bool)

	mu       sync.Mutex
	faults   []*state
	applied  []Applied
	stopping chan struct{} // closed by Shutdown (ends hangs)
	stopOnce sync.Once
}

func (in *Injector) stopCh() chan struct{} {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopping == nil {
		in.stopping = make(chan struct{})
	}
	return in.stopping
}

// Shutdown ends the requests held by Hang (for http.Server.RegisterOnShutdown).
func (in *Injector) Shutdown() {
	ch := in.stopCh()
	in.stopOnce.Do(func() { close(ch) })
}

func validate(f Fault) (*state, error) {
	known := false
	for _, k := range kinds {
		known = known || f.Kind == k
	}
	if !known {
		return nil, fmt.Errorf("netfault: unknown fault kind %q", f.Kind)
	}
	if f.Count < 0 {
		return nil, fmt.Errorf("netfault: fault count %d is negative", f.Count)
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 999) {
		return nil, fmt.Errorf("netfault: invalid fault status %d", f.Status)
	}
	if f.Latency < 0 || f.Size < 0 {
		return nil, errors.New("netfault: fault latency and size must not be negative")
	}
	st := &state{Fault: f, left: f.Count}
	if f.Count == 0 {
		st.left = -1
	}
	fields := strings.Fields(f.Match)
	switch len(fields) {
	case 0:
	case 1:
		if strings.HasPrefix(fields[0], "/") {
			st.pattern = fields[0]
		} else {
			st.method = strings.ToUpper(fields[0])
		}
	case 2:
		st.method, st.pattern = strings.ToUpper(fields[0]), fields[1]
		if !strings.HasPrefix(st.pattern, "/") {
			return nil, fmt.Errorf("netfault: fault match %q: the path must start with /", f.Match)
		}
	default:
		return nil, fmt.Errorf("netfault: fault match %q: want \"METHOD /path\"", f.Match)
	}
	if st.pattern != "" {
		if _, err := path.Match(st.pattern, "/"); err != nil {
			return nil, fmt.Errorf("netfault: fault match %q: %v", f.Match, err)
		}
	}
	return st, nil
}

// Add arms a fault after those already armed. A request gets every
// matching latency fault plus the first other matching fault.
func (in *Injector) Add(f Fault) error {
	st, err := validate(f)
	if err != nil {
		return err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.faults = append(in.faults, st)
	return nil
}

// Set replaces every armed fault with faults (none: no faults). The record
// of applied faults is kept.
func (in *Injector) Set(faults ...Fault) error {
	states := make([]*state, 0, len(faults))
	for _, f := range faults {
		st, err := validate(f)
		if err != nil {
			return err
		}
		states = append(states, st)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.faults = states
	return nil
}

// Clear disarms every fault and forgets the applied ones.
func (in *Injector) Clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.faults, in.applied = nil, nil
}

// Applied returns the faults applied so far, in order.
func (in *Injector) Applied() []Applied {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]Applied(nil), in.applied...)
}

// Chosen is what applies to one request.
type Chosen struct {
	latency time.Duration
	fault   *Fault // nil: served normally (after latency)
}

// Kind names what is done to the request ("" for a nil Chosen).
func (c *Chosen) Kind() Kind {
	switch {
	case c == nil:
		return ""
	case c.fault != nil:
		return c.fault.Kind
	case c.latency > 0:
		return Latency
	}
	return ""
}

func (st *state) matches(r *http.Request) bool {
	if st.left == 0 {
		return false
	}
	if st.method != "" && st.method != r.Method {
		return false
	}
	if st.pattern != "" {
		ok, _ := path.Match(st.pattern, r.URL.Path)
		return ok
	}
	return true
}

// Take picks the faults for r and consumes one use of each; nil when none
// applies.
func (in *Injector) Take(r *http.Request) *Chosen {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.faults) == 0 {
		return nil
	}
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	var c Chosen
	hit := false
	for _, st := range in.faults {
		if !st.matches(r) || (st.Kind != Latency && c.fault != nil) {
			continue
		}
		if st.left > 0 {
			st.left--
		}
		hit = true
		if st.Kind == Latency {
			c.latency += st.Latency
		} else {
			f := st.Fault
			c.fault = &f
		}
		in.applied = append(in.applied, Applied{Kind: st.Kind, Method: r.Method, Path: r.URL.Path, Time: now()})
	}
	if !hit {
		return nil
	}
	return &c
}

// Serve serves r under the chosen faults; next is the normal processing.
// dropped is true when the connection was closed without (the rest of) an
// answer. A ResponseWriter that wraps another must have an Unwrap method,
// so that the connection can be taken over.
func (in *Injector) Serve(w http.ResponseWriter, r *http.Request, c *Chosen, next http.Handler) (dropped bool) {
	if c.latency > 0 {
		t := time.NewTimer(c.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}
	f := c.fault
	if f == nil {
		next.ServeHTTP(w, r)
		return false
	}
	switch f.Kind {
	case Status:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.WriteHeader(orDefault(f.Status, http.StatusServiceUnavailable))
	case HTML:
		status := orDefault(f.Status, http.StatusBadGateway)
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		page := htmlErrorPage(status)
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		w.WriteHeader(status)
		_, _ = w.Write(page)
	case Huge:
		writeHuge(w, orDefault(f.Size, DefaultHugeSize))
	case Drop:
		return dropConnection(w)
	case DropAfter:
		next.ServeHTTP(httptest.NewRecorder(), r)
		return dropConnection(w)
	case Truncate, Cut:
		buf := httptest.NewRecorder() // the standard library's buffered answer
		next.ServeHTTP(buf, r)
		body := buf.Body.Bytes()
		half := body[:len(body)/2]
		for k, vs := range buf.Header() {
			w.Header()[k] = vs
		}
		if f.Kind == Truncate {
			w.Header().Set("Content-Length", strconv.Itoa(len(half)))
			w.WriteHeader(buf.Code)
			_, _ = w.Write(half)
			return false
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(buf.Code)
		_, _ = w.Write(half)
		_ = http.NewResponseController(w).Flush()
		return dropConnection(w)
	case Hang:
		t := time.NewTimer(orDefault(f.Latency, DefaultHang))
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-in.stopCh():
		}
		return dropConnection(w)
	case Revoke, RevokeAll:
		if in.Revoke != nil {
			in.Revoke(f.Kind == RevokeAll)
		}
		next.ServeHTTP(w, r)
	default:
		next.ServeHTTP(w, r)
	}
	return false
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// dropConnection closes the client's connection without (the rest of) an
// answer.
func dropConnection(w http.ResponseWriter) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2, a test recorder): abort the handler,
		// which makes net/http reset the stream or close the connection.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
	return true
}

func htmlErrorPage(status int) []byte {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return fmt.Appendf(nil, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", title, title)
}

// writeHuge streams a Spring page of about size bytes: one block of
// instances written over and over.
func writeHuge(w http.ResponseWriter, size int64) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	var block bytes.Buffer
	for i := 1; block.Len() < 64<<10; i++ {
		fmt.Fprintf(&block, `{"id":%d,"name":"huge%08d","status":"ACTIVE"},`, i, i)
	}
	n, err := io.WriteString(w, `{"content":[`)
	for written := int64(n); err == nil && written < size; written += int64(n) {
		n, err = w.Write(block.Bytes())
	}
	if err == nil {
		_, _ = io.WriteString(w, `{"id":0}],"last":true,"first":true,"number":0,"totalPages":1}`)
	}
}

var faultSpecRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.*?)(?:x([0-9]+))?$`) })

// Parse reads a fault written as [MATCH=]KIND[:ARG][xCOUNT], the form
// `itcare sandbox --fault` takes:
//
//	GET /itcare/compute/instances=503x2      two 503s, then normal answers
//	GET /itcare/compute/instances=429:1x1    one 429 with Retry-After: 1
//	PATCH /itcare/compute/instances/*=drop-after
//	htmlx3, html:200, truncate, cut, huge:1000000, drop, drop-after, hang,
//	hang:30s, latency:200ms, revoke, revoke-all
//
// KIND is a status code (ARG: the Retry-After value, in seconds or as a
// duration rounded up to seconds), or a fault kind (ARG: html's status,
// huge's size in bytes, hang's and latency's duration). Without xCOUNT the
// fault applies to every matching request.
func Parse(spec string) (Fault, error) {
	var f Fault
	spec = strings.TrimSpace(spec)
	action := spec
	if i := strings.LastIndex(spec, "="); i >= 0 {
		f.Match, action = strings.TrimSpace(spec[:i]), strings.TrimSpace(spec[i+1:])
	}
	bad := func(format string, args ...any) (Fault, error) {
		return Fault{}, fmt.Errorf("invalid fault %q: %s (want [METHOD /path=]KIND[:ARG][xCOUNT], e.g. 'GET /itcare/compute/instances=503x2')", spec, fmt.Sprintf(format, args...))
	}
	m := faultSpecRE().FindStringSubmatch(action)
	action = m[1]
	if m[2] != "" {
		n, err := strconv.Atoi(m[2])
		if err != nil || n <= 0 {
			return bad("count %q", m[2])
		}
		f.Count = n
	}
	kind, arg, hasArg := strings.Cut(action, ":")
	kind = strings.ToLower(strings.TrimSpace(kind))
	if code, err := strconv.Atoi(kind); err == nil {
		if code < 100 || code > 999 {
			return bad("status %d", code)
		}
		f.Kind, f.Status = Status, code
		if hasArg {
			ra, err := retryAfterArg(arg)
			if err != nil {
				return bad("Retry-After %q", arg)
			}
			f.RetryAfter = ra
		}
	} else {
		f.Kind = Kind(kind)
		var err error
		switch {
		case !hasArg:
		case f.Kind == HTML:
			f.Status, err = strconv.Atoi(arg)
		case f.Kind == Huge:
			f.Size, err = strconv.ParseInt(arg, 10, 64)
		case f.Kind == Hang || f.Kind == Latency:
			f.Latency, err = time.ParseDuration(arg)
		default:
			return bad("%s takes no argument", kind)
		}
		if err != nil {
			return bad("argument %q of %s", arg, kind)
		}
		if f.Kind == Latency && f.Latency <= 0 {
			return bad("latency needs a duration, e.g. latency:200ms")
		}
	}
	if _, err := validate(f); err != nil {
		return bad("%v", strings.TrimPrefix(err.Error(), "netfault: "))
	}
	return f, nil
}

// retryAfterArg accepts seconds ("1") or a duration ("1500ms", rounded up).
func retryAfterArg(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return strconv.Itoa(n), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return "", errors.New("bad Retry-After")
	}
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10), nil
}
