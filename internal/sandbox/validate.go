package sandbox

// Contract validation. With Options.Contract (normally api.OpenAPISpec, the
// OpenAPI document of internal/api), every request the sandbox receives
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
// The sandbox cannot import internal/api (internal/api's own tests import
// the sandbox), hence the document is passed in Options.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// contractSpec is a loaded contract: the document and its router. It is
// read-only once built and shared by every Server given the same document.
type contractSpec struct {
	doc    *openapi3.T
	router routers.Router
}

// contractState is the contract of one Server and what it recorded.
type contractState struct {
	spec *contractSpec

	mu         sync.Mutex
	violations []string
	dropped    int // violations beyond maxViolations
}

// maxViolations bounds the memory a long-running sandbox spends on them.
const maxViolations = 1000

var contractCache struct {
	mu    sync.Mutex
	specs map[[sha256.Size]byte]*contractSpec
}

// loadContract parses doc once per distinct content.
func loadContract(doc []byte) (*contractSpec, error) {
	key := sha256.Sum256(doc)
	contractCache.mu.Lock()
	defer contractCache.mu.Unlock()
	if c := contractCache.specs[key]; c != nil {
		return c, nil
	}
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("sandbox: contract: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("sandbox: contract: %w", err)
	}
	// Routes are matched on the path below /itcare, whatever host serves
	// the sandbox: the document's servers name the real API.
	t.Servers = nil
	router, err := legacy.NewRouter(t)
	if err != nil {
		return nil, fmt.Errorf("sandbox: contract: %w", err)
	}
	c := &contractSpec{doc: t, router: router}
	if contractCache.specs == nil {
		contractCache.specs = map[[sha256.Size]byte]*contractSpec{}
	}
	contractCache.specs[key] = c
	return c, nil
}

// newContractState loads doc (nil: no validation); it panics on an invalid
// document, which is a programming error (the document is embedded).
func newContractState(doc []byte) *contractState {
	if doc == nil {
		return nil
	}
	spec, err := loadContract(doc)
	if err != nil {
		panic(err.Error())
	}
	return &contractState{spec: spec}
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
	in, problem := cs.spec.checkRequest(r, body, rel)
	if problem != nil {
		s.recordViolation("request " + what + ": " + problem.msg)
		if problem.reject {
			writeReply(w, apiError(http.StatusBadRequest, "CONTRACT_VIOLATION", problem.desc,
				"request does not match the ITCare API contract: "+problem.msg))
			return
		}
	}
	if in == nil {
		s.serveAPI(w, r, body, rel)
		return
	}
	cw := &capturedResponse{header: w.Header().Clone()}
	s.serveAPI(cw, r, body, rel)
	if msg := cs.spec.checkResponse(in, cw); msg != "" {
		s.recordViolation(fmt.Sprintf("response %d to %s: %s", cw.status(), what, msg))
	}
	cw.sendTo(w)
}

// requestProblem is what is wrong with a request. reject: answer 400
// CONTRACT_VIOLATION; otherwise the request is recorded and served.
type requestProblem struct {
	reject bool
	desc   string // errorDesc: the parameter, "body", "path"...
	msg    string
}

// checkRequest validates r (rel is its path below /itcare). It returns the
// validation input for the response check (nil when the contract has no
// operation for the request) and the problem found, if any.
func (c *contractSpec) checkRequest(r *http.Request, body []byte, rel string) (*openapi3filter.RequestValidationInput, *requestProblem) {
	req := r.Clone(r.Context())
	req.URL.Path, req.URL.RawPath = rel, ""
	if req.Method == http.MethodHead {
		req.Method = http.MethodGet // the sandbox serves HEAD as GET
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = nil

	route, pathParams, err := c.router.FindRoute(req)
	if err != nil {
		reason := "no such path in the contract"
		if errors.Is(err, routers.ErrMethodNotAllowed) || strings.Contains(err.Error(), routers.ErrMethodNotAllowed.Error()) {
			reason = "method " + r.Method + " is not in the contract for this path"
		}
		return nil, &requestProblem{desc: "path", msg: reason}
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams,
		Route:      route,
		Options:    c.options(),
	}
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		return in, &requestProblem{reject: true, desc: "query", msg: "malformed query string"}
	}
	if p := unknownQueryParam(route, req.URL.Query()); p != nil {
		return in, p
	}
	in.QueryParams = splitCommaArrays(route, req.URL.Query())
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		desc, msg := describeRequestError(err)
		return in, &requestProblem{reject: true, desc: desc, msg: msg}
	}
	// The request body was re-read by the validator; give the response
	// check a fresh request.
	in.Request.Body = io.NopCloser(bytes.NewReader(body))
	if secured(route) && !hasBearer(r) {
		return in, &requestProblem{desc: "Authorization", msg: "no bearer token on an operation that requires bearerAuth"}
	}
	return in, nil
}

