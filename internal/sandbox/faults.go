package sandbox

// Fault injection: make chosen requests slow, fail, hang, lose their answer
// or get a malformed one, so that clients can be tested against a flaky
// network over real HTTP. See "Fault injection" in README.md.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is what a Fault does to a request.
type FaultKind string

// Fault kinds. "Handler" is the sandbox's normal processing of the request:
// for a change (PATCH, DELETE, POST) it is what applies the change.
const (
	// FaultLatency delays the request by Latency, then serves it normally.
	// Latency faults add up and combine with one other fault.
	FaultLatency FaultKind = "latency"
	// FaultStatus answers Status (default 503) with an empty body and
	// Retry-After when set; the handler does not run.
	FaultStatus FaultKind = "status"
	// FaultHTML answers Status (default 502) with an HTML page, as a proxy
	// in front of the API would; the handler does not run.
	FaultHTML FaultKind = "html"
	// FaultTruncate runs the handler and sends the first half of its body,
	// with a matching Content-Length: valid HTTP, invalid JSON.
	FaultTruncate FaultKind = "truncate"
	// FaultCut runs the handler, announces the full Content-Length, sends
	// half of the body and closes the connection.
	FaultCut FaultKind = "cut"
	// FaultHuge answers 200 with a JSON body of Size bytes (default 300 MiB)
	// streamed without Content-Length; the handler does not run.
	FaultHuge FaultKind = "huge"
	// FaultDrop closes the connection without an answer; the handler does
	// not run (nothing changes).
	FaultDrop FaultKind = "drop"
	// FaultDropAfter runs the handler (the change is applied), then closes
	// the connection without an answer.
	FaultDropAfter FaultKind = "drop-after"
	// FaultHang never answers: it holds the request until the client gives
	// up, the server stops, or Latency (default 10 min) passes; the handler
	// does not run.
	FaultHang FaultKind = "hang"
	// FaultRevoke revokes every access token, then serves the request
	// (which therefore gets 401 if it carried one).
	FaultRevoke FaultKind = "revoke"
	// FaultRevokeAll revokes every access and refresh token, then serves
	// the request.
	FaultRevokeAll FaultKind = "revoke-all"
)

var faultKinds = []FaultKind{FaultLatency, FaultStatus, FaultHTML, FaultTruncate, FaultCut, FaultHuge,
	FaultDrop, FaultDropAfter, FaultHang, FaultRevoke, FaultRevokeAll}

// RunsHandler reports whether a request under this fault is processed by the
// sandbox (so a change it carries is applied, unless authentication fails).
func (k FaultKind) RunsHandler() bool {
	switch k {
	case "", FaultLatency, FaultTruncate, FaultCut, FaultDropAfter, FaultRevoke, FaultRevokeAll:
		return true
	}
	return false
}

// Defaults of the fault parameters.
const (
	DefaultFaultHugeSize = 300 << 20
	DefaultFaultHang     = 10 * time.Minute
)

// Fault is one injected failure.
type Fault struct {
	// Match selects requests: "METHOD PATH", "METHOD" or "PATH"; "" matches
	// every request. PATH is a path.Match pattern on the full URL path, e.g.
	// "/itcare/compute/instances" or "/itcare/compute/instances/*" (one
	// segment); METHOD is case-insensitive.
	Match string
	Kind  FaultKind
	// Count is how many matching requests the fault applies to; after that
	// requests are served normally. 0 means every matching request, until
	// ClearFaults.
	Count int
	// Status of FaultStatus (default 503) and FaultHTML (default 502).
	Status int
	// RetryAfter, when not empty, is sent as the Retry-After header by
	// FaultStatus and FaultHTML ("1", "120", or an HTTP date).
	RetryAfter string
	// Latency is the delay of FaultLatency, and how long FaultHang holds
	// the request at most (default 10 min).
	Latency time.Duration
	// Size of the FaultHuge body in bytes (default 300 MiB).
	Size int64
}

// AppliedFault records one fault applied to a request.
type AppliedFault struct {
	Kind         FaultKind
	Method, Path string
	Time         time.Time
}

// faultState is a Fault with its parsed matcher and remaining count.
type faultState struct {
	Fault
	method, pattern string
	left            int // remaining applications; -1 = unlimited
}

