package cmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

// Issue 9: every family command over real HTTP against the sandbox: method,
// path, query, body, output and waiting.

func TestResourcesListAndGet(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.mustRun("resources", "list", "--resource-type", "kubernetes", "--env", "production", "--all", "-o", "json")
	items := decodeJSON[[]map[string]any](t, r.stdout)
	if len(items) == 0 {
		t.Fatal("no Kubernetes resources")
	}
	for _, it := range items {
		if it["resourceType"] != "KUBERNETES" || it["path"] != "/compute/containers/kubernetes" || it["environment"] != "PRODUCTION" {
			t.Fatalf("resource %v", it)
		}
	}
	q := h.apiRequests("GET", "/compute/resources")[0].Query
	if q.Get("resourceTypes") != "KUBERNETES" || q.Get("environments") != "PRODUCTION" {
		t.Fatalf("query %v", q)
	}
	// Every family is listed with the endpoint to use.
	r = h.mustRun("resources", "list", "--all", "--jq", "[.[].path] | unique | .[]")
	for _, p := range []string{"/compute/instances", "/compute/containers/kubernetes", "/networking/loadbalancers", "/storage/overdrive"} {
		if !strings.Contains(r.stdout, p) {
			t.Errorf("no resource with path %s: %s", p, r.stdout)
		}
	}
	id := fmt.Sprint(items[0]["id"])
	r = h.mustRun("resources", "get", id, "-o", "json")
	if got := decodeJSON[map[string]any](t, r.stdout); fmt.Sprint(got["id"]) != id {
		t.Fatalf("get %s: %v", id, got)
	}
	// Table: the declared columns.
	r = h.mustRun("resources", "list", "--size", "2")
	if !strings.HasPrefix(r.stdout, "ID") || !strings.Contains(r.stdout, "PATH") {
		t.Fatalf("table %q", r.stdout)
	}
}

func TestKubernetesClustersAndNodes(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.mustRun("kubernetes", "list", "--topology", "ha", "--region", "EB", "--version", "v1.28.13", "--tag", "application:itcare")
	q := h.apiRequests("GET", "/compute/containers/kubernetes")[0].Query
	if q.Get("topologies") != "HA" || q.Get("regions") != "EB" || q.Get("versions") != "v1.28.13" || q.Get("tags") != "application:itcare" {
		t.Fatalf("query %v", q)
	}
	r := h.mustRun("kubernetes", "get", "pk8sapp01", "-o", "json")
	cluster := decodeJSON[map[string]any](t, r.stdout)
	id := fmt.Sprint(cluster["id"])

	r = h.mustRun("kubernetes", "nodes", "list", "pk8sapp01", "-o", "json")
	nodes := decodeJSON[[]map[string]any](t, r.stdout)
	if len(nodes) == 0 {
		t.Fatal("no nodes")
	}
	if n := h.apiRequests("GET", "/compute/containers/kubernetes/"+id+"/nodes"); len(n) != 1 {
		t.Fatalf("nodes requests %d", len(n))
	}
	nodeID := fmt.Sprint(nodes[0]["id"])
	r = h.mustRun("kubernetes", "nodes", "get", "pk8sapp01", nodeID, "-o", "json")
	if got := decodeJSON[map[string]any](t, r.stdout); fmt.Sprint(got["id"]) != nodeID {
		t.Fatalf("node get: %v", got)
	}

	// Add nodes: PATCH create_nodes with the documented options, then wait.
	h.sb.ResetRequests()
	az := fmt.Sprint(asList(cluster["availabilityZones"])[0])
	r = h.mustRun("kubernetes", "nodes", "add", "pk8sapp01", "--count", "2", "--sizing", "2cpu4gb", "--az", az)
	patches := h.apiRequests("PATCH", "/compute/containers/kubernetes/"+id)
	if len(patches) != 1 {
		t.Fatalf("%d PATCH", len(patches))
	}
	var body map[string]any
	json.Unmarshal(patches[0].Body, &body)
	want := fmt.Sprintf(`{"operation":"create_nodes","options":{"nodes":[{"az":%q,"nodeSizing":"2cpu4gb","nodesNb":2}]}}`, az)
	if got, _ := json.Marshal(body); string(got) != want {
		t.Fatalf("body %s\nwant %s", got, want)
	}
	if !strings.Contains(r.stderr, "SUCCESS") || len(h.apiRequests("GET", "/actions/")) == 0 {
		t.Fatalf("did not wait: %s", r.stderr)
	}
	after := decodeJSON[[]map[string]any](t, h.mustRun("kubernetes", "nodes", "list", "pk8sapp01", "-o", "json").stdout)
	if len(after) != len(nodes)+2 {
		t.Fatalf("nodes %d → %d, want +2", len(nodes), len(after))
	}

	// Delete one node: confirmation required off a terminal, then DELETE.
	assertCode(t, h.run("kubernetes", "nodes", "delete", "pk8sapp01", nodeID), ExitUsage)
	var worker string
	for _, n := range after {
		if n["role"] == "worker" {
			worker = fmt.Sprint(n["id"])
		}
	}
	h.sb.ResetRequests()
	r = h.mustRun("kubernetes", "nodes", "delete", "pk8sapp01", worker, "--yes", "--no-wait")
	if len(h.apiRequests("DELETE", "/compute/containers/kubernetes/"+id+"/nodes/"+worker)) != 1 {
		t.Fatal("DELETE not sent")
	}
	if _, err := fmt.Sscan(strings.TrimSpace(r.stdout), new(int64)); err != nil {
		t.Fatalf("--no-wait printed %q", r.stdout)
	}
	// Bad flags are usage errors, before anything is sent.
	for _, args := range [][]string{
		{"kubernetes", "nodes", "add", "pk8sapp01", "--sizing", "big", "--az", "EB-A"},
		{"kubernetes", "nodes", "add", "pk8sapp01", "--sizing", "2cpu4gb"},
		{"kubernetes", "nodes", "add", "pk8sapp01", "--count", "0", "--sizing", "2cpu4gb", "--az", "EB-A"},
	} {
		h.sb.ResetRequests()
		assertCode(t, h.run(args...), ExitUsage)
		if len(h.sb.Requests()) != 0 {
			t.Fatalf("%v sent requests", args)
		}
	}
}

