package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/contract"
)

// The contract tests talk to a sandbox started with Options.Contract over
// real HTTP, through the shared test env of sandbox_test.go.

// ctEnv is the shared test env (sandbox_test.go) with helpers for contract checks.
type ctEnv struct{ *env }

func newCTEnv(t *testing.T, opts Options) *ctEnv { return &ctEnv{newEnv(t, opts)} }

type ctResp struct {
	code   int
	header http.Header
	body   []byte
}

func (r ctResp) String() string { return fmt.Sprintf("%d %s", r.code, r.body) }

// do sends method path (relative to the base URL) with the token, a JSON
// body when body is not "", and extra header pairs ("Authorization", "-"
// removes the token).
func (e *ctEnv) do(method, path, body string, headers ...string) ctResp {
	e.t.Helper()
	code, h, b := e.call(method, path, body, headers...)
	return ctResp{code, h, b}
}

// json sends a request expecting want and decodes the answer into out.
func (e *ctEnv) json(want int, method, path, body string, out any, headers ...string) ctResp {
	e.t.Helper()
	r := e.do(method, path, body, headers...)
	if r.code != want {
		e.t.Fatalf("%s %s: %s, want %d", method, path, r, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, r.body)
		}
	}
	return r
}

// contractError checks a 400 CONTRACT_VIOLATION answer and its errorDesc.
func (e *ctEnv) contractError(r ctResp, desc string) {
	e.t.Helper()
	var b struct{ Status, ErrorCode, ErrorDesc, ErrorMessage string }
	if r.code != http.StatusBadRequest || json.Unmarshal(r.body, &b) != nil || b.Status != "BAD_REQUEST" ||
		b.ErrorCode != "CONTRACT_VIOLATION" || b.ErrorDesc != desc || b.ErrorMessage == "" {
		e.t.Fatalf("got %s, want 400 CONTRACT_VIOLATION about %q", r, desc)
	}
}

// noViolations fails the test if anything was recorded.
func (e *ctEnv) noViolations() {
	e.t.Helper()
	if v := e.s.Violations(); len(v) > 0 {
		e.t.Fatalf("%d contract violation(s):\n%s", len(v), strings.Join(v, "\n"))
	}
}

// waitAction advances the clock until action id is done and returns it.
func (e *ctEnv) waitAction(id any) map[string]any {
	e.t.Helper()
	path := fmt.Sprintf("/itcare/actions/%v", id)
	for range 10 {
		var a map[string]any
		e.json(200, "GET", path, "", &a)
		if a["status"] != "IN_PROGRESS" {
			return a
		}
		e.clock.Advance(time.Second)
	}
	e.t.Fatalf("action %v never ended", id)
	return nil
}

// accepted sends a change expecting 202 and waits for its action.
func (e *ctEnv) accepted(method, path, body string) map[string]any {
	e.t.Helper()
	var tr map[string]any
	e.json(202, method, path, body, &tr)
	if tr["id"] == nil {
		e.t.Fatalf("%s %s: tracking object without id: %v", method, path, tr)
	}
	if a := e.waitAction(json.Number(fmt.Sprint(tr["id"]))); a["status"] != "SUCCESS" {
		e.t.Fatalf("%s %s: action %v", method, path, a)
	}
	return tr
}

// lists GETs path with each query and expects 200.
func (e *ctEnv) lists(path string, queries ...string) {
	e.t.Helper()
	for _, q := range queries {
		e.json(200, "GET", path+"?"+q, "", nil)
	}
}

// familyServed skips the test when the sandbox does not serve path yet: it
// answers 404 NOT_FOUND for an unknown path (not RESOURCE_NOT_FOUND).
func (e *ctEnv) familyServed(path string) {
	e.t.Helper()
	r := e.do("GET", path, "")
	var b struct{ ErrorCode string }
	if r.code == http.StatusNotFound && json.Unmarshal(r.body, &b) == nil && b.ErrorCode == "NOT_FOUND" {
		e.s.ResetViolations() // the probe of an unserved path is recorded
		e.t.Skipf("the sandbox does not serve %s yet", path)
	}
}