// faultSet is the Server's fault table. It has its own lock: faults are
// chosen before the request is handled.
type faultSet struct {
	mu       sync.Mutex
	faults   []*faultState
	applied  []AppliedFault
	stopping chan struct{} // closed when the server shuts down (ends hangs)
	stopOnce sync.Once
}

func (fs *faultSet) stopCh() chan struct{} {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.stopping == nil {
		fs.stopping = make(chan struct{})
	}
	return fs.stopping
}

// shutdown ends the requests held by FaultHang (http.Server.RegisterOnShutdown).
func (fs *faultSet) shutdown() {
	ch := fs.stopCh()
	fs.stopOnce.Do(func() { close(ch) })
}

func validateFault(f Fault) (*faultState, error) {
	known := false
	for _, k := range faultKinds {
		known = known || f.Kind == k
	}
	if !known {
		return nil, fmt.Errorf("sandbox: unknown fault kind %q", f.Kind)
	}
	if f.Count < 0 {
		return nil, fmt.Errorf("sandbox: fault count %d is negative", f.Count)
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 999) {
		return nil, fmt.Errorf("sandbox: invalid fault status %d", f.Status)
	}
	if f.Latency < 0 || f.Size < 0 {
		return nil, errors.New("sandbox: fault latency and size must not be negative")
	}
	st := &faultState{Fault: f, left: f.Count}
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
			return nil, fmt.Errorf("sandbox: fault match %q: the path must start with /", f.Match)
		}
	default:
		return nil, fmt.Errorf("sandbox: fault match %q: want \"METHOD /path\"", f.Match)
	}
	if st.pattern != "" {
		if _, err := path.Match(st.pattern, "/"); err != nil {
			return nil, fmt.Errorf("sandbox: fault match %q: %v", f.Match, err)
		}
	}
	return st, nil
}

// AddFault arms a fault after those already armed. A request gets every
// matching latency fault plus the first other matching fault.
func (s *Server) AddFault(f Fault) error {
	st, err := validateFault(f)
	if err != nil {
		return err
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = append(s.faults.faults, st)
	return nil
}

// SetFaults replaces every armed fault with faults (none: no faults). The
// record of applied faults is kept.
func (s *Server) SetFaults(faults ...Fault) error {
	states := make([]*faultState, 0, len(faults))
	for _, f := range faults {
		st, err := validateFault(f)
		if err != nil {
			return err
		}
		states = append(states, st)
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = states
	return nil
}

// ClearFaults disarms every fault and forgets the applied ones.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults, s.faults.applied = nil, nil
}

// AppliedFaults returns the faults applied so far, in order.
func (s *Server) AppliedFaults() []AppliedFault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return append([]AppliedFault(nil), s.faults.applied...)
}

// chosenFaults is what applies to one request.
type chosenFaults struct {
	latency time.Duration
	fault   *Fault // nil: served normally (after latency)
}

// kind names what was done to the request, for RecordedRequest.Fault.
func (c *chosenFaults) kind() FaultKind {
	switch {
	case c == nil:
		return ""
	case c.fault != nil:
		return c.fault.Kind
	case c.latency > 0:
		return FaultLatency
	}
	return ""
}

func (st *faultState) matches(r *http.Request) bool {
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

// takeFaults picks the faults for r and consumes one use of each; nil when
// none applies.
func (s *Server) takeFaults(r *http.Request) *chosenFaults {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.faults) == 0 {
		return nil
	}
	var c chosenFaults
	hit := false
	for _, st := range fs.faults {
		if !st.matches(r) || (st.Kind != FaultLatency && c.fault != nil) {
			continue
		}
		if st.left > 0 {
			st.left--
		}
		hit = true
		if st.Kind == FaultLatency {
			c.latency += st.Latency
		} else {
			f := st.Fault
			c.fault = &f
		}
		fs.applied = append(fs.applied, AppliedFault{Kind: st.Kind, Method: r.Method, Path: r.URL.Path, Time: s.now()})
	}
	if !hit {
		return nil
	}
	return &c
}

// statusDropped is what the access log shows for a request whose
// connection was closed without an answer (nginx's "no response").
const statusDropped = 444

