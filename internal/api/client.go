// Package api is the ITCare HTTP client: requests, typed errors, models,
// pagination and the action waiter. It knows nothing of cobra or terminals.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Header names and media types of the API.
const (
	HeaderDryRun = "ITCare-DryRun"
	MediaType    = "application/vnd.cegedim-it.v1+json"
	AcceptHeader = MediaType + ", application/json"
	// MaxBodyBytes bounds what is read of one response, so a runaway answer
	// cannot exhaust memory. The largest documented answer, a page of 1000
	// instances, is under 2 MiB.
	MaxBodyBytes = 32 << 20
)

// Client calls the ITCare API. Build it with New.
type Client struct {
	base      *url.URL
	http      *http.Client
	userAgent string
	dryRun    bool
	limits    Limits // bounds of one listing (ListPages, PaginateRaw)
	prepare   func(context.Context) error

	Actions *ActionsService
}

// Options configure a Client.
type Options struct {
	BaseURL    string       // e.g. https://api.cegedim.cloud/itcare
	HTTPClient *http.Client // carries authentication, timeouts and debug logging
	UserAgent  string
	DryRun     bool // send ITCare-DryRun: true on every request
	// Limits bound every listing of every page (zero fields: the defaults).
	Limits Limits
	// Prepare runs before each request, outside the request's timeout: the
	// authenticated client gets its token there, so that a failing token
	// endpoint is reported as such (with its own timeout), never as a
	// timeout of the API request. Its error is returned as is.
	Prepare func(context.Context) error
}

// New returns a client for the API at opts.BaseURL.
func New(opts Options) (*Client, error) {
	u, err := ParseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	c := &Client{base: u, http: hc, userAgent: opts.UserAgent, dryRun: opts.DryRun, limits: opts.Limits.orDefault(Limits{}), prepare: opts.Prepare}
	c.Actions = &ActionsService{c: c}
	return c, nil
}

// ParseBaseURL validates an API base URL (absolute http or https, no query).
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("invalid API URL %q: want an absolute http(s) URL such as https://api.cegedim.cloud/itcare", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// BaseURL returns the API base URL.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// DryRun reports whether the client sends ITCare-DryRun: true.
func (c *Client) DryRun() bool { return c.dryRun }

// Request describes one API call.
type Request struct {
	Method  string
	Path    string     // relative to the base URL; may carry a query string
	Query   url.Values // merged with the query of Path
	Body    any        // marshalled as JSON unless it is an io.Reader or []byte
	Header  http.Header
	Subject string // what is addressed, for error messages ("instance 42")
}

// Response is a 2xx answer, fully read.
type Response struct {
	StatusCode int
	Status     string
	Proto      string
	Header     http.Header
	Body       []byte
}

// DryRunConfirmed reports whether the server echoed ITCare-DryRun: true.
func (r *Response) DryRunConfirmed() bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get(HeaderDryRun)), "true")
}

// URL returns the absolute URL for a path relative to the base, with query.
func (c *Client) URL(p string, q url.Values) (*url.URL, error) {
	rel, err := url.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("invalid path %q: %w", p, err)
	}
	if rel.IsAbs() || rel.Host != "" {
		return nil, fmt.Errorf("invalid path %q: want a path relative to the API URL", p)
	}
	u := *c.base
	u.Path = c.base.Path + "/" + strings.TrimPrefix(rel.Path, "/")
	u.RawPath = ""
	query := rel.Query()
	for k, vs := range q {
		for _, v := range vs {
			query.Add(k, v)
		}
	}
	u.RawQuery = query.Encode()
	return &u, nil
}

// NewHTTPRequest builds the *http.Request for r with the API's headers.
func (c *Client) NewHTTPRequest(ctx context.Context, r *Request) (*http.Request, error) {
	u, err := c.URL(r.Path, r.Query)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	isJSON := false
	switch b := r.Body.(type) {
	case nil:
	case io.Reader:
		body = b
		isJSON = true
	case []byte:
		body = bytes.NewReader(b)
		isJSON = true
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("encoding request body: %w", err)
		}
		body = bytes.NewReader(data)
		isJSON = true
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", AcceptHeader)
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if isJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.dryRun {
		req.Header.Set(HeaderDryRun, "true")
	}
	for k, vs := range r.Header {
		req.Header.Del(k)
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req, nil
}

// Do sends r and reads the answer. A non-2xx answer is returned as both a
// *Response (for callers that print it, like `itcare api`) and an *HTTPError.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	req, err := c.NewHTTPRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	if c.prepare != nil {
		if err := c.prepare(ctx); err != nil {
			return nil, err
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, req, err, false)
	}
	defer res.Body.Close()
	data, err := readAtMost(res.Body, MaxBodyBytes, res.ContentLength)
	if err != nil {
		return nil, c.transportError(ctx, req, err, true)
	}
	if len(data) > MaxBodyBytes {
		return nil, fmt.Errorf("%s %s: the %s answer is larger than %d MiB; refusing to read it (it starts with: %s)",
			req.Method, req.URL.Path, res.Status, MaxBodyBytes>>20, Excerpt(string(data[:200]), 80))
	}
	resp := &Response{StatusCode: res.StatusCode, Status: res.Status, Proto: res.Proto, Header: res.Header, Body: data}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		e := newHTTPError(res.StatusCode, req.Method, r.displayPath(), r.Subject, data)
		e.DryRunHeader = resp.DryRunConfirmed()
		e.RetryAfter, _ = retryAfter(res.Header.Get("Retry-After"))
		return resp, e
	}
	return resp, nil
}

func (r *Request) displayPath() string {
	p := r.Path
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return "/" + strings.TrimPrefix(p, "/")
}

