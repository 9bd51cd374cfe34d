package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/itcare-cli/itcare/internal/origin"
)

// TransportOptions configure the HTTP stack shared by the API and the
// token endpoint.
type TransportOptions struct {
	Timeout        time.Duration // whole request (headers and body); 0 = 30s
	ConnectTimeout time.Duration // TCP connect; 0 = 10s
	TLSTimeout     time.Duration // TLS handshake; 0 = 10s
	Debug          io.Writer     // --debug trace, redacted; nil = off
}

// DefaultTimeout bounds one HTTP request.
const DefaultTimeout = 30 * time.Second

// NewTransport returns the base round tripper: timeouts on connect, TLS and
// response headers, and a redacted trace when Debug is set.
func NewTransport(o TransportOptions) http.RoundTripper {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.TLSTimeout <= 0 {
		o.TLSTimeout = 10 * time.Second
	}
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   o.TLSTimeout,
		ResponseHeaderTimeout: o.Timeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConnsPerHost:   DefaultConcurrency + 2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	var rt http.RoundTripper = base
	if o.Debug != nil {
		rt = &DebugTransport{Base: rt, W: o.Debug}
	}
	return rt
}

// NewHTTPClient wraps rt in a client with an overall timeout per request.
func NewHTTPClient(rt http.RoundTripper, timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{Transport: rt, Timeout: timeout, CheckRedirect: checkRedirect}
}

// maxRedirects bounds a chain of redirects on the API host.
const maxRedirects = 5

// RedirectError is a redirect the client refuses to follow: off the host
// the request was sent to, or one that would turn a change into a GET.
type RedirectError struct {
	Method, From, To string
	Why              string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s %s was redirected to %s: not followed (%s)", e.Method, e.From, e.To, e.Why)
}

// checkRedirect follows a redirect only on the same scheme, host and port
// as the first request, and only when the method is kept (a 301/302/303
// answer to a PATCH or POST would make it a GET of another URL).
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	e := &RedirectError{Method: first.Method, From: first.URL.Redacted(), To: req.URL.Redacted()}
	switch {
	case !origin.Same(req.URL, first.URL):
		e.Why = "it leaves the API host"
	case req.Method != first.Method:
		e.Why = "it would turn " + first.Method + " into " + req.Method
	case len(via) > maxRedirects:
		e.Why = fmt.Sprintf("more than %d redirects", maxRedirects)
	default:
		return nil
	}
	return e
}

// sensitiveKeys are redacted from traced bodies, in JSON and form encodings.
var sensitiveKeys = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true, "client_secret": true,
	"password": true, "admpassword": true, "secret": true, "token": true, "assertion": true,
}

// IsSensitiveKey reports whether a field name carries a secret.
func IsSensitiveKey(k string) bool { return sensitiveKeys[strings.ToLower(k)] }

// Redacted replaces secrets in traces.
const Redacted = "[REDACTED]"

// DebugTransport writes each request and response to W with the
// Authorization header, cookies and secret body fields redacted.
type DebugTransport struct {
	Base http.RoundTripper
	W    io.Writer
	mu   sync.Mutex
}

const debugBodyLimit = 4096

func (t *DebugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, req.URL.Redacted())
	writeHeaders(&b, "> ", req.Header)
	if req.Body != nil && req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			data, _ := io.ReadAll(io.LimitReader(rc, debugBodyLimit+1))
			rc.Close()
			writeBody(&b, "> ", req.Header.Get("Content-Type"), data)
		}
	}
	start := time.Now()
	res, err := t.Base.RoundTrip(req)
	elapsed := time.Since(start).Round(time.Millisecond)
	if err != nil {
		fmt.Fprintf(&b, "! %s %s failed after %s: %v\n", req.Method, req.URL.Redacted(), elapsed, err)
		t.flush(b.String())
		return nil, err
	}
	fmt.Fprintf(&b, "< %s %s (%s)\n", res.Proto, res.Status, elapsed)
	writeHeaders(&b, "< ", res.Header)
	if res.Body != nil {
		data, rerr := io.ReadAll(io.LimitReader(res.Body, debugBodyLimit+1))
		rest := res.Body
		res.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(data), rest), rest}
		if rerr == nil {
			writeBody(&b, "< ", res.Header.Get("Content-Type"), data)
		}
	}
	t.flush(b.String())
	return res, nil
}

func (t *DebugTransport) flush(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	io.WriteString(t.W, s)
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	for k, vs := range h {
		for _, v := range vs {
			switch strings.ToLower(k) {
			case "authorization", "proxy-authorization", "cookie", "set-cookie":
				scheme, _, _ := strings.Cut(v, " ")
				if scheme != "" && scheme != v {
					v = scheme + " " + Redacted
				} else {
					v = Redacted
				}
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

func writeBody(b *strings.Builder, prefix, contentType string, data []byte) {
	if len(data) == 0 {
		return
	}
	truncated := len(data) > debugBodyLimit
	if truncated {
		data = data[:debugBodyLimit]
	}
	text := RedactBody(contentType, data)
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString(prefix + line + "\n")
	}
	if truncated {
		b.WriteString(prefix + "… (truncated)\n")
	}
}

// RedactBody removes secret values from a JSON or form-encoded body. A body
// that cannot be parsed, and so cannot be checked, is not shown at all when it
// mentions a secret field name.
func RedactBody(contentType string, data []byte) string {
	if strings.Contains(contentType, "x-www-form-urlencoded") {
		if q, err := url.ParseQuery(string(data)); err == nil {
			for k := range q {
				if IsSensitiveKey(k) {
					q[k] = []string{Redacted}
				}
			}
			return q.Encode()
		}
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err == nil {
		out, _ := json.Marshal(redactValue(v))
		return string(out)
	}
	lower := strings.ToLower(string(data))
	for k := range sensitiveKeys {
		if strings.Contains(lower, k) {
			return fmt.Sprintf("(%d bytes not shown: may contain secrets)", len(data))
		}
	}
	return string(data)
}

func redactValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if IsSensitiveKey(k) {
				t[k] = Redacted
			} else {
				t[k] = redactValue(val)
			}
		}
	case []any:
		for i := range t {
			t[i] = redactValue(t[i])
		}
	}
	return v
}