func contractDoc(t *testing.T) *openapi3.T {
	t.Helper()
	c, err := contract.Load(api.OpenAPISpec)
	if err != nil {
		t.Fatal(err)
	}
	return c.Document()
}

// The embedded document is valid OpenAPI 3.0.3 (examples included), and
// keeps the conventions the CLI and the sandbox rely on.
func TestContractDocument(t *testing.T) {
	doc := contractDoc(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	t2, err := openapi3.NewLoader().LoadFromData(api.OpenAPISpec)
	if err != nil || len(t2.Servers) != 1 || t2.Servers[0].URL != "https://api.cegedim.cloud/itcare" {
		t.Errorf("servers: %v", err)
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" {
		t.Errorf("bearerAuth: %+v", s)
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearerAuth"] == nil {
		t.Errorf("global security %v", doc.Security)
	}
	wantPaths := []string{"/health", "/api/status", "/actions", "/actions/{actionId}", "/compute/instances",
		"/compute/instances/{id}", "/compute/instances/{id}/networks", "/compute/instances/{id}/storage",
		"/compute/instances/{id}/snapshots", "/compute/resources", "/compute/resources/{id}",
		"/compute/containers/kubernetes", "/compute/containers/kubernetes/{id}",
		"/compute/containers/kubernetes/{id}/nodes", "/compute/containers/kubernetes/{id}/nodes/{nodeId}",
		"/networking/loadbalancers", "/networking/loadbalancers/{id}", "/storage/overdrive", "/storage/overdrive/{id}"}
	for _, p := range wantPaths {
		if doc.Paths.Value(p) == nil {
			t.Errorf("path %s missing", p)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			open := path == "/health" || path == "/api/status"
			if public := op.Security != nil && len(*op.Security) == 0; public != open {
				t.Errorf("%s: public %v", name, public)
			}
			desc := strings.Join(strings.Fields(op.Description), " ")
			if op.Extensions["x-itcare-status"] == nil || !strings.HasPrefix(desc, "Source: ") {
				t.Errorf("%s: the description must name its source and status", name)
			}
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", name)
			}
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				v := p.Value
				if v.In == "query" && v.Schema.Value.Type.Is("array") && (v.Explode == nil || !*v.Explode || v.Style != "form") {
					t.Errorf("%s: array parameter %s must be style form, explode true", name, v.Name)
				}
			}
			for code, r := range op.Responses.Map() {
				if code[0] == '2' && code != "204" && r.Value.Content.Get("application/json") == nil {
					t.Errorf("%s %s: no application/json content", name, code)
				}
				if mt := r.Value.Content.Get("application/json"); code[0] == '2' && code != "204" && mt != nil &&
					mt.Example == nil && len(mt.Examples) == 0 {
					t.Errorf("%s %s: no example", name, code)
				}
			}
		}
	}
	// Dates: the documented form is not RFC 3339, hence a pattern.
	date := doc.Components.Schemas["Date"].Value
	if date.Format != "" {
		t.Errorf("Date has format %q", date.Format)
	}
	for _, ok := range []string{"2016-06-01T12:27:19.000+0200", "2025-07-06T11:01:21.263Z", "2025-07-06T11:01:21+02:00",
		"2025-07-06T11:01:21-0500"} {
		if err := date.VisitJSON(ok); err != nil {
			t.Errorf("Date rejects %s: %v", ok, err)
		}
	}
	for _, bad := range []string{"2016-06-01", "2016-06-01 12:27:19", "2016-06-01T12:27:19", "1464776839", "2016-06-01T12:27:19.000+2"} {
		if err := date.VisitJSON(bad); err == nil {
			t.Errorf("Date accepts %s", bad)
		}
	}
	if got := formatDate(time.Date(2016, 6, 1, 10, 27, 19, 0, time.UTC)); date.VisitJSON(got) != nil {
		t.Errorf("the sandbox's dates (%s) do not match Date", got)
	}
}