// Get fetches path and decodes the JSON answer into out.
func (c *Client) Get(ctx context.Context, path string, q url.Values, subject string, out any) (*Response, error) {
	return c.DoJSON(ctx, &Request{Method: http.MethodGet, Path: path, Query: q, Subject: subject}, out)
}

// DoJSON sends r and decodes a non-empty 2xx answer into out (when out is not nil).
func (c *Client) DoJSON(ctx context.Context, r *Request, out any) (*Response, error) {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return resp, err
	}
	if out != nil && string(bytes.TrimSpace(resp.Body)) == "null" {
		return resp, &DecodeError{Method: r.Method, Path: r.displayPath(), StatusCode: resp.StatusCode,
			Excerpt: "null", Err: errors.New("the answer is null where a JSON value was expected")}
	}
	if out != nil && len(bytes.TrimSpace(resp.Body)) > 0 {
		if fd, ok := out.(fastDecoder); ok && fd.decodeFast(resp.Body) {
			return resp, nil
		}
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp, &DecodeError{Method: r.Method, Path: r.displayPath(), StatusCode: resp.StatusCode,
				Excerpt: Excerpt(string(resp.Body), 200), Err: err}
		}
	}
	return resp, nil
}

// readAtMost reads r to its end, or to one byte past limit (which tells an
// answer longer than limit), into one buffer of the announced length when
// there is one, instead of growing a buffer from 512 bytes (and copying a
// page of 200 instances ten times). What is set aside on the server's word
// alone is bounded by presizeLimit.
func readAtMost(r io.Reader, limit int, announced int64) ([]byte, error) {
	return readAtMostInto(nil, r, limit, announced)
}

// readAtMostInto is readAtMost into buf's memory when it is large enough.
func readAtMostInto(buf []byte, r io.Reader, limit int, announced int64) ([]byte, error) {
	b := bytes.NewBuffer(buf[:0])
	if announced > 0 && announced <= int64(min(limit, presizeLimit)) {
		b.Grow(int(announced) + bytes.MinRead) // room to read the end without growing
	}
	_, err := b.ReadFrom(io.LimitReader(r, int64(limit)+1))
	return b.Bytes(), err
}

const presizeLimit = 4 << 20

// fastDecoder is a value that can decode some answers itself, faster than
// encoding/json and with the same result; it reports false when it cannot.
type fastDecoder interface{ decodeFast(body []byte) bool }

// TransportError is a failure to reach the API or to read its answer.
type TransportError struct {
	Method, URL string
	Err         error
	// Reading: the answer had begun to arrive when the failure happened.
	Reading bool
	// Timeout is set when no complete answer came within the client's
	// timeout (--timeout), which it gives.
	Timeout time.Duration
	// MaybeApplied: the request changes something and may have reached the
	// server before the failure, so the change may have happened.
	MaybeApplied bool
}

// MaybeAppliedNote ends the message of a change whose outcome is unknown.
const MaybeAppliedNote = "the change may have been applied: check the resource (or `itcare actions list`) before trying again"

func (e *TransportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	switch {
	case e.Timeout > 0:
		fmt.Fprintf(&b, "no complete answer within %s (--timeout)", e.Timeout)
	case e.Reading:
		fmt.Fprintf(&b, "the connection broke while reading the answer (%v)", e.Err)
	case brokenConnection(e.Err):
		fmt.Fprintf(&b, "the server closed the connection without answering (%v)", e.Err)
	default:
		b.WriteString(e.Err.Error())
	}
	if e.MaybeApplied {
		b.WriteString("; " + MaybeAppliedNote)
	}
	return b.String()
}

func (e *TransportError) Unwrap() error { return e.Err }

// transportError describes a failed request; reading is true when the
// answer had begun to arrive.
func (c *Client) transportError(ctx context.Context, req *http.Request, err error, reading bool) error {
	change := !isSafeMethod(req.Method)
	if ctxErr := ctx.Err(); ctxErr != nil {
		// Keep context.Canceled / DeadlineExceeded recognisable with errors.Is.
		what := "interrupted"
		if !errors.Is(ctxErr, context.Canceled) {
			what = "out of time"
		}
		if change {
			return fmt.Errorf("%s %s: %s (%w); %s", req.Method, redactURL(req.URL), what, ctxErr, MaybeAppliedNote)
		}
		return fmt.Errorf("%s %s: %s (%w)", req.Method, redactURL(req.URL), what, ctxErr)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var re *RedirectError
	if errors.As(err, &re) {
		if change {
			return fmt.Errorf("%w; %s", re, MaybeAppliedNote)
		}
		return re
	}
	e := &TransportError{Method: req.Method, URL: redactURL(req.URL), Err: err, Reading: reading}
	if c.http.Timeout > 0 && !dialError(err) && (errors.Is(err, context.DeadlineExceeded) || isTimeout(err)) {
		e.Timeout = c.http.Timeout
	}
	e.MaybeApplied = change && (reading || maybeSent(err))
	return e
}

// maybeSent: the failure happened after the request was (perhaps) sent: the
// connection broke, the answer was late or garbled. Failures before sending
// (no connection, TLS, a refusal to send credentials) are not.
func maybeSent(err error) bool {
	if dialError(err) {
		return false
	}
	var op *net.OpError
	return brokenConnection(err) || errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) ||
		isTimeout(err) || errors.As(err, &op) || strings.Contains(err.Error(), "malformed HTTP")
}

// dialError: the connection could not be opened (refused, unknown host,
// connect timeout), so nothing was sent.
func dialError(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) && op.Op == "dial" || errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// brokenConnection: the server (or something on the way) closed the
// connection before an answer.
func brokenConnection(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}