// serveFaulty serves a request under the chosen faults; route is the
// sandbox's normal processing.
func (s *Server) serveFaulty(sw *statusWriter, r *http.Request, c *chosenFaults, route func(http.ResponseWriter)) {
	if c.latency > 0 {
		t := time.NewTimer(c.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	f := c.fault
	if f == nil {
		route(sw)
		return
	}
	switch f.Kind {
	case FaultStatus:
		if f.RetryAfter != "" {
			sw.Header().Set("Retry-After", f.RetryAfter)
		}
		sw.WriteHeader(orDefault(f.Status, http.StatusServiceUnavailable))
	case FaultHTML:
		status := orDefault(f.Status, http.StatusBadGateway)
		if f.RetryAfter != "" {
			sw.Header().Set("Retry-After", f.RetryAfter)
		}
		page := htmlErrorPage(status)
		sw.Header().Set("Content-Type", "text/html")
		sw.Header().Set("Content-Length", strconv.Itoa(len(page)))
		sw.WriteHeader(status)
		_, _ = sw.Write(page)
	case FaultHuge:
		writeHuge(sw, orDefault(f.Size, DefaultFaultHugeSize))
	case FaultDrop:
		dropConnection(sw)
	case FaultDropAfter:
		var buf bufferedResponse
		route(&buf)
		dropConnection(sw)
	case FaultTruncate, FaultCut:
		var buf bufferedResponse
		route(&buf)
		body := buf.body.Bytes()
		half := body[:len(body)/2]
		for k, vs := range buf.header {
			sw.Header()[k] = vs
		}
		if f.Kind == FaultTruncate {
			sw.Header().Set("Content-Length", strconv.Itoa(len(half)))
			sw.WriteHeader(buf.status())
			_, _ = sw.Write(half)
			return
		}
		sw.Header().Set("Content-Length", strconv.Itoa(len(body)))
		sw.WriteHeader(buf.status())
		_, _ = sw.Write(half)
		_ = http.NewResponseController(sw.ResponseWriter).Flush()
		dropConnection(sw)
	case FaultHang:
		t := time.NewTimer(orDefault(f.Latency, DefaultFaultHang))
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.faults.stopCh():
		}
		dropConnection(sw)
	case FaultRevoke, FaultRevokeAll:
		s.ExpireAccessTokens()
		if f.Kind == FaultRevokeAll {
			s.ExpireRefreshTokens()
		}
		route(sw)
	default:
		route(sw)
	}
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// dropConnection closes the client's connection without (the rest of) an
// answer.
func dropConnection(sw *statusWriter) {
	conn, _, err := http.NewResponseController(sw.ResponseWriter).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2, a test recorder): abort the handler,
		// which makes net/http reset the stream or close the connection.
		sw.status = statusDropped
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
	if sw.status == 0 {
		sw.status = statusDropped
	}
}

// bufferedResponse captures the handler's answer.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header {
	if b.header == nil {
		b.header = http.Header{}
	}
	return b.header
}

func (b *bufferedResponse) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.code == 0 {
		b.code = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) status() int { return orDefault(b.code, http.StatusOK) }

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

// ParseFault reads a fault written as [MATCH=]KIND[:ARG][xCOUNT], the form
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
func ParseFault(spec string) (Fault, error) {
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
		f.Kind, f.Status = FaultStatus, code
		if hasArg {
			ra, err := retryAfterArg(arg)
			if err != nil {
				return bad("Retry-After %q", arg)
			}
			f.RetryAfter = ra
		}
	} else {
		f.Kind = FaultKind(kind)
		var err error
		switch {
		case !hasArg:
		case f.Kind == FaultHTML:
			f.Status, err = strconv.Atoi(arg)
		case f.Kind == FaultHuge:
			f.Size, err = strconv.ParseInt(arg, 10, 64)
		case f.Kind == FaultHang || f.Kind == FaultLatency:
			f.Latency, err = time.ParseDuration(arg)
		default:
			return bad("%s takes no argument", kind)
		}
		if err != nil {
			return bad("argument %q of %s", arg, kind)
		}
		if f.Kind == FaultLatency && f.Latency <= 0 {
			return bad("latency needs a duration, e.g. latency:200ms")
		}
	}
	if _, err := validateFault(f); err != nil {
		return bad("%v", strings.TrimPrefix(err.Error(), "sandbox: "))
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
