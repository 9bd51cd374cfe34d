// Package contract checks HTTP requests and answers against the OpenAPI
// contract of the ITCare API (internal/api/openapi.yaml) with kin-openapi.
// The sandbox uses it in tests (sandbox.Options.Contract) so the CLI, the
// sandbox and the contract cannot drift apart. It lives apart from the
// sandbox so that the itcare binary, which embeds the sandbox, does not link
// kin-openapi: its start-up code alone doubled the CLI's start-up time.
package contract

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

// Checker is a loaded contract: the document and its router. It is
// read-only once built and shared by every user of the same document.
type Checker struct {
	doc    *openapi3.T
	router routers.Router
}

var cache struct {
	mu    sync.Mutex
	specs map[[sha256.Size]byte]*Checker
}

// Load parses doc once per distinct content.
func Load(doc []byte) (*Checker, error) {
	key := sha256.Sum256(doc)
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if c := cache.specs[key]; c != nil {
		return c, nil
	}
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	// Routes are matched on the path below the API base, whatever host
	// serves it: the document's servers name the real API.
	t.Servers = nil
	router, err := legacy.NewRouter(t)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	c := &Checker{doc: t, router: router}
	if cache.specs == nil {
		cache.specs = map[[sha256.Size]byte]*Checker{}
	}
	cache.specs[key] = c
	return c, nil
}

// MustLoad is Load for an embedded document, where an error is a bug.
func MustLoad(doc []byte) *Checker {
	c, err := Load(doc)
	if err != nil {
		panic(err.Error())
	}
	return c
}

// Document returns the parsed contract.
func (c *Checker) Document() *openapi3.T { return c.doc }

// CheckRequest validates r, whose path below the API base is rel. reject
// means the request breaks the contract and must be answered 400 (desc names
// the parameter or field, msg says what is wrong); a msg without reject is a
// problem to record while serving the request as usual (unknown route,
// missing token). checkResponse, nil when the contract has no operation for
// the request, validates the answer and returns "" when it conforms.
func (c *Checker) CheckRequest(r *http.Request, body []byte, rel string) (checkResponse func(status int, header http.Header, body []byte) string, reject bool, desc, msg string) {
	in, p := c.checkRequest(r, body, rel)
	if in != nil {
		checkResponse = func(status int, header http.Header, body []byte) string {
			return c.checkResponse(in, status, header, body)
		}
	}
	if p != nil {
		return checkResponse, p.reject, p.desc, p.msg
	}
	return checkResponse, false, "", ""
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
func (c *Checker) checkRequest(r *http.Request, body []byte, rel string) (*openapi3filter.RequestValidationInput, *requestProblem) {
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

func (c *Checker) options() *openapi3filter.Options {
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
// and Spring reads both, while OpenAPI's form+explode
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

// checkResponse validates an answer; "" means it conforms.
func (c *Checker) checkResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) string {
	opts := c.options()
	// Error statuses may come with an empty body (documented).
	if len(body) == 0 && status >= 400 {
		opts.ExcludeResponseBody = true
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	out.SetBodyBytes(body)
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
		return "status " + strconv.Itoa(status) + " is not declared for " + in.Route.Method + " " + in.Route.Path
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
