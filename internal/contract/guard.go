package contract

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"

	"github.com/itcare-cli/itcare/internal/redact"
)

// maxViolations bounds the memory a long-running server spends on them.
const maxViolations = 1000

// Guarded is a server's API behind a Guard. It is an unnamed interface of
// standard types so that a server can accept it without importing this
// package (the sandbox is embedded in the itcare binary, which must not
// link kin-openapi).
type Guarded = interface {
	http.Handler
	Violations() []string
	ResetViolations()
}

// Guard checks the traffic of one server against the contract. Every
// request it passes on and every answer the server gives are checked:
//
//   - a request whose parameters, query or body break the contract is
//     refused (reject: 400 in the server's own error shape) and recorded;
//   - a request the contract does not describe (unknown path or method) or
//     that lacks the bearer token a secured operation requires is recorded,
//     then served as usual (404, 405 or 401: what the real API would say);
//   - an answer whose status is not declared for the operation, or whose
//     Content-Type or body does not match, is recorded and logged, and sent
//     unchanged.
//
// Servers share a Checker (the parsed document) but each has its own Guard
// (its own violations).
type Guard struct {
	checker *Checker
	next    http.Handler
	prefix  string
	log     func(line string)
	reject  func(w http.ResponseWriter, desc, msg string)

	mu         sync.Mutex
	violations []string
	dropped    int // violations beyond maxViolations
}

// Guard wraps next, which serves the API under prefix (such as "/itcare");
// log (nil: nowhere) gets one line per violation.
func (c *Checker) Guard(next http.Handler, prefix string, log func(line string), reject func(w http.ResponseWriter, desc, msg string)) Guarded {
	return &Guard{checker: c, next: next, prefix: prefix, log: log, reject: reject}
}

// Violations returns the violations recorded so far, oldest first, one line
// each ("request ..." or "response ...").
func (g *Guard) Violations() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := slices.Clone(g.violations)
	if g.dropped > 0 {
		out = append(out, fmt.Sprintf("... and %d more violations", g.dropped))
	}
	return out
}

// ResetViolations forgets the recorded violations (for tests that send
// wrong requests on purpose).
func (g *Guard) ResetViolations() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.violations, g.dropped = nil, 0
}

func (g *Guard) record(v string) {
	g.mu.Lock()
	if len(g.violations) < maxViolations {
		g.violations = append(g.violations, v)
	} else {
		g.dropped++
	}
	g.mu.Unlock()
	if g.log != nil {
		g.log("contract violation: " + v)
	}
}

// ServeHTTP checks r, serves it with the guarded handler and checks the
// answer.
func (g *Guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	what := r.Method + " " + r.URL.Path
	if q := redact.Query(r.URL); q != "" {
		what += "?" + q
	}
	checkResponse, reject, desc, msg := g.checker.CheckRequest(r, body, strings.TrimPrefix(r.URL.Path, g.prefix))
	if msg != "" {
		g.record("request " + what + ": " + msg)
		if reject {
			g.reject(w, desc, "request does not match the ITCare API contract: "+msg)
			return
		}
	}
	if checkResponse == nil {
		g.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder() // holds the answer until it has been checked
	maps.Copy(rec.Header(), w.Header().Clone())
	g.next.ServeHTTP(rec, r)
	if msg := checkResponse(rec.Code, rec.Header(), rec.Body.Bytes()); msg != "" {
		g.record(fmt.Sprintf("response %d to %s: %s", rec.Code, what, msg))
	}
	h := w.Header() // the answer as the server left it, headers removed included
	maps.DeleteFunc(h, func(k string, _ []string) bool { _, kept := rec.Header()[k]; return !kept })
	maps.Copy(h, rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
