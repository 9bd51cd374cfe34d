package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// reply is a response computed under the lock and written after it.
type reply struct {
	status int
	body   []byte // nil: no body
	header http.Header
}

func jsonReply(status int, v any) reply {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("sandbox: encoding response: %v", err))
	}
	return reply{status: status, body: bytes.TrimRight(buf.Bytes(), "\n")}
}

func writeReply(w http.ResponseWriter, rep reply) {
	for k, vs := range rep.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if rep.body != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	}
	w.WriteHeader(rep.status)
	if rep.body != nil {
		_, _ = w.Write(rep.body)
	}
}

// statusEnum is the HTTP reason as Spring's HttpStatus enum name
// (documented, ERRORS).
func statusEnum(code int) string {
	switch code {
	case http.StatusRequestEntityTooLarge:
		return "PAYLOAD_TOO_LARGE"
	case http.StatusUnprocessableEntity:
		return "UNPROCESSABLE_ENTITY"
	}
	return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(http.StatusText(code)))
}

// apiError is the documented error body: status, errorCode, errorDesc, errorMessage.
func apiError(status int, code, desc, msg string) reply {
	return jsonReply(status, struct {
		Status       string `json:"status"`
		ErrorCode    string `json:"errorCode"`
		ErrorDesc    string `json:"errorDesc"`
		ErrorMessage string `json:"errorMessage"`
	}{statusEnum(status), code, desc, msg})
}

func badValue(field, format string, args ...any) reply {
	return apiError(http.StatusBadRequest, "INVALID_FIELD_VALUE", field, fmt.Sprintf(format, args...))
}

func notFoundPath(p string) reply {
	return apiError(http.StatusNotFound, "NOT_FOUND", p, "no resource at "+p)
}

func methodNotAllowed(method string, allow ...string) reply {
	rep := apiError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", method,
		fmt.Sprintf("method %s is not supported here; allowed: %s", method, strings.Join(allow, ", ")))
	rep.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
	return rep
}

func conflict(code, msg string) reply {
	return apiError(http.StatusConflict, code, "status", msg)
}

// call is one authenticated API request.
type call struct {
	r      *http.Request
	body   []byte
	client string
	dryRun bool
	query  url.Values
}

func (c *call) is(methods ...string) bool {
	for _, m := range methods {
		if c.r.Method == m || (m == http.MethodGet && c.r.Method == http.MethodHead) {
			return true
		}
	}
	return false
}

// serveAPI answers everything under /itcare.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	rel := strings.TrimPrefix(r.URL.Path, apiPrefix)
	body, _ := io.ReadAll(r.Body) // read whole before (serveHTTP)
	if rel == "/health" || rel == "/api/status" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeReply(w, methodNotAllowed(r.Method, http.MethodGet))
			return
		}
		writeReply(w, jsonReply(http.StatusOK, map[string]string{"status": "UP"}))
		return
	}
	// Unknown paths are 404 even without a token (sandbox choice), so that
	// clients probing for an endpoint see "not found", not "unauthorized".
	if !knownAPIPath(rel) {
		writeReply(w, notFoundPath(apiPrefix+rel))
		return
	}
	client, ok := s.realm.Bearer(r)
	if !ok {
		// Documented: 401 has an empty body.
		w.Header().Set("WWW-Authenticate", "Bearer")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	s.settleLocked()
	s.churnLocked()
	q, err := url.ParseQuery(r.URL.RawQuery)
	var rep reply
	if err != nil {
		rep = apiError(http.StatusBadRequest, "INVALID_QUERY", "query", "malformed query string")
	} else {
		rep = s.dispatchLocked(&call{r: r, body: body, client: client, dryRun: isDryRun(r), query: q}, rel)
	}
	s.mu.Unlock()
	writeReply(w, rep)
}

// knownAPIPath reports whether rel is one of the routes served under /itcare.
func knownAPIPath(rel string) bool {
	segs := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	if rel == "" || slices.Contains(segs, "") {
		return false
	}
	if observePath(segs) != "" {
		return true
	}
	if segs[0] == "actions" {
		return len(segs) <= 2
	}
	_, ok := findRoute(segs)
	return ok
}