func (c *contractSpec) options() *openapi3filter.Options {
	return &openapi3filter.Options{
		// Security is checked by checkRequest: a missing token is the
		// sandbox's 401, not a 400.
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus:   true,
		SkipSettingDefaults:     true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
	}
}

// unknownQueryParam finds a query parameter the operation does not declare
// (OpenAPI allows extra ones; the sandbox does not, to catch misspellings).
func unknownQueryParam(route *routers.Route, q url.Values) *requestProblem {
	var declared []string
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared = append(declared, p.Value.Name)
			}
		}
	}
	var unknown []string
	for k := range q {
		if !slices.Contains(declared, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	msg := fmt.Sprintf("unknown query parameter %q for %s %s", unknown[0], route.Method, route.Path)
	if len(declared) > 0 {
		msg += "; declared: " + strings.Join(declared, ", ")
	} else {
		msg += "; it takes no query parameters"
	}
	return &requestProblem{reject: true, desc: unknown[0], msg: msg}
}

// splitCommaArrays reads `names=a,b` like `names=a&names=b` for the array
// parameters of the operation: the docs write array filters comma-separated
// (itcare-api.md §4) and Spring reads both, while OpenAPI's form+explode
// describes only the repeated form.
func splitCommaArrays(route *routers.Route, q url.Values) url.Values {
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			v := p.Value
			if v == nil || v.In != openapi3.ParameterInQuery || v.Schema == nil || v.Schema.Value == nil ||
				!v.Schema.Value.Type.Is(openapi3.TypeArray) || len(q[v.Name]) == 0 {
				continue
			}
			var vals []string
			for _, x := range q[v.Name] {
				if !strings.Contains(x, ",") {
					vals = append(vals, x)
					continue
				}
				for _, part := range strings.Split(x, ",") {
					if part = strings.TrimSpace(part); part != "" {
						vals = append(vals, part)
					}
				}
			}
			q[v.Name] = vals
		}
	}
	return q
}

func secured(route *routers.Route) bool {
	reqs := route.Operation.Security
	if reqs == nil {
		reqs = &route.Spec.Security
	}
	return len(*reqs) > 0
}

func hasBearer(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != ""
}

// describeRequestError turns a validator error into an errorDesc and a
// one-line message.
func describeRequestError(err error) (desc, msg string) {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return "request", oneLine(err.Error())
	}
	switch {
	case re.Parameter != nil:
		desc = re.Parameter.Name
		msg = fmt.Sprintf("%s parameter %q: ", re.Parameter.In, re.Parameter.Name)
	case re.RequestBody != nil:
		desc, msg = "body", "body: "
	default:
		desc = "request"
	}
	var se *openapi3.SchemaError
	switch {
	case errors.As(re.Err, &se):
		if p := se.JSONPointer(); len(p) > 0 {
			desc = strings.Join(p, ".")
			if re.RequestBody == nil && re.Parameter != nil {
				desc = re.Parameter.Name
			}
			msg += "/" + strings.Join(p, "/") + ": "
		}
		msg += schemaReason(se)
	case re.Err != nil && re.Reason != "":
		msg += re.Reason + ": " + re.Err.Error()
	case re.Err != nil:
		msg += re.Err.Error()
	default:
		msg += re.Reason
	}
	return desc, oneLine(msg)
}

func schemaReason(se *openapi3.SchemaError) string {
	if se.Origin != nil {
		return se.Origin.Error()
	}
	if se.Reason != "" {
		return se.Reason
	}
	return "does not match the schema (" + se.SchemaField + ")"
}

// checkResponse validates the answer captured in cw; "" means it conforms.
func (c *contractSpec) checkResponse(in *openapi3filter.RequestValidationInput, cw *capturedResponse) string {
	opts := c.options()
	// Error statuses may come with an empty body (documented, §3).
	if cw.buf.Len() == 0 && cw.status() >= 400 {
		opts.ExcludeResponseBody = true
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 cw.status(),
		Header:                 cw.header,
		Options:                opts,
	}
	out.SetBodyBytes(cw.buf.Bytes())
	err := openapi3filter.ValidateResponse(context.Background(), out)
	if err == nil {
		return ""
	}
	var re *openapi3filter.ResponseError
	var se *openapi3.SchemaError
	switch {
	case errors.As(err, &se):
		where := "body"
		if p := se.JSONPointer(); len(p) > 0 {
			where += " /" + strings.Join(p, "/")
		}
		return oneLine(where + ": " + schemaReason(se))
	case errors.As(err, &re) && re.Reason == "status is not supported":
		return "status " + strconv.Itoa(cw.status()) + " is not declared for " + in.Route.Method + " " + in.Route.Path
	}
	return oneLine(err.Error())
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
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
