package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// CallOptions is what `itcare api` asks for, as given on its command line.
type CallOptions struct {
	Path        string   // relative to the API URL, or a full URL under it
	Method      string   // "" = GET, or POST with fields or Input
	RawFields   []string // -f key=value
	TypedFields []string // -F key=value
	Headers     []string // -H 'Name: value'
	Input       string   // file sent as the body ("-" = Stdin)
	Stdin       io.Reader
	Paginate    bool
}

// InputError is a mistake in what the user asked for, found before anything
// was sent (a usage error).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// BuildCall checks o against the API base URL and builds the request. It
// sends nothing; every error is an *InputError.
func BuildCall(base *url.URL, o CallOptions) (*Request, error) {
	p, err := CallPath(base, o.Path)
	if err != nil {
		return nil, err
	}
	params, err := ParseFields(o.RawFields, o.TypedFields, o.Stdin)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	header, err := parseHeaders(o.Headers)
	if err != nil {
		return nil, err
	}
	method := strings.ToUpper(strings.TrimSpace(o.Method))
	if method == "" {
		method = http.MethodGet
		if len(params) > 0 || o.Input != "" {
			method = http.MethodPost
		}
	}
	if !validToken(method) {
		return nil, inputErrorf("invalid method %q", o.Method)
	}
	if o.Paginate && (method != http.MethodGet || o.Input != "") {
		return nil, inputErrorf("--paginate works only with GET requests without --input")
	}
	req := &Request{Method: method, Path: p, Header: header}
	switch {
	case o.Input != "":
		body, err := readInput(o.Stdin, o.Input)
		if err != nil {
			return nil, err
		}
		if header.Get("Content-Type") == "" && !json.Valid(body) {
			return nil, inputErrorf("--input %s is not valid JSON (set -H 'Content-Type: ...' to send something else)", o.Input)
		}
		req.Body = body
		req.Query = FieldsToQuery(params)
	case method == http.MethodGet || method == http.MethodDelete || method == http.MethodHead:
		req.Query = FieldsToQuery(params)
	case len(params) > 0:
		req.Body = params
	}
	return req, nil
}

// CallPath turns the PATH argument of `itcare api` into a path relative to
// the API base. A full URL elsewhere, a network-path reference (//host/x)
// and a path that climbs out of the base (.., also percent-encoded) are all
// refused the same way, before anything is sent: the token goes nowhere else.
func CallPath(base *url.URL, arg string) (string, error) {
	if strings.TrimSpace(arg) == "" {
		return "", inputErrorf("empty path: give a path such as /compute/instances")
	}
	if strings.ContainsAny(arg, "\r\n\x00") {
		return "", inputErrorf("invalid path %q: control characters", arg)
	}
	refuse := func() error {
		return inputErrorf("refusing to send credentials to %s: only paths under the configured API %s are allowed (use a path such as /compute/instances)", arg, base)
	}
	u, err := url.Parse(arg)
	if err != nil {
		return "", inputErrorf("invalid path %q: %v", arg, err)
	}
	rel := arg
	switch {
	case u.IsAbs() || strings.Contains(arg, "://"):
		r, ok := RelativeTo(base, u)
		if !ok {
			return "", refuse()
		}
		rel = r
	case u.Host != "" || strings.HasPrefix(arg, "//"):
		return "", refuse()
	default:
		rel = "/" + strings.TrimPrefix(arg, "/")
	}
	if err := checkRelPath(rel); err != nil {
		return "", refuse()
	}
	return rel, nil
}

// checkRelPath refuses a relative path whose segments, decoded, contain "."
// or ".." (the server would resolve them out of the API base).
func checkRelPath(p string) error {
	u, err := url.Parse(p)
	if err != nil {
		return err
	}
	if u.IsAbs() || u.Host != "" || strings.HasPrefix(p, "//") {
		return errors.New("not a relative path")
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return errors.New("dot segment")
		}
	}
	return nil
}

// validToken reports whether s is an HTTP token (a method or header name).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, r) {
			return false
		}
	}
	return true
}

func parseHeaders(hs []string) (http.Header, error) {
	h := http.Header{}
	for _, s := range hs {
		k, v, ok := strings.Cut(s, ":")
		k = strings.TrimSpace(k)
		if !ok || !validToken(k) {
			return nil, inputErrorf("invalid header %q: want 'Name: value'", s)
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, inputErrorf("invalid header %q: the value contains a line break or NUL", k)
		}
		h.Add(k, strings.TrimSpace(v))
	}
	return h, nil
}

func readInput(stdin io.Reader, name string) ([]byte, error) {
	var (
		data []byte
		err  error
	)
	switch {
	case name != "-":
		data, err = os.ReadFile(name)
	case stdin == nil:
		err = errors.New("no standard input")
	default:
		data, err = io.ReadAll(stdin)
	}
	if err != nil {
		return nil, inputErrorf("reading --input: %v", err)
	}
	return data, nil
}

// CallResult is the answer to `itcare api`.
type CallResult struct {
	// Head is the (first) answer, for its status line and headers; nil when
	// none came.
	Head *Response
	// Body is what to print: the answer's body, or every page's content
	// merged into one JSON array with paginate. On an HTTP error it is the
	// error answer's body.
	Body []byte
	// Accepted: the answer is 202, a change that runs asynchronously.
	Accepted bool
	// ActionID is the action a 202 answer started (0: none or unreadable).
	ActionID int64
}

// Call sends r (with paginate, every page of a Spring page answer) and
// reads what `itcare api` reports. In dry-run mode an answer that does not
// confirm the dry run returns the result and ErrDryRunUnconfirmed.
func (c *Client) Call(ctx context.Context, r *Request, paginate bool) (*CallResult, error) {
	if paginate {
		pg, err := c.PaginateRaw(ctx, r)
		res := &CallResult{}
		if pg != nil {
			res.Head = pg.First
		}
		if err != nil {
			if res.Head != nil {
				res.Body = res.Head.Body
			}
			return res, err
		}
		if pg.Items == nil {
			res.Body = pg.First.Body
			return res, c.checkDryRun(pg.First)
		}
		merged, err := json.Marshal(pg.Items)
		if err != nil {
			return res, err
		}
		res.Body = merged
		return res, c.checkDryRun(pg.First)
	}
	resp, err := c.Do(ctx, r)
	res := &CallResult{Head: resp}
	if resp != nil {
		res.Body = resp.Body
	}
	if err != nil {
		return res, err
	}
	if err := c.checkDryRun(resp); err != nil {
		return res, err
	}
	res.Accepted = resp.StatusCode == http.StatusAccepted
	if res.Accepted && !c.dryRun {
		acc, err := ParseAccepted(resp)
		if mm := (*MismatchError)(nil); errors.As(err, &mm) {
			return res, err // an action id no action can have
		}
		if err == nil && acc.ActionID > 0 {
			res.ActionID = acc.ActionID
		}
	}
	return res, nil
}

// checkDryRun is the one check that a dry-run request was answered as one:
// the answer must echo ITCare-DryRun: true.
func (c *Client) checkDryRun(resp *Response) error {
	if c.dryRun && !resp.DryRunConfirmed() {
		return ErrDryRunUnconfirmed
	}
	return nil
}

// HasBody reports whether b has anything but white space.
func HasBody(b []byte) bool { return len(bytes.TrimSpace(b)) > 0 }