func (s *Server) dispatchLocked(c *call, rel string) reply {
	segs := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	if rel == "" || slices.Contains(segs, "") {
		return notFoundPath(apiPrefix + rel)
	}
	switch {
	case segs[0] == "actions" && len(segs) == 1:
		if !c.is(http.MethodGet) {
			return methodNotAllowed(c.r.Method, http.MethodGet)
		}
		return s.listActions(c)
	case segs[0] == "actions" && len(segs) == 2:
		if !c.is(http.MethodGet) {
			return methodNotAllowed(c.r.Method, http.MethodGet)
		}
		id, err := strconv.ParseInt(segs[1], 10, 64)
		if err != nil {
			return badValue("actionId", "action id %q is not an integer", segs[1])
		}
		return s.getAction(c, id)
	}
	if rep, ok := s.observeRoute(c, segs); ok {
		return rep
	}
	if rep, ok := s.dispatchFamilyLocked(c, segs); ok {
		return rep
	}
	return notFoundPath(apiPrefix + rel)
}

// checkParams rejects query parameters outside allowed (sandbox choice:
// strictness catches misspelled parameters in tests).
func checkParams(q url.Values, allowed ...string) *reply {
	var unknown []string
	for k := range q {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	msg := fmt.Sprintf("unknown query parameter %q", unknown[0])
	if len(allowed) > 0 {
		msg += "; supported: " + strings.Join(allowed, ", ")
	} else {
		msg += "; this endpoint takes no query parameters"
	}
	rep := apiError(http.StatusBadRequest, "UNKNOWN_PARAMETER", unknown[0], msg)
	return &rep
}

// listValues reads an array parameter given as repeated parameters and/or
// comma-separated values.
func listValues(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func intValues(q url.Values, name string) ([]int64, *reply) {
	var out []int64
	for _, v := range listValues(q, name) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			rep := badValue(name, "%s: %q is not an integer", name, v)
			return nil, &rep
		}
		out = append(out, n)
	}
	return out, nil
}

// singleValue reads a non-array parameter; repeating it is an error.
func singleValue(q url.Values, name string) (string, bool, *reply) {
	vs, ok := q[name]
	if !ok {
		return "", false, nil
	}
	if len(vs) != 1 {
		rep := badValue(name, "%s must be given once", name)
		return "", false, &rep
	}
	return strings.TrimSpace(vs[0]), true, nil
}

// intParam reads an optional integer parameter from lo to hi (def when
// absent); bad is the message for any other value (%q: the value).
func intParam(q url.Values, name string, def, lo, hi int, bad string) (int, *reply) {
	v, ok, rep := singleValue(q, name)
	if rep != nil || !ok {
		return def, rep
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r := badValue(name, bad, v)
		return 0, &r
	}
	return n, nil
}

// boolParam reads an optional true/false parameter.
func boolParam(q url.Values, name string) (*bool, *reply) {
	v, ok, rep := singleValue(q, name)
	if rep != nil || !ok {
		return nil, rep
	}
	switch strings.ToLower(v) {
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
	}
	r := badValue(name, "%s: %q is not a boolean (true or false)", name, v)
	return nil, &r
}

// jsonBody decodes an optional JSON object body. An empty body yields nil.
func jsonBody(c *call, required bool) (map[string]any, *reply) {
	if len(bytes.TrimSpace(c.body)) == 0 {
		if required {
			rep := apiError(http.StatusBadRequest, "INVALID_BODY", "body", "a JSON request body is required")
			return nil, &rep
		}
		return nil, nil
	}
	mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		rep := apiError(http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type",
			fmt.Sprintf("Content-Type %q is not supported; send application/json", c.r.Header.Get("Content-Type")))
		return nil, &rep
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		rep := apiError(http.StatusBadRequest, "INVALID_BODY", "body", "the request body is not a JSON object")
		return nil, &rep
	}
	if len(bytes.TrimSpace(c.body[dec.InputOffset():])) != 0 {
		rep := apiError(http.StatusBadRequest, "INVALID_BODY", "body", "unexpected data after the JSON object")
		return nil, &rep
	}
	return m, nil
}

// optionalString reads a string field of a body (absent or null: "").
func optionalString(m map[string]any, field string) (string, *reply) {
	v, ok := m[field]
	if !ok || v == nil {
		return "", nil
	}
	str, isStr := v.(string)
	if !isStr {
		rep := badValue(field, "%s must be a string", field)
		return "", &rep
	}
	return str, nil
}

// dryRunReply is the 202 answer to a validated dry run (sandbox choice: the
// real status and body are undocumented).
func dryRunReply(msg string) reply {
	return jsonReply(http.StatusAccepted, map[string]any{"dryRun": true, "status": "VALIDATED", "message": msg})
}