func TestContractAcceptsCorrectRequests(t *testing.T) {
	e := newCTEnv(t, Options{Instances: 30, Contract: contract.MustLoad(api.OpenAPISpec)})
	var p struct {
		Content []map[string]any
	}
	e.json(200, "GET", "/itcare/compute/instances?statuses=ACTIVE&statuses=INACTIVE&names=pdeb12web01&page=0&size=5", "", &p)
	if len(p.Content) != 1 || p.Content[0]["name"] != "pdeb12web01" {
		t.Fatalf("content %v", p.Content)
	}
	e.json(200, "GET", "/itcare/health", "", nil, "Authorization", "-")
	// The documented comma-separated form of array filters is accepted too.
	e.json(200, "GET", "/itcare/compute/instances?services=2101,2102&names=pdeb12web01,qrhel9app03,&statuses=ACTIVE", "", &p)
	if len(p.Content) != 2 {
		t.Fatalf("comma form: %v", p.Content)
	}
	e.contractError(e.do("GET", "/itcare/compute/instances?services=2101,x", ""), "services")
	e.s.ResetViolations()
	e.noViolations()
}

// The "Done when": a deliberately wrong request shape is caught by
// the sandbox's validator (the prism half uses the same openapi.yaml).
func TestContractRejectsMisspelledQueryParameter(t *testing.T) {
	e := newCTEnv(t, Options{Instances: 30, Contract: contract.MustLoad(api.OpenAPISpec)})
	r := e.do("GET", "/itcare/compute/instances?statuse=ACTIVE", "")
	e.contractError(r, "statuse")
	if !bytes.Contains(r.body, []byte(`unknown query parameter \"statuse\"`)) || !bytes.Contains(r.body, []byte("statuses")) {
		t.Errorf("the message should name the parameter and the declared ones: %s", r.body)
	}
	v := e.s.Violations()
	if len(v) != 1 || !strings.HasPrefix(v[0], "request GET /itcare/compute/instances?statuse=ACTIVE: ") {
		t.Fatalf("violations %q", v)
	}
	e.s.ResetViolations()
	e.noViolations()

	// Without the contract the sandbox's own strictness answers.
	plain := newCTEnv(t, Options{Instances: 30})
	r = plain.do("GET", "/itcare/compute/instances?statuse=ACTIVE", "")
	if r.code != 400 || !bytes.Contains(r.body, []byte("UNKNOWN_PARAMETER")) || plain.s.Violations() != nil {
		t.Fatalf("without contract: %s", r)
	}
}

func TestContractRejectsWrongShapes(t *testing.T) {
	e := newCTEnv(t, Options{Instances: 30, Contract: contract.MustLoad(api.OpenAPISpec)})
	for _, c := range []struct {
		method, path, body, desc string
	}{
		{"PATCH", "/itcare/compute/instances/10001", `{"operation": 42}`, "operation"},
		{"PATCH", "/itcare/compute/instances/10001", `{"operation": "explode"}`, "operation"},
		{"PATCH", "/itcare/compute/instances/10001", `{"options": {}}`, "operation"},
		{"PATCH", "/itcare/compute/instances/10001", `{"operation": "stop", "options": 3}`, "options"},
		{"PATCH", "/itcare/compute/instances/10001", ``, "body"},
		{"POST", "/itcare/compute/instances/10001/snapshots", `{"changeReference": "RFC_1"}`, "description"},
		{"PATCH", "/itcare/compute/containers/kubernetes/3101", `{"operation": "create_nodes", "options": {"nodes": [{"nodesNb": "two", "nodeSizing": "2cpu4gb", "az": "EB-A"}]}}`, "options.nodes.0.nodesNb"},
		{"PATCH", "/itcare/storage/overdrive/5101", `{"operation": "pause"}`, "operation"},
		{"GET", "/itcare/compute/instances/abc", ``, "id"},
		{"GET", "/itcare/actions/12x", ``, "actionId"},
		{"GET", "/itcare/compute/instances?services=abc", ``, "services"},
		{"GET", "/itcare/compute/instances?page=-1", ``, "page"},
		{"GET", "/itcare/compute/instances?size=0", ``, "size"},
		{"GET", "/itcare/compute/instances?backupStatus=maybe", ``, "backupStatus"},
		{"GET", "/itcare/compute/instances?sort=name,sideways", ``, "sort"},
		{"GET", "/itcare/compute/instances?tags=novalue", ``, "tags"},
		{"GET", "/itcare/actions?resourceId=x", ``, "resourceId"},
		{"GET", "/itcare/actions/50001?verbose=true", ``, "verbose"},
		{"DELETE", "/itcare/compute/instances/10004", `{"changeReference": 7}`, "changeReference"},
	} {
		e.contractError(e.do(c.method, c.path, c.body), c.desc)
	}
	if n := len(e.s.Violations()); n != 19 {
		t.Errorf("%d violations recorded, want 19:\n%s", n, strings.Join(e.s.Violations(), "\n"))
	}
	// A body with another media type than JSON breaks the contract too.
	r := e.do("PATCH", "/itcare/compute/instances/10001", `operation=stop`, "Content-Type", "application/x-www-form-urlencoded")
	e.contractError(r, "body")

	// Nothing was done: no action, the instances are as seeded.
	var acts []map[string]any
	e.json(200, "GET", "/itcare/actions?resourceName=pdeb12web01", "", &acts)
	var inst map[string]any
	e.json(200, "GET", "/itcare/compute/instances/10001", "", &inst)
	if len(acts) != 0 || inst["status"] != "ACTIVE" {
		t.Fatalf("a rejected request changed something: %v %v", acts, inst["status"])
	}
}

