package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// HTTPError is every non-2xx answer of the API. The documented error body
// is optional: 401/403/404/409/422/500/503 usually come empty.
type HTTPError struct {
	StatusCode   int    `json:"-"`
	Status       string `json:"status,omitempty"`       // e.g. BAD_REQUEST
	Code         string `json:"errorCode,omitempty"`    // e.g. INVALID_FIELD_VALUE
	Desc         string `json:"errorDesc,omitempty"`    // e.g. the field name
	Message      string `json:"errorMessage,omitempty"` // human text
	Method       string `json:"-"`
	Path         string `json:"-"`
	Subject      string `json:"-"` // what was asked for, e.g. "instance 42"
	Excerpt      string `json:"-"` // start of a body that was not the documented JSON
	DryRunHeader bool   `json:"-"`
	// RetryAfter is the answer's Retry-After (429, 503), 0 when absent.
	RetryAfter time.Duration `json:"-"`
}

// HTTPStatus and ErrorCode let the output layer print structured errors.
func (e *HTTPError) HTTPStatus() int   { return e.StatusCode }
func (e *HTTPError) ErrorCode() string { return e.Code }

func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
		if e.Code != "" || e.Desc != "" {
			b.WriteString(" (" + strings.Trim(e.Code+": "+e.Desc, ": ") + ")")
		}
	case e.Code != "" || e.Desc != "":
		b.WriteString(": " + strings.Trim(e.Code+": "+e.Desc, ": "))
	case e.StatusCode == http.StatusNotFound && e.Subject != "":
		b.WriteString(": no such " + e.Subject)
	case e.Excerpt != "":
		fmt.Fprintf(&b, ": %s %s answered with an unexpected body: %s", e.Method, e.Path, e.Excerpt)
	default:
		b.WriteString(": " + e.fallback())
	}
	return b.String()
}

func (e *HTTPError) fallback() string {
	what := e.Subject
	if what == "" {
		what = e.Method + " " + e.Path
	}
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return "the API did not accept the access token for " + what
	case http.StatusForbidden:
		return "the API account is not allowed to do " + what
	case http.StatusConflict:
		return what + " conflicts with the resource's current state"
	case http.StatusUnprocessableEntity:
		return what + " was rejected as inconsistent"
	case http.StatusTooManyRequests:
		return "too many requests for " + what
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return "the API is unavailable (" + what + ")"
	default:
		return what
	}
}

// IsNotFound reports whether err is the API's 404 answer.
func IsNotFound(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.StatusCode == http.StatusNotFound
}

// IsAuth reports whether the error is an authentication or authorisation refusal.
func (e *HTTPError) IsAuth() bool {
	return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
}

// newHTTPError builds the typed error from a response body, tolerating empty,
// non-JSON and partial bodies.
func newHTTPError(status int, method, path, subject string, body []byte) *HTTPError {
	e := &HTTPError{StatusCode: status, Method: method, Path: path, Subject: subject}
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return e
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(trimmed), &fields); err == nil {
		str := func(k string) string { v, _ := fields[k].(string); return v }
		e.Status, e.Code, e.Desc = str("status"), str("errorCode"), str("errorDesc")
		// Spring Boot's default error body uses "message" and "error".
		e.Message = firstNonEmpty(str("errorMessage"), str("message"), str("error_description"), str("error"))
		if e.Message != "" || e.Code != "" || e.Desc != "" {
			return e
		}
	}
	e.Excerpt = Excerpt(trimmed, 200)
	return e
}

// Excerpt returns the first n runes of s on one line, for error messages
// about bodies that are not what the API documents (an HTML page from a proxy).
func Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// DecodeError is a 2xx answer whose body could not be read as the expected JSON.
type DecodeError struct {
	Method, Path string
	StatusCode   int
	Excerpt      string
	Err          error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s %s: %d %s but the body is not the expected JSON (%v): %s",
		e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode), e.Err, e.Excerpt)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// ActionFailedError reports actions that ended in ERROR (exit code 3).
type ActionFailedError struct{ Actions []*Action }

func (e *ActionFailedError) Error() string {
	parts := make([]string, 0, len(e.Actions))
	for _, a := range e.Actions {
		msg := a.Message
		if msg == "" {
			msg = "no message"
		}
		parts = append(parts, fmt.Sprintf("action %d (%s %s) ended in ERROR: %s", a.ID, a.Process, a.ResourceName, msg))
	}
	return strings.Join(parts, "; ")
}

// WaitTimeoutError reports actions still running when the wait timed out (exit code 5).
type WaitTimeoutError struct {
	Running []int64
	Timeout string
}

func (e *WaitTimeoutError) Error() string {
	return fmt.Sprintf("timed out after %s waiting for action(s) %s", e.Timeout, joinIDs(e.Running))
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, " ")
}

// ResumeHint is the command that resumes waiting on ids.
func ResumeHint(ids []int64) string { return "itcare actions wait " + joinIDs(ids) }

// ErrDryRunUnconfirmed is returned when a dry-run request was answered
// without the ITCare-DryRun header: the server may have done the change.
var ErrDryRunUnconfirmed = errors.New("the server did not confirm the dry run (no ITCare-DryRun: true in its answer); the change may have been applied")
