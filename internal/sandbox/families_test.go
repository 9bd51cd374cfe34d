package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

// listPage GETs a family list with a query and decodes the Spring page.
func (e *env) listPage(path, query string) testPage {
	e.t.Helper()
	var p testPage
	e.getJSON("/itcare"+path+"?"+query, &p)
	return p
}

// accepted sends a change expected to answer 202 and returns the body.
func (e *env) accepted(method, path, body string, headers ...string) map[string]any {
	e.t.Helper()
	code, h, b := e.call(method, path, body, headers...)
	if code != http.StatusAccepted {
		e.t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatalf("%s %s: %v %s", method, path, err, b)
	}
	if (h.Get(headerDryRun) == "true") != (len(headers) > 0 && headers[0] == headerDryRun) {
		e.t.Fatalf("%s %s: dry-run echo %q", method, path, h.Get(headerDryRun))
	}
	return m
}

// familyEnv starts a family test: a sandbox with 5 instances and the whole
// list at path, checked to hold n items that all carry keys.
func familyEnv(t *testing.T, path string, n int, keys ...string) (*env, []map[string]any) {
	t.Helper()
	e := newEnv(t, Options{Instances: 5})
	all := e.listPage(path, "size=100").Content
	if len(all) != n {
		t.Fatalf("%s: %d items, want %d", path, len(all), n)
	}
	for _, m := range all {
		hasKeys(t, path, m, keys...)
	}
	return e, all
}

// hasKeys fails the test when m (a what) lacks one of keys.
func hasKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Fatalf("%s lacks %s: %v", what, k, m)
		}
	}
}

var apiDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0200$`)

// pagesCover walks every page of size n and checks they partition all.
func pagesCover(t *testing.T, e *env, path string, n int, all []map[string]any) {
	t.Helper()
	var seen []int64
	first := e.listPage(path, fmt.Sprintf("size=%d", n))
	if first.TotalPages < 2 || first.TotalElements != len(all) {
		t.Fatalf("%s size=%d: %d pages, %d elements (want >= 2 pages, %d)", path, n, first.TotalPages, first.TotalElements, len(all))
	}
	for p := 0; p < first.TotalPages; p++ {
		pg := e.listPage(path, fmt.Sprintf("size=%d&page=%d", n, p))
		if pg.Number != p || pg.First != (p == 0) || pg.Last != (p == first.TotalPages-1) || pg.Size != n {
			t.Fatalf("%s page %d: %+v", path, p, pg)
		}
		seen = append(seen, ids(pg.Content)...)
	}
	if !slices.Equal(seen, ids(all)) {
		t.Fatalf("%s: pages give %v, want %v", path, seen, ids(all))
	}
}

func TestResources(t *testing.T) {
	e := newEnv(t, Options{Instances: 30})
	all := e.listPage(pathResources, "size=1000").Content
	wantPath := map[string]string{typeInstance: pathInstances, typeKubernetes: pathKubernetes,
		typeLoadBalancer: pathLoadBalancers, typeOverdrive: pathOverdrive, family.PostgreSQL.ResourceType: family.PostgreSQL.Path}
	counts := map[string]int{}
	for _, r := range all {
		rt := r["resourceType"].(string)
		counts[rt]++
		if r["path"] != wantPath[rt] {
			t.Fatalf("resource %v: path %v", r["id"], r["path"])
		}
		hasKeys(t, "resource", r, "id", "name", "path", "status", "environment", "serviceName", "serviceId", "category",
			"type", "family", "cloudId", "cloudName", "productName", "resourceType", "internalResourceId",
			"creationTime", "creationUser", "comment")
		if !apiDate.MatchString(r["creationTime"].(string)) {
			t.Fatalf("creationTime %v", r["creationTime"])
		}
		// internalResourceId addresses the family endpoint.
		if counts[rt] == 1 {
			var d map[string]any
			e.getJSON(fmt.Sprintf("/itcare%s/%d", r["path"], num(r["internalResourceId"])), &d)
			if d["name"] != r["name"] || d["status"] != r["status"] {
				t.Fatalf("%s: resource %v vs detail %v", rt, r, d)
			}
		}
	}
	if counts[typeInstance] != 30 || counts[typeKubernetes] != seededClusters ||
		counts[typeLoadBalancer] != seededLoadBalancers || counts[typeOverdrive] != seededOverdrive {
		t.Fatalf("counts %v", counts)
	}
	if num(all[0]["id"]) != firstResourceID || all[0]["name"] != "pdeb12web01" || num(all[0]["internalResourceId"]) != 10001 {
		t.Fatalf("first resource %v", all[0])
	}

	// Filters: resourceTypes / resourceType (merged), types, statuses, names, services.
	for _, c := range []filterCase{
		{"resourceTypes=KUBERNETES", func(m map[string]any) bool { return m["resourceType"] == typeKubernetes }},
		{"resourceType=overdrive", func(m map[string]any) bool { return m["resourceType"] == typeOverdrive }},
		{"resourceType=OVERDRIVE&resourceTypes=LOADBALANCER", func(m map[string]any) bool {
			return m["resourceType"] == typeOverdrive || m["resourceType"] == typeLoadBalancer
		}},
		{"types=LINUX,KUBERNETES", func(m map[string]any) bool { return m["type"] == "LINUX" || m["type"] == typeKubernetes }},
		{"statuses=INACTIVE&environments=PRODUCTION", func(m map[string]any) bool {
			return m["status"] == "INACTIVE" && m["environment"] == "PRODUCTION"
		}},
		{"names=pk8sapp01,podshare01", func(m map[string]any) bool { return m["name"] == "pk8sapp01" || m["name"] == "podshare01" }},
		{"services=2101", func(m map[string]any) bool { return num(m["serviceId"]) == 2101 }},
	} {
		want := matching(all, c.want)
		got := e.listPage(pathResources, c.query+"&size=1000").Content
		if len(want) == 0 || !slices.Equal(ids(got), ids(want)) {
			t.Errorf("%s: got %d, want %d", c.query, len(got), len(want))
		}
	}
	pagesCover(t, e, pathResources, 25, all)
	p := e.listPage(pathResources, "resourceTypes=KUBERNETES&sort=name,desc&size=5")
	if p.TotalElements != seededClusters || p.TotalPages != 3 || !p.Sort["sorted"] ||
		strings.Compare(p.Content[0]["name"].(string), p.Content[1]["name"].(string)) < 0 {
		t.Fatalf("sorted k8s resources %+v", p)
	}

	// One resource, 404, bad id, unknown parameter, bad values.
	var r map[string]any
	e.getJSON(fmt.Sprintf("/itcare/compute/resources/%d", num(all[35]["id"])), &r)
	if !slices.Equal(ids([]map[string]any{r}), ids(all[35:36])) || r["path"] != all[35]["path"] {
		t.Fatalf("get resource %v", r)
	}
	code, h, b := e.call("GET", "/itcare/compute/resources/99", "")
	e.expectError(code, 404, h, b, "RESOURCE_NOT_FOUND", "id")
	code, h, b = e.call("GET", "/itcare/compute/resources/x", "")
	e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", "id")
	code, h, b = e.call("GET", "/itcare/compute/resources?resourcetype=INSTANCE", "")
	e.expectError(code, 400, h, b, "UNKNOWN_PARAMETER", "resourcetype")
	code, h, b = e.call("GET", "/itcare/compute/resources?resourceType=VM", "")
	e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", "resourceType")
	code, h, b = e.call("GET", "/itcare/compute/resources?types=SOLARIS", "")
	e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", "types")
	code, h, b = e.call("POST", "/itcare/compute/resources", "{}")
	e.expectError(code, 405, h, b, "METHOD_NOT_ALLOWED", "")

	// An instance added later gets the next resource id; a deleted one goes.
	id := e.s.AddInstance(map[string]any{"name": "late01", "status": "INACTIVE"})
	p = e.listPage(pathResources, "names=late01")
	if len(p.Content) != 1 || num(p.Content[0]["internalResourceId"]) != id || num(p.Content[0]["id"]) != num(all[len(all)-1]["id"])+1 {
		t.Fatalf("added instance as resource: %+v", p.Content)
	}
	e.s.SetActionDuration(0)
	e.accepted("DELETE", fmt.Sprintf("/itcare/compute/instances/%d", id), "")
	if p := e.listPage(pathResources, "names=late01"); p.TotalElements != 0 {
		t.Fatalf("deleted instance still listed: %+v", p.Content)
	}
}

func TestKubernetesList(t *testing.T) {
	e, all := familyEnv(t, pathKubernetes, seededClusters, "id", "name", "status", "environment", "serviceId", "topology",
		"version", "region", "availabilityZones", "nodesCount", "tags", "creationTime")
	hasAZ := func(m map[string]any, az string) bool {
		return slices.Contains(m["availabilityZones"].([]any), any(az))
	}
	for _, c := range []filterCase{
		{"topologies=ha", func(m map[string]any) bool { return m["topology"] == "HA" }},
		{"topologies=Standard", func(m map[string]any) bool { return m["topology"] == "STANDARD" }},
		{"versions=v1.28.13", func(m map[string]any) bool { return m["version"] == "v1.28.13" }},
		{"versions=1.26.15", func(m map[string]any) bool { return m["version"] == "v1.26.15" }},
		{"regions=ET", func(m map[string]any) bool { return m["region"] == "ET" }},
		{"az=EB-A", func(m map[string]any) bool { return hasAZ(m, "EB-A") }},
		{"statuses=INACTIVE", func(m map[string]any) bool { return m["status"] == "INACTIVE" }},
		{"environments=PRODUCTION&topologies=HA", func(m map[string]any) bool {
			return m["environment"] == "PRODUCTION" && m["topology"] == "HA"
		}},
		{"services=2101,2108", func(m map[string]any) bool { return num(m["serviceId"]) == 2101 || num(m["serviceId"]) == 2108 }},
		{"names=!pk8sapp01", func(m map[string]any) bool { return m["name"] != "pk8sapp01" }},
		{"tags=application:itcare", func(m map[string]any) bool { return num(m["serviceId"]) == 2101 }},
	} {
		want := matching(all, c.want)
		got := e.listPage(pathKubernetes, c.query+"&size=100").Content
		if len(want) == 0 || len(want) == len(all) && !strings.HasPrefix(c.query, "names") || !slices.Equal(ids(got), ids(want)) {
			t.Errorf("%s: got %v, want %v", c.query, ids(got), ids(want))
		}
	}
	pagesCover(t, e, pathKubernetes, 5, all)
	if p := e.listPage(pathKubernetes, "sort=nodesCount,desc&size=3"); num(p.Content[0]["nodesCount"]) < num(p.Content[1]["nodesCount"]) {
		t.Fatalf("sort by nodesCount: %v", p.Content)
	}
	var cl map[string]any
	e.getJSON("/itcare/compute/containers/kubernetes/3101", &cl)
	if cl["name"] != "pk8sapp01" || cl["topology"] != "HA" || len(cl["availabilityZones"].([]any)) != 3 {
		t.Fatalf("pk8sapp01 %v", cl)
	}
	for _, c := range []struct {
		path       string
		code       int
		errorCode  string
		errorField string
	}{
		{"/itcare/compute/containers/kubernetes?topology=HA", 400, "UNKNOWN_PARAMETER", "topology"},
		{"/itcare/compute/containers/kubernetes?topologies=MEGA", 400, "INVALID_FIELD_VALUE", "topologies"},
		{"/itcare/compute/containers/kubernetes?regions=XX", 400, "INVALID_FIELD_VALUE", "regions"},
		{"/itcare/compute/containers/kubernetes?sort=color", 400, "INVALID_FIELD_VALUE", "sort"},
		{"/itcare/compute/containers/kubernetes/3101?x=1", 400, "UNKNOWN_PARAMETER", "x"},
		{"/itcare/compute/containers/kubernetes/999", 404, "RESOURCE_NOT_FOUND", "id"},
		{"/itcare/compute/containers/kubernetes/abc", 400, "INVALID_FIELD_VALUE", "id"},
		{"/itcare/compute/containers/kubernetes/3101/nodes/1", 404, "RESOURCE_NOT_FOUND", "nodeId"},
		{"/itcare/compute/containers/kubernetes/3101/nodes/x", 400, "INVALID_FIELD_VALUE", "nodeId"},
		{"/itcare/compute/containers/kubernetes/999/nodes", 404, "RESOURCE_NOT_FOUND", "id"},
		{"/itcare/compute/containers/kubernetes/3101/pods", 404, "NOT_FOUND", ""},
		{"/itcare/containers/kubernetes/3101", 404, "NOT_FOUND", ""}, // the doc's short form is not served
	} {
		code, h, b := e.call("GET", c.path, "")
		e.expectError(code, c.code, h, b, c.errorCode, c.errorField)
	}
}

func TestKubernetesNodes(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})
	const cluster = "/itcare/compute/containers/kubernetes/3102" // qk8sapp01: STANDARD, EB, 1 master, 1 ingress, 2 workers
	nodes := func() []map[string]any {
		var n []map[string]any
		e.getJSON(cluster+"/nodes", &n)
		return n
	}
	before := nodes()
	if len(before) != 4 {
		t.Fatalf("qk8sapp01 has %d nodes", len(before))
	}
	roles := map[string]int{}
	for _, n := range before {
		roles[n["role"].(string)]++
		hasKeys(t, "node", n, "id", "name", "status", "sizing", "az", "role", "ipAddress", "creationTime")
	}
	if roles["master"] != 1 || roles["ingress"] != 1 || roles["worker"] != 2 {
		t.Fatalf("roles %v", roles)
	}
	var one map[string]any
	e.getJSON(fmt.Sprintf("%s/nodes/%d", cluster, num(before[3]["id"])), &one)
	if one["name"] != before[3]["name"] {
		t.Fatalf("node %v", one)
	}

	// Validation.
	for _, c := range []struct{ body, field string }{
		{`{"operation":"create_node"}`, "operation"},
		{`{"operation":"create_nodes"}`, "options.nodes"},
		{`{"operation":"create_nodes","options":{"nodes":[]}}`, "options.nodes"},
		{`{"operation":"create_nodes","options":{"nodes":[{"nodesNb":0,"nodeSizing":"2cpu4gb","az":"EB-A"}]}}`, "options.nodes[0].nodesNb"},
		{`{"operation":"create_nodes","options":{"nodes":[{"nodesNb":21,"nodeSizing":"2cpu4gb","az":"EB-A"}]}}`, "options.nodes[0].nodesNb"},
		{`{"operation":"create_nodes","options":{"nodes":[{"nodesNb":1,"nodeSizing":"big","az":"EB-A"}]}}`, "options.nodes[0].nodeSizing"},
		{`{"operation":"create_nodes","options":{"nodes":[{"nodesNb":1,"nodeSizing":"2cpu4gb","az":"EB-A"},{"nodesNb":1,"nodeSizing":"2cpu4gb","az":"ET-A"}]}}`, "options.nodes[1].az"},
	} {
		code, h, b := e.call("PATCH", cluster, c.body)
		e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", c.field)
	}
	add := `{"operation":"create_nodes","options":{"nodes":[{"nodesNb":2,"nodeSizing":"4cpu16gb","az":"EB-A"},{"nodesNb":1,"nodeSizing":"2cpu4gb","az":"eb-b"}]}}`
	code, h, b := e.call("PATCH", "/itcare/compute/containers/kubernetes/3104", // INACTIVE, in ET
		`{"operation":"create_nodes","options":{"nodes":[{"nodesNb":1,"nodeSizing":"2cpu4gb","az":"ET-A"}]}}`)
	e.expectError(code, 409, h, b, "INVALID_STATUS", "")

	// Dry run: 202, echoed header, nothing changes, no action.
	actionsBefore := len(e.s.actions)
	d := e.accepted("PATCH", cluster, add, headerDryRun, "true")
	if d["dryRun"] != true || len(nodes()) != 4 || len(e.s.actions) != actionsBefore {
		t.Fatalf("dry run changed something: %v", d)
	}

	// Real run: IN_PROGRESS, nodes appear on success.
	acc := e.accepted("PATCH", cluster, add)
	if acc["status"] != "IN_PROGRESS" || acc["process"] != "create-nodes" || num(acc["resourceId"]) != 3102 || acc["resourceName"] != "qk8sapp01" {
		t.Fatalf("202 body %v", acc)
	}
	code, h, b = e.call("PATCH", cluster, add)
	e.expectError(code, 409, h, b, "ACTION_IN_PROGRESS", "")
	if len(nodes()) != 4 {
		t.Fatal("nodes appeared before the action ended")
	}
	e.clock.Advance(3 * time.Second)
	if a := e.action(acc["id"]); a["status"] != "SUCCESS" || a["resourceType"] != typeKubernetes || a["family"] != typeKubernetes {
		t.Fatalf("action %v", a)
	}
	after := nodes()
	if len(after) != 7 {
		t.Fatalf("%d nodes after create_nodes", len(after))
	}
	added := after[4:]
	if added[0]["az"] != "EB-A" || added[0]["sizing"] != "4cpu16gb" || added[2]["az"] != "EB-B" || added[2]["role"] != "worker" ||
		added[0]["name"] != "qk8sapp01-worker-03" || num(added[0]["id"]) <= num(after[3]["id"]) {
		t.Fatalf("added nodes %v", added)
	}
	var cl map[string]any
	e.getJSON(cluster, &cl)
	if num(cl["nodesCount"]) != 7 || fmt.Sprint(cl["availabilityZones"]) != "[EB-A EB-B EB-C]" {
		t.Fatalf("cluster after create_nodes: %v %v", cl["nodesCount"], cl["availabilityZones"])
	}

	// FailNext by process: ERROR, no node added.
	e.s.FailNext("create-nodes", "quota exceeded")
	acc = e.accepted("PATCH", cluster, `{"operation":"create_nodes","options":{"nodes":[{"nodesNb":1,"nodeSizing":"2cpu4gb","az":"EB-C"}]}}`)
	e.clock.Advance(3 * time.Second)
	if a := e.action(acc["id"]); a["status"] != "ERROR" || a["message"] != "quota exceeded" || len(nodes()) != 7 {
		t.Fatalf("failed create_nodes: %v", a)
	}

	// Delete a worker: DELETING while the action runs, then gone.
	victim := num(after[4]["id"])
	acc = e.accepted("DELETE", fmt.Sprintf("%s/nodes/%d", cluster, victim), "")
	if acc["process"] != "delete-node" {
		t.Fatalf("delete 202 %v", acc)
	}
	e.getJSON(fmt.Sprintf("%s/nodes/%d", cluster, victim), &one)
	if one["status"] != "DELETING" {
		t.Fatalf("node during deletion %v", one)
	}
	e.clock.Advance(3 * time.Second)
	code, h, b = e.call("GET", fmt.Sprintf("%s/nodes/%d", cluster, victim), "")
	e.expectError(code, 404, h, b, "RESOURCE_NOT_FOUND", "nodeId")
	e.getJSON(cluster, &cl)
	if num(cl["nodesCount"]) != 6 {
		t.Fatalf("nodesCount after deletion %v", cl["nodesCount"])
	}
}

func TestKubernetesLastNodes(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})
	const cluster = "/itcare/compute/containers/kubernetes/3103" // dk8slab01: one node of each role
	var nodes []map[string]any
	e.getJSON(cluster+"/nodes", &nodes)
	if len(nodes) != 3 {
		t.Fatalf("dk8slab01 nodes %v", nodes)
	}
	for _, n := range nodes {
		code, h, b := e.call("DELETE", fmt.Sprintf("%s/nodes/%d", cluster, num(n["id"])), "")
		ae := e.expectError(code, 400, h, b, "NODE_DELETION_REFUSED", "nodeId")
		if n["role"] != "master" && !strings.Contains(ae.ErrorMessage, "last "+n["role"].(string)) {
			t.Fatalf("refusal message %q", ae.ErrorMessage)
		}
		// Refused in dry run too.
		code, h, b = e.call("DELETE", fmt.Sprintf("%s/nodes/%d", cluster, num(n["id"])), "", headerDryRun, "true")
		e.expectError(code, 400, h, b, "NODE_DELETION_REFUSED", "nodeId")
		if h.Get(headerDryRun) != "true" {
			t.Fatal("dry-run header not echoed on an error")
		}
	}
	// After adding a worker, one worker (not the ingress) can go.
	e.s.SetActionDuration(0)
	e.accepted("PATCH", cluster, `{"operation":"create_nodes","options":{"nodes":[{"nodesNb":1,"nodeSizing":"2cpu8gb","az":"EB-A"}]}}`)
	e.accepted("DELETE", fmt.Sprintf("%s/nodes/%d", cluster, num(nodes[2]["id"])), "")
	var left []map[string]any
	e.getJSON(cluster+"/nodes", &left)
	if len(left) != 3 || left[2]["sizing"] != "2cpu8gb" {
		t.Fatalf("nodes %v", left)
	}
	code, h, b := e.call("DELETE", fmt.Sprintf("%s/nodes/%d", cluster, num(nodes[1]["id"])), "")
	e.expectError(code, 400, h, b, "NODE_DELETION_REFUSED", "nodeId")
	code, h, b = e.call("PUT", cluster, "{}")
	e.expectError(code, 405, h, b, "METHOD_NOT_ALLOWED", "")
}

func TestLoadBalancers(t *testing.T) {
	e, all := familyEnv(t, pathLoadBalancers, seededLoadBalancers, "id", "name", "status", "environment", "serviceId", "url",
		"urls", "protocol", "loadBalancingMode", "persistence", "members", "vip", "region", "vlan", "tags")
	for _, lb := range all {
		for _, m := range lb["members"].([]any) {
			hasKeys(t, "member", m.(map[string]any), "id", "name", "ip", "port", "state", "status")
		}
	}
	for _, c := range []filterCase{
		{"protocols=https", func(m map[string]any) bool { return m["protocol"] == "HTTPS" }},
		{"protocols=HTTP,MYSQL", func(m map[string]any) bool { return m["protocol"] == "HTTP" || m["protocol"] == "MYSQL" }},
		{"environments=PRODUCTION&statuses=ACTIVE", func(m map[string]any) bool {
			return m["environment"] == "PRODUCTION" && m["status"] == "ACTIVE"
		}},
		{"vlan=eb_1125_dmz8", func(m map[string]any) bool { return m["vlan"] == "EB_1125_DMZ8" }},
		{"tags=application:billing", func(m map[string]any) bool { return num(m["serviceId"]) == 2102 }},
		{"names=plbweb01,plbsql01", func(m map[string]any) bool { return m["name"] == "plbweb01" || m["name"] == "plbsql01" }},
	} {
		want := matching(all, c.want)
		got := e.listPage(pathLoadBalancers, c.query+"&size=100").Content
		if len(want) == 0 || len(want) == len(all) || !slices.Equal(ids(got), ids(want)) {
			t.Errorf("%s: got %v, want %v", c.query, ids(got), ids(want))
		}
	}
	pagesCover(t, e, pathLoadBalancers, 7, all)
	var lb map[string]any
	e.getJSON("/itcare/networking/loadbalancers/4101", &lb)
	if lb["name"] != "plbweb01" || lb["protocol"] != "HTTPS" {
		t.Fatalf("plbweb01 %v", lb)
	}
	for _, c := range []struct {
		method, path, code, field string
		status                    int
	}{
		{"GET", "/itcare/networking/loadbalancers?services=2101", "UNKNOWN_PARAMETER", "services", 400},
		{"GET", "/itcare/networking/loadbalancers?protocols=FTP", "INVALID_FIELD_VALUE", "protocols", 400},
		{"GET", "/itcare/networking/loadbalancers/1", "RESOURCE_NOT_FOUND", "id", 404},
		{"GET", "/itcare/networking/loadbalancers/4101/members", "NOT_FOUND", "", 404},
		{"PATCH", "/itcare/networking/loadbalancers/4101", "METHOD_NOT_ALLOWED", "", 405},
	} {
		code, h, b := e.call(c.method, c.path, `{"operation":"stop"}`)
		e.expectError(code, c.status, h, b, c.code, c.field)
	}
}

func TestOverdrive(t *testing.T) {
	e, all := familyEnv(t, pathOverdrive, seededOverdrive, "id", "name", "status", "sizing", "region", "serviceId",
		"driveSiteUri", "creationTime")
	for _, od := range all {
		if !slices.Contains(overdriveSizings, od["sizing"].(string)) || !apiDate.MatchString(od["creationTime"].(string)) {
			t.Fatalf("volume %v", od)
		}
	}
	pagesCover(t, e, pathOverdrive, 4, all)
	if p := e.listPage(pathOverdrive, "names=podshare01,PODARCHIVE01"); !slices.Equal(ids(p.Content), []int64{5101, 5102}) {
		t.Fatalf("names filter %v", ids(p.Content))
	}
	if p := e.listPage(pathOverdrive, "sort=sizing,desc&size=1"); p.Content[0]["sizing"] != "XS" {
		t.Fatalf("sizing desc (alphabetical) %v", p.Content[0]) // strings sort alphabetically: XS > XL > S > M > L
	}
	for _, c := range []struct {
		method, path, body, code, field string
		status                          int
	}{
		{"GET", "/itcare/storage/overdrive?statuses=ACTIVE", "", "UNKNOWN_PARAMETER", "statuses", 400},
		{"GET", "/itcare/storage/overdrive/42", "", "RESOURCE_NOT_FOUND", "id", 404},
		{"PATCH", "/itcare/storage/overdrive/42", `{"operation":"stop"}`, "RESOURCE_NOT_FOUND", "id", 404},
		{"PATCH", "/itcare/storage/overdrive/5101", `{"operation":"pause"}`, "INVALID_FIELD_VALUE", "operation", 400},
		{"PATCH", "/itcare/storage/overdrive/5101", `{"operation":"start"}`, "INVALID_STATUS", "status", 409},
		{"PATCH", "/itcare/storage/overdrive/5102", `{"operation":"stop"}`, "INVALID_STATUS", "status", 409},
		{"DELETE", "/itcare/storage/overdrive/5101", "", "METHOD_NOT_ALLOWED", "", 405},
	} {
		code, h, b := e.call(c.method, c.path, c.body)
		e.expectError(code, c.status, h, b, c.code, c.field)
	}

	const vol = "/itcare/storage/overdrive/5101"
	get := func() map[string]any {
		var m map[string]any
		e.getJSON(vol, &m)
		return m
	}
	_, _, before := e.call("GET", vol, "")
	d := e.accepted("PATCH", vol, `{"operation":"stop"}`, headerDryRun, "true")
	if _, _, now := e.call("GET", vol, ""); d["dryRun"] != true || !bytes.Equal(before, now) {
		t.Fatalf("dry run changed the volume: %v", d)
	}

	acc := e.accepted("PATCH", vol, `{"operation":"stop"}`)
	if acc["status"] != "IN_PROGRESS" || acc["process"] != "stop-overdrive" || get()["status"] != "ACTIVE" {
		t.Fatalf("stop: %v / %v", acc, get()["status"])
	}
	code, h, b := e.call("PATCH", vol, `{"operation":"start"}`)
	e.expectError(code, 409, h, b, "ACTION_IN_PROGRESS", "")
	e.clock.Advance(3 * time.Second)
	if a := e.action(acc["id"]); a["status"] != "SUCCESS" || a["resourceType"] != typeOverdrive || get()["status"] != "INACTIVE" {
		t.Fatalf("after stop: %v / %v", a, get()["status"])
	}
	// The resource view follows.
	var r []map[string]any
	p := e.listPage(pathResources, "resourceTypes=OVERDRIVE&names=podshare01")
	r = p.Content
	if len(r) != 1 || r[0]["status"] != "INACTIVE" {
		t.Fatalf("resource after stop %v", r)
	}
	code, h, b = e.call("PATCH", vol, `{"operation":"stop"}`)
	e.expectError(code, 409, h, b, "INVALID_STATUS", "status")

	// A start that fails leaves the volume INACTIVE; the next one works.
	e.s.FailNext("start-overdrive", "")
	acc = e.accepted("PATCH", vol, `{"operation":"start","options":{}}`)
	e.clock.Advance(3 * time.Second)
	if a := e.action(acc["id"]); a["status"] != "ERROR" || get()["status"] != "INACTIVE" {
		t.Fatalf("failed start %v", a)
	}
	acc = e.accepted("PATCH", vol, `{"operation":"start"}`)
	e.clock.Advance(3 * time.Second)
	if a := e.action(acc["id"]); a["status"] != "SUCCESS" || get()["status"] != "ACTIVE" {
		t.Fatalf("start %v", a)
	}
	var acts []map[string]any
	e.getJSON("/itcare/actions?resourceName=podshare01", &acts)
	if len(acts) != 3 {
		t.Fatalf("actions of podshare01: %v", acts)
	}
}

// The families do not change the instances' seed, and they are
// deterministic too.
func TestFamiliesDeterministic(t *testing.T) {
	a, b := newEnv(t, Options{Instances: 10}), newEnv(t, Options{Instances: -1})
	for _, p := range []string{pathKubernetes, pathLoadBalancers, pathOverdrive} {
		_, _, ba := a.call("GET", "/itcare"+p+"?size=100", "")
		_, _, bb := b.call("GET", "/itcare"+p+"?size=100", "")
		if !bytes.Equal(ba, bb) {
			t.Fatalf("%s differs between servers", p)
		}
	}
	if p := b.listPage(pathResources, "size=1000"); p.TotalElements != seededClusters+seededLoadBalancers+seededOverdrive+seededPostgreSQL ||
		num(p.Content[0]["id"]) != firstResourceID {
		t.Fatalf("resources without instances: %d, first %v", p.TotalElements, p.Content[0]["id"])
	}
}