// Requests outside the contract are recorded but answered as the sandbox
// (and the real API) would: 404, 405, 401.
func TestContractRecordsUnknownRoutesAndMissingToken(t *testing.T) {
	e := newCTEnv(t, Options{Instances: 5, Contract: contract.MustLoad(api.OpenAPISpec)})
	for _, c := range []struct {
		method, path string
		code         int
		auth         string
		violation    string
	}{
		{"GET", "/itcare/compute/nothing", 404, "", "no such path"},
		{"PUT", "/itcare/compute/instances", 405, "", "method PUT is not in the contract"},
		{"GET", "/itcare/compute/instances", 401, "-", "no bearer token"},
		{"GET", "/itcare/compute/instances", 401, "Basic eDp5", "no bearer token"},
	} {
		e.s.ResetViolations()
		var r ctResp
		if c.auth != "" {
			r = e.do(c.method, c.path, "", "Authorization", c.auth)
		} else {
			r = e.do(c.method, c.path, "")
		}
		v := e.s.Violations()
		if r.code != c.code || len(v) != 1 || !strings.Contains(v[0], c.violation) {
			t.Errorf("%s %s: %s; violations %q", c.method, c.path, r, v)
		}
	}
	// The realm is not part of the contract.
	e.s.ResetViolations()
	e.clientCredentials(defaultClient, defaultSecret)
	e.do("GET", "/auth/realms/cloud/.well-known/openid-configuration", "")
	e.noViolations()
}