func TestKubernetesLastWorkerRefused(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	nodes := decodeJSON[[]map[string]any](t, h.mustRun("kubernetes", "nodes", "list", "dk8slab01", "-o", "json").stdout)
	for _, n := range nodes {
		if n["role"] == "worker" {
			r := h.run("kubernetes", "nodes", "delete", "dk8slab01", fmt.Sprint(n["id"]), "--yes")
			assertCode(t, r, ExitError)
			if !strings.Contains(r.stderr, "400") {
				t.Fatalf("stderr %s", r.stderr)
			}
			return
		}
	}
	t.Fatal("no worker node in dk8slab01")
}

func TestLoadBalancersListAndGet(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.mustRun("loadbalancers", "list", "--protocol", "https", "--all", "-o", "json")
	for _, lb := range decodeJSON[[]map[string]any](t, r.stdout) {
		if lb["protocol"] != "HTTPS" {
			t.Fatalf("filter not applied: %v", lb["protocol"])
		}
	}
	if q := h.apiRequests("GET", "/networking/loadbalancers")[0].Query; q.Get("protocols") != "HTTPS" {
		t.Fatalf("query %v", q)
	}
	r = h.mustRun("lb", "get", "plbweb01")
	if !strings.Contains(r.stdout, "NAME:") || !strings.Contains(r.stdout, "plbweb01") || !strings.Contains(r.stdout, "MEMBERS:") {
		t.Fatalf("get table %q", r.stdout)
	}
	r = h.mustRun("loadbalancers", "list", "--size", "3", "-o", "wide")
	if !strings.Contains(r.stdout, "PERSISTENCE") {
		t.Fatalf("wide %q", r.stdout)
	}
}

func TestOverdriveStopStartAndConflict(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	vol := decodeJSON[map[string]any](t, h.mustRun("overdrive", "get", "podshare01", "-o", "json").stdout)
	id := fmt.Sprint(vol["id"])
	first, second := "stop", "start"
	if vol["status"] != "ACTIVE" {
		first, second = "start", "stop"
	}
	h.sb.ResetRequests()
	h.mustRun("overdrive", first, "podshare01")
	patch := h.apiRequests("PATCH", "/storage/overdrive/"+id)
	if len(patch) != 1 || string(patch[0].Body) != fmt.Sprintf(`{"operation":%q}`, first) {
		t.Fatalf("PATCH %v", patch)
	}
	h.sb.ResetRequests()
	r := h.run("overdrive", first, "podshare01") // same operation again: already done, nothing sent
	assertCode(t, r, 0)
	if !strings.Contains(r.stderr, "already") || len(h.apiRequests("PATCH", "")) != 0 {
		t.Fatalf("stderr %s", r.stderr)
	}
	// Dry run of the other operation changes nothing.
	before := decodeJSON[map[string]any](t, h.mustRun("overdrive", "get", id, "-o", "json").stdout)["status"]
	r = h.mustRun("overdrive", second, id, "--dry-run")
	if !strings.Contains(r.stdout, "dry run") {
		t.Fatalf("dry run: %q", r.stdout)
	}
	if got := decodeJSON[map[string]any](t, h.mustRun("overdrive", "get", id, "-o", "json").stdout)["status"]; got != before {
		t.Fatalf("dry run changed %v → %v", before, got)
	}
	h.sb.FailNext("start-overdrive", "storage backend unavailable")
	h.sb.FailNext("stop-overdrive", "storage backend unavailable")
	r = h.run("overdrive", second, id)
	assertCode(t, r, ExitActionError)
	if !strings.Contains(r.stderr, "storage backend unavailable") {
		t.Fatalf("stderr %s", r.stderr)
	}
	h.mustRun("overdrive", "list", "--name", "podshare01")
	if q := h.apiRequests("GET", "/storage/overdrive")[0].Query; q.Get("names") != "podshare01" {
		t.Fatalf("query %v", q)
	}
}

