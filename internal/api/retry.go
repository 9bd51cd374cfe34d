package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/itcare-cli/itcare/internal/watch"
)

// RetryTransport retries requests that failed for a passing reason.
//
// Safe requests (GET, HEAD, OPTIONS) are retried on connection errors and on
// 429, 502, 503 and 504, with exponential back-off and jitter, honouring
// Retry-After. Their answers are read here (up to 16 MiB), so that a
// connection cut while the body arrives is retried too. Every other method
// changes something and is retried only when the connection was refused,
// that is before a byte of it could reach the server: a change must never
// happen twice. All attempts stay inside the request's context deadline
// (--timeout).
type RetryTransport struct {
	Base        http.RoundTripper
	MaxAttempts int           // default 4
	BaseDelay   time.Duration // default 300ms
	MaxDelay    time.Duration // default 10s
	Debugf      func(format string, args ...any)
	// AllSafe treats every request as safe to repeat: for clients whose
	// requests change nothing on the server, such as token requests (a POST
	// that only issues a new token).
	AllSafe bool
	sleep   func(ctx context.Context, d time.Duration) error
}

// Retry defaults.
const (
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 300 * time.Millisecond
	DefaultMaxDelay    = 10 * time.Second
)

func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	attempts := t.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	sleep := t.sleep
	if sleep == nil {
		sleep = watch.Sleep
	}
	safe := t.AllSafe || isSafeMethod(req.Method)
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return nil, errors.New("cannot retry a request whose body cannot be replayed")
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		res, err := t.Base.RoundTrip(r)
		if attempt >= attempts {
			return res, err
		}
		var wait time.Duration
		switch {
		case err != nil:
			if req.Context().Err() != nil || !(safe && retryableNetError(err) || connectionRefused(err)) {
				return nil, err
			}
			wait = t.backoff(attempt)
			t.debugf("%s %s failed (%v); retry %d/%d in %s", req.Method, req.URL.Redacted(), err, attempt, attempts-1, wait.Round(time.Millisecond))
		case safe && retryableStatus(res.StatusCode):
			wait = t.backoff(attempt)
			if ra, ok := retryAfter(res.Header.Get("Retry-After")); ok {
				wait = ra
			}
			if dl, ok := req.Context().Deadline(); ok && time.Until(dl) < wait {
				t.debugf("%s %s answered %d; Retry-After %s passes the deadline, not retrying", req.Method, req.URL.Redacted(), res.StatusCode, wait)
				return res, nil
			}
			t.debugf("%s %s answered %s; retry %d/%d in %s", req.Method, req.URL.Redacted(), res.Status, attempt, attempts-1, wait.Round(time.Millisecond))
			io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
			res.Body.Close()
		case safe && res.Body != nil && res.Body != http.NoBody:
			var rerr error
			res.Body, rerr = bufferBody(res.Body, retryBufferLimit, res.ContentLength)
			if rerr == nil || req.Context().Err() != nil || !retryableNetError(rerr) {
				return res, nil
			}
			wait = t.backoff(attempt)
			t.debugf("%s %s: reading the answer failed (%v); retry %d/%d in %s", req.Method, req.URL.Redacted(), rerr, attempt, attempts-1, wait.Round(time.Millisecond))
		default:
			return res, err
		}
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// retryBufferLimit bounds how much of a safe request's answer is read
// before it is handed on; past it the rest is streamed (and a cut is the
// caller's error).
const retryBufferLimit = 16 << 20

// bufferBody reads rc, up to limit bytes (announced: the length the answer
// announces, or -1). On a read error the returned body yields what was
// read, then the error. Beyond limit, the returned body yields what was
// read, then the rest of rc.
func bufferBody(rc io.ReadCloser, limit int, announced int64) (io.ReadCloser, error) {
	buf, _ := bodyPool.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	data, err := readAtMostInto(*buf, rc, limit, announced)
	switch {
	case err != nil:
		rc.Close()
		return io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{err})), err
	case len(data) > limit:
		return struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(data), rc), rc}, nil
	}
	rc.Close()
	*buf = data
	b := &pooledBody{buf: buf}
	b.Reset(data)
	return b, nil
}

// bodyPool holds the buffers of answers bufferBody read whole, given back
// when the answer is closed: the pages of a listing reuse a few buffers
// instead of each bringing fresh memory to clear and fault in.
var bodyPool sync.Pool // of *[]byte

// pooledBody is an answer read whole into a buffer of bodyPool.
type pooledBody struct {
	bytes.Reader
	buf *[]byte
}

// Close gives the buffer back; the body reads as empty after it.
func (b *pooledBody) Close() error {
	if b.buf != nil {
		b.Reset(nil)
		bodyPool.Put(b.buf)
		b.buf = nil
	}
	return nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func (t *RetryTransport) debugf(format string, args ...any) {
	if t.Debugf != nil {
		t.Debugf(format, args...)
	}
}

// backoff is exponential with full jitter: a random delay in [d/2, d] where
// d doubles from BaseDelay up to MaxDelay.
func (t *RetryTransport) backoff(attempt int) time.Duration {
	base, maxD := t.BaseDelay, t.MaxDelay
	if base <= 0 {
		base = DefaultBaseDelay
	}
	if maxD <= 0 {
		maxD = DefaultMaxDelay
	}
	d := base << min(attempt-1, 20)
	if d > maxD || d <= 0 {
		d = maxD
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == ""
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableNetError: a connection that failed or broke. Timeouts of the
// whole request are not retried (the deadline is spent).
func retryableNetError(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET)
}

// connectionRefused: the server was never reached, so even a change may be sent again.
func connectionRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