// An answer that breaks the contract is recorded (and logged), and sent as is.
func TestContractRecordsResponseViolations(t *testing.T) {
	var log syncBuffer
	e := newCTEnv(t, Options{Instances: 3, Contract: contract.MustLoad(api.OpenAPISpec), Log: &log})
	id := e.s.AddInstance(map[string]any{"name": "badone", "cpu": "two", "creationTime": "yesterday"})
	var inst map[string]any
	e.json(200, "GET", fmt.Sprintf("/itcare/compute/instances/%d", id), "", &inst)
	if inst["cpu"] != "two" {
		t.Fatalf("the answer was altered: %v", inst)
	}
	v := e.s.Violations()
	if len(v) != 1 || !strings.HasPrefix(v[0], fmt.Sprintf("response 200 to GET /itcare/compute/instances/%d: body /", id)) {
		t.Fatalf("violations %q", v)
	}
	if !strings.Contains(log.String(), "contract violation: response 200") {
		t.Errorf("not logged: %s", log.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Every endpoint the sandbox serves answers within the contract, through a
// realistic sequence of reads and changes. The families' sub-tests skip
// only if the sandbox answers 404 NOT_FOUND for their path.
func TestContractSandboxConforms(t *testing.T) {
	e := newCTEnv(t, Options{Instances: 60, Contract: contract.MustLoad(api.OpenAPISpec)})
	t.Cleanup(func() {
		if v := e.s.Violations(); len(v) > 0 {
			t.Errorf("%d contract violation(s):\n%s", len(v), strings.Join(v, "\n"))
		}
	})

	t.Run("health", func(t *testing.T) {
		e.json(200, "GET", "/itcare/health", "", nil, "Authorization", "-")
		e.json(200, "GET", "/itcare/api/status", "", nil, "Authorization", "-")
	})

	t.Run("instances", func(t *testing.T) {
		e.lists("/itcare/compute/instances",
			"",
			"page=0&size=7&sort=name,desc",
			"page=999&size=50",
			"names=pdeb12web01&names=!pdeb12web010&statuses=ACTIVE&environments=PRODUCTION&types=LINUX&families=DEBIAN",
			"services=2101&services=2102&clouds=301&tags=application:itcare&az=EB-A&vlan=EB_1125_DMZ8&sort=creationTime",
			"ip=10.25.125.10&backupStatus=true&recoveryStatus=false&includedInPatchParty=true&sort=id,asc",
		)
		for _, p := range []string{"", "/networks", "/storage", "/snapshots"} {
			e.do("GET", "/itcare/compute/instances/10001"+p, "")
		}
		if r := e.do("GET", "/itcare/compute/instances/10001/snapshots", ""); r.code != 204 {
			t.Fatalf("snapshots of 10001: %s", r)
		}
		var snaps []map[string]any
		e.json(200, "GET", "/itcare/compute/instances/10008/snapshots", "", &snaps)
		e.json(404, "GET", "/itcare/compute/instances/999999", "", nil)
		e.json(404, "GET", "/itcare/compute/instances/999999/storage", "", nil)

		// stop, a refused start, dry runs, delete, snapshot.
		var tr map[string]any
		e.json(202, "PATCH", "/itcare/compute/instances/10002", `{"operation":"stop","options":{}}`, &tr)
		e.json(409, "PATCH", "/itcare/compute/instances/10002", `{"operation":"reset"}`, nil) // in progress
		var a map[string]any
		e.json(200, "GET", fmt.Sprintf("/itcare/actions/%v", tr["id"]), "", &a)
		if a["status"] != "IN_PROGRESS" {
			t.Fatalf("action %v", a)
		}
		if a = e.waitAction(tr["id"]); a["status"] != "SUCCESS" {
			t.Fatalf("stop %v", a)
		}
		e.json(409, "PATCH", "/itcare/compute/instances/10002", `{"operation":"stop"}`, nil)
		r := e.json(202, "PATCH", "/itcare/compute/instances/10002", `{"operation":"start"}`, nil, headerDryRun, "true")
		if r.header.Get(headerDryRun) != "true" {
			t.Fatalf("dry run header not echoed: %v", r.header)
		}
		e.json(202, "DELETE", "/itcare/compute/instances/10002", `{"changeReference":"RFC_1"}`, nil, headerDryRun, "true")
		e.accepted("PATCH", "/itcare/compute/instances/10003", `{"operation":"reset"}`)
		e.accepted("DELETE", "/itcare/compute/instances/10002", `{"changeReference":"RFC_1"}`)
		e.json(404, "GET", "/itcare/compute/instances/10002", "", nil)
		e.accepted("DELETE", "/itcare/compute/instances/10004", "")
		e.accepted("POST", "/itcare/compute/instances/10001/snapshots", `{"description":"before upgrade","changeReference":"RFC_2"}`)
		e.accepted("POST", "/itcare/compute/instances/10003/snapshots", `{"description":"no ref"}`)
		e.json(200, "GET", "/itcare/compute/instances/10001/snapshots", "", &snaps)
		e.s.FailNext("stop", "")
		e.json(202, "PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`, &tr)
		if a = e.waitAction(tr["id"]); a["status"] != "ERROR" {
			t.Fatalf("failed stop %v", a)
		}
	})

	t.Run("actions", func(t *testing.T) {
		var acts []map[string]any
		e.json(200, "GET", "/itcare/actions", "", &acts)
		if len(acts) < 5 {
			t.Fatalf("%d actions", len(acts))
		}
		last := acts[len(acts)-1]
		e.lists("/itcare/actions",
			"resourceName=pdeb12web01",
			"resourceId=10001&serviceId=2101",
			"statuses=SUCCESS&statuses=ERROR",
			fmt.Sprintf("requestId=%v", last["requestId"]),
			"resourceName=nothing-here",
		)
		e.json(200, "GET", fmt.Sprintf("/itcare/actions/%v", last["id"]), "", nil)
		e.json(404, "GET", "/itcare/actions/1", "", nil)
	})

	t.Run("resources", func(t *testing.T) {
		e.familyServed("/itcare/compute/resources")
		var p struct{ Content []map[string]any }
		e.json(200, "GET", "/itcare/compute/resources?size=500&sort=name", "", &p)
		if len(p.Content) == 0 {
			t.Fatal("no resources")
		}
		e.lists("/itcare/compute/resources",
			"resourceTypes=KUBERNETES&resourceTypes=OVERDRIVE&statuses=ACTIVE",
			"resourceType=INSTANCE&names=pdeb12web01&environments=PRODUCTION&services=2101&types=LINUX&page=0&size=3",
		)
		e.json(200, "GET", fmt.Sprintf("/itcare/compute/resources/%v", p.Content[0]["id"]), "", nil)
		e.json(404, "GET", "/itcare/compute/resources/1", "", nil)
	})

	t.Run("kubernetes", func(t *testing.T) {
		e.familyServed("/itcare/compute/containers/kubernetes")
		var p struct{ Content []map[string]any }
		e.json(200, "GET", "/itcare/compute/containers/kubernetes?size=100", "", &p)
		e.lists("/itcare/compute/containers/kubernetes",
			"names=pk8sapp01&statuses=ACTIVE&environments=PRODUCTION&services=2101&tags=application:itcare",
			"topologies=HA&versions=v1.28.13&regions=EB&az=EB-A&backupStatus=true&sort=nodesCount,desc",
			"recoveryStatus=false&includedInPatchParty=true&ip=10.0.0.1&vlan=EB_1130_PROD1&clouds=301&page=1&size=2",
		)
		id := p.Content[0]["id"]
		base := fmt.Sprintf("/itcare/compute/containers/kubernetes/%v", id)
		e.json(200, "GET", base, "", nil)
		var nodes []map[string]any
		e.json(200, "GET", base+"/nodes", "", &nodes)
		e.json(200, "GET", fmt.Sprintf("%s/nodes/%v", base, nodes[0]["id"]), "", nil)
		e.json(404, "GET", base+"/nodes/1", "", nil)
		e.json(404, "GET", "/itcare/compute/containers/kubernetes/1", "", nil)
		e.accepted("PATCH", base, `{"operation":"create_nodes","options":{"nodes":[{"nodesNb":2,"nodeSizing":"2cpu4gb","az":"EB-A"}]}}`)
		e.json(400, "PATCH", base, `{"operation":"create_nodes","options":{"nodes":[{"nodesNb":1,"nodeSizing":"huge","az":"EB-A"}]}}`, nil)
		e.json(200, "GET", base+"/nodes", "", &nodes)
		var worker any
		for _, n := range nodes {
			if n["role"] == "worker" {
				worker = n["id"]
			}
		}
		e.json(202, "DELETE", fmt.Sprintf("%s/nodes/%v", base, worker), "", nil, headerDryRun, "true")
		e.accepted("DELETE", fmt.Sprintf("%s/nodes/%v", base, worker), `{"changeReference":"RFC_3"}`)
		for _, n := range nodes {
			if n["role"] == "master" {
				e.json(400, "DELETE", fmt.Sprintf("%s/nodes/%v", base, n["id"]), "", nil)
				break
			}
		}
	})

	t.Run("loadbalancers", func(t *testing.T) {
		e.familyServed("/itcare/networking/loadbalancers")
		var p struct{ Content []map[string]any }
		e.json(200, "GET", "/itcare/networking/loadbalancers?size=100", "", &p)
		e.lists("/itcare/networking/loadbalancers",
			"names=plbweb01&statuses=ACTIVE&environments=PRODUCTION&tags=application:itcare",
			"protocols=HTTPS&protocols=HTTP&vlan=EB_1125_DMZ8&sort=name,desc&page=0&size=5",
		)
		e.json(200, "GET", fmt.Sprintf("/itcare/networking/loadbalancers/%v", p.Content[0]["id"]), "", nil)
		e.json(404, "GET", "/itcare/networking/loadbalancers/1", "", nil)
	})

	t.Run("overdrive", func(t *testing.T) {
		e.familyServed("/itcare/storage/overdrive")
		var p struct{ Content []map[string]any }
		e.json(200, "GET", "/itcare/storage/overdrive?names=podshare01&page=0&size=10&sort=name", "", &p)
		e.json(200, "GET", "/itcare/storage/overdrive", "", nil)
		if len(p.Content) == 0 {
			t.Fatal("no podshare01")
		}
		vol := fmt.Sprintf("/itcare/storage/overdrive/%v", p.Content[0]["id"])
		e.json(200, "GET", vol, "", nil)
		e.json(404, "GET", "/itcare/storage/overdrive/1", "", nil)
		e.json(202, "PATCH", vol, `{"operation":"stop"}`, nil, headerDryRun, "true")
		e.accepted("PATCH", vol, `{"operation":"stop"}`)
		e.json(409, "PATCH", vol, `{"operation":"stop"}`, nil)
		e.accepted("PATCH", vol, `{"operation":"start","options":{}}`)
	})

	t.Run("expired token", func(t *testing.T) {
		e.s.ExpireAccessTokens()
		r := e.do("GET", "/itcare/compute/instances", "")
		if r.code != 401 || len(r.body) != 0 {
			t.Fatalf("%s", r)
		}
		e.token = e.clientCredentials(defaultClient, defaultSecret)
	})
}

// Contract validation must not slow the sandbox down noticeably, and the
// document is parsed once per process.
func TestContractParsedOnce(t *testing.T) {
	a, err := contract.Load(api.OpenAPISpec)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := contract.Load(slices.Clone(api.OpenAPISpec))
	if a != b {
		t.Fatal("the document was parsed twice")
	}
	s1, s2 := New(Options{Instances: -1, Contract: a}), New(Options{Instances: -1, Contract: b})
	if s1.contract == s2.contract {
		t.Fatal("servers must share the parsed document, not their violations")
	}
	if New(Options{Instances: -1}).Violations() != nil {
		t.Fatal("violations without a contract")
	}
}

// Servers sharing the parsed document validate concurrently.
func TestContractConcurrent(t *testing.T) {
	envs := []*ctEnv{newCTEnv(t, Options{Instances: 40, Contract: contract.MustLoad(api.OpenAPISpec)}), newCTEnv(t, Options{Instances: 40, Contract: contract.MustLoad(api.OpenAPISpec)})}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := envs[i%2]
			for j := range 15 {
				for _, p := range []string{"/itcare/compute/instances?size=5&sort=name&statuses=ACTIVE",
					fmt.Sprintf("/itcare/compute/instances/%d", 10001+j), "/itcare/actions?statuses=SUCCESS",
					"/itcare/compute/containers/kubernetes?topologies=HA", "/itcare/compute/instances?statuse=x"} {
					e.do("GET", p, "")
				}
			}
		}()
	}
	wg.Wait()
	for _, e := range envs {
		v := e.s.Violations()
		if len(v) != 4*15 || slices.ContainsFunc(v, func(s string) bool { return !strings.Contains(s, "statuse") }) {
			t.Fatalf("%d violations: %q", len(v), v[:min(len(v), 3)])
		}
	}
}
