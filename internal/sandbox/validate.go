package sandbox

// Contract validation. With Options.Contract (normally
// contract.MustLoad(api.OpenAPISpec), the OpenAPI document of internal/api
// checked by internal/contract), every request the sandbox receives
// under /itcare and every answer it sends there are checked against the
// contract:
//
//   - a request whose parameters, query or body break the contract is
//     answered 400 CONTRACT_VIOLATION and recorded;
//   - a request the contract does not describe (unknown path or method) or
//     that lacks the bearer token a secured operation requires is recorded,
//     then served as usual (404, 405 or 401: what the real API would say);
//   - an answer whose status is not declared for the operation, or whose
//     Content-Type or body does not match, is recorded and logged, and sent
//     unchanged.
//
// Violations() returns what was recorded. The realm (/auth/...) is not part
// of the contract. Answers altered by fault injection are not checked: the
// check sits inside the normal processing, faults act around it.
//
// The checker is passed in Options, not built here: internal/api's tests
// import the sandbox, and the itcare binary must not link kin-openapi.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
)

// contractState is the contract of one Server and what it recorded.
type contractState struct {
	checker ContractChecker

	mu         sync.Mutex
	violations []string
	dropped    int // violations beyond maxViolations
}

// maxViolations bounds the memory a long-running sandbox spends on them.
const maxViolations = 1000

// ContractChecker checks requests and answers against the API contract
// (package internal/contract implements it with kin-openapi). Only standard
// types cross this interface, so the sandbox, and the itcare binary that
// embeds it, do not link the validator.
type ContractChecker interface {
	// CheckRequest validates r, whose path below /itcare is rel. reject:
	// answer 400 CONTRACT_VIOLATION with desc and msg; msg without reject:
	// record it and serve as usual. checkResponse (nil when the contract has
	// no operation for the request) returns "" when an answer conforms.
	CheckRequest(r *http.Request, body []byte, rel string) (checkResponse func(status int, header http.Header, body []byte) string, reject bool, desc, msg string)
}

func newContractState(c ContractChecker) *contractState {
	if c == nil {
		return nil
	}
	return &contractState{checker: c}
}

// Violations returns the contract violations recorded so far, oldest first,
// one line each ("request ..." or "response ..."). Always empty without
// Options.Contract.
func (s *Server) Violations() []string {
	cs := s.contract
	if cs == nil {
		return nil
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := slices.Clone(cs.violations)
	if cs.dropped > 0 {
		out = append(out, fmt.Sprintf("... and %d more violations", cs.dropped))
	}
	return out
}

// ResetViolations forgets the recorded violations (for tests that send
// wrong requests on purpose).
func (s *Server) ResetViolations() {
	if cs := s.contract; cs != nil {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		cs.violations, cs.dropped = nil, 0
	}
}

func (s *Server) recordViolation(v string) {
	cs := s.contract
	cs.mu.Lock()
	if len(cs.violations) < maxViolations {
		cs.violations = append(cs.violations, v)
	} else {
		cs.dropped++
	}
	cs.mu.Unlock()
	if s.log != nil {
		s.logMu.Lock()
		defer s.logMu.Unlock()
		_, _ = io.WriteString(s.log, formatDate(s.now())+" contract violation: "+v+"\n")
	}
}

// serveAPIChecked serves a request under /itcare (rel is the path below
// it), validating the request and the answer when a contract is set.
func (s *Server) serveAPIChecked(w http.ResponseWriter, r *http.Request, body []byte, rel string) {
	cs := s.contract
	if cs == nil {
		s.serveAPI(w, r, body, rel)
		return
	}
	what := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		what += "?" + redactQuery(r.URL)
	}
	checkResponse, reject, desc, msg := cs.checker.CheckRequest(r, body, rel)
	if msg != "" {
		s.recordViolation("request " + what + ": " + msg)
		if reject {
			writeReply(w, apiError(http.StatusBadRequest, "CONTRACT_VIOLATION", desc,
				"request does not match the ITCare API contract: "+msg))
			return
		}
	}
	if checkResponse == nil {
		s.serveAPI(w, r, body, rel)
		return
	}
	cw := &capturedResponse{header: w.Header().Clone()}
	s.serveAPI(cw, r, body, rel)
	if msg := checkResponse(cw.status(), cw.header, cw.buf.Bytes()); msg != "" {
		s.recordViolation(fmt.Sprintf("response %d to %s: %s", cw.status(), what, msg))
	}
	cw.sendTo(w)
}

// capturedResponse holds an answer until it has been checked.
type capturedResponse struct {
	header http.Header
	code   int
	buf    bytes.Buffer
}

func (c *capturedResponse) Header() http.Header { return c.header }

func (c *capturedResponse) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}

func (c *capturedResponse) Write(p []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	return c.buf.Write(p)
}

func (c *capturedResponse) status() int {
	if c.code == 0 {
		return http.StatusOK
	}
	return c.code
}

// sendTo writes the captured answer, headers included, to w.
func (c *capturedResponse) sendTo(w http.ResponseWriter) {
	h := w.Header()
	for k := range h {
		if _, ok := c.header[k]; !ok {
			delete(h, k)
		}
	}
	for k, vs := range c.header {
		h[k] = vs
	}
	w.WriteHeader(c.status())
	if c.buf.Len() > 0 {
		_, _ = w.Write(c.buf.Bytes())
	}
}