func TestInstanceSnapshotsNetworksStorage(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	r := h.mustRun("instances", "snapshots", "list", id)
	if r.stdout != "" && !strings.HasPrefix(r.stdout, "ID") {
		t.Fatalf("snapshots table %q", r.stdout)
	}
	before := len(decodeJSON[[]map[string]any](t, h.mustRun("instances", "snapshots", "list", id, "-o", "json").stdout))
	assertCode(t, h.run("instances", "snapshots", "create", id), ExitUsage) // --description is required
	h.sb.ResetRequests()
	h.mustRun("instances", "snapshots", "create", id, "--description", "before upgrade", "--change-ref", "RFC_7")
	posts := h.apiRequests("POST", "/compute/instances/"+id+"/snapshots")
	if len(posts) != 1 || string(posts[0].Body) != `{"changeReference":"RFC_7","description":"before upgrade"}` {
		t.Fatalf("POST %v", posts)
	}
	after := decodeJSON[[]map[string]any](t, h.mustRun("instances", "snapshots", "list", id, "-o", "json").stdout)
	if len(after) != before+1 {
		t.Fatalf("snapshots %d → %d", before, len(after))
	}
	r = h.mustRun("instances", "networks", id)
	if !strings.Contains(r.stdout, "IP") || !strings.Contains(r.stdout, "CIDR") {
		t.Fatalf("networks %q", r.stdout)
	}
	r = h.mustRun("instances", "storage", id, "-o", "json")
	if st := decodeJSON[map[string]any](t, r.stdout); st["fileSystems"] == nil {
		t.Fatalf("storage %v", st)
	}
	r = h.mustRun("instances", "storage", id)
	if !strings.Contains(r.stdout, "FILESYSTEMS") {
		t.Fatalf("storage table %q", r.stdout)
	}
}

// TestKubernetesNodesByName: like every other command, node commands take a
// node's name as well as its id; an unknown name says so and sends nothing.
func TestKubernetesNodesByName(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	nodes := decodeJSON[[]map[string]any](t, h.mustRun("kubernetes", "nodes", "list", "pk8sapp01", "-o", "json").stdout)
	var name, id string
	for _, n := range nodes {
		if n["role"] == "worker" {
			name, id = fmt.Sprint(n["name"]), fmt.Sprint(n["id"])
		}
	}
	if name == "" {
		t.Fatalf("no worker node in %v", nodes)
	}
	got := decodeJSON[map[string]any](t, h.mustRun("kubernetes", "nodes", "get", "pk8sapp01", name, "-o", "json").stdout)
	if fmt.Sprint(got["id"]) != id {
		t.Fatalf("node %s: got %v, want id %s", name, got["id"], id)
	}
	h.sb.ResetRequests()
	h.mustRun("kubernetes", "nodes", "delete", "pk8sapp01", name, "--yes", "--no-wait")
	dels := h.apiRequests("DELETE", "/compute/containers/kubernetes/")
	if len(dels) != 1 || !strings.HasSuffix(dels[0].Path, "/nodes/"+id) {
		t.Fatalf("deleting node %s sent %v, want DELETE .../nodes/%s", name, dels, id)
	}
	h.sb.ResetRequests()
	r := h.run("kubernetes", "nodes", "delete", "pk8sapp01", "pk8sapp01-worker-99", "--yes")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "pk8sapp01-worker-99") || len(h.apiRequests("DELETE", "/")) != 0 {
		t.Fatalf("unknown node: stderr %q, requests %v", r.stderr, h.apiRequests("DELETE", "/"))
	}
}
