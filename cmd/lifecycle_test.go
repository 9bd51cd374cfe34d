package cmd

import (
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

func TestSnapshotRestoreAndDelete(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 5})
	h.login()
	h.mustRun("instances", "snapshots", "create", "10001", "--description", "one")
	h.mustRun("instances", "snapshots", "create", "10001", "--description", "two")
	ids := strings.Fields(h.mustRun("instances", "snapshots", "list", "10001", "-o", "json", "--jq", ".[].id").stdout)
	if len(ids) != 2 {
		t.Fatalf("snapshots %v", ids)
	}
	var sids []string
	for _, id := range ids {
		sids = append(sids, strings.Trim(id, `"`))
	}

	// Off a terminal, restore and delete need --yes; nothing is sent without.
	h.sb.ResetRequests()
	assertCode(t, h.run("instances", "snapshots", "restore", "10001", sids[0]), ExitUsage)
	assertCode(t, h.run("instances", "snapshots", "delete", "10001", sids[0]), ExitUsage)
	if n := len(h.apiRequests("", "/compute/instances/10001/snapshots/")); n != 0 {
		t.Fatalf("%d requests sent without confirmation", n)
	}

	r := h.run("instances", "snapshots", "restore", "10001", sids[0], "--yes", "--change-ref", "RFC_7", "-o", "json")
	assertCode(t, r, 0)
	if !strings.Contains(r.stdout, `"process": "recover-snapshot"`) || !strings.Contains(r.stdout, `"status": "SUCCESS"`) {
		t.Fatalf("restore: %s", r.stdout)
	}
	reqs := h.apiRequests("POST", "/compute/instances/10001/snapshots/"+sids[0]+"/restore")
	if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), "RFC_7") {
		t.Fatalf("restore requests %v", reqs)
	}
	// Without --change-ref no body is sent.
	h.mustRun("instances", "snapshots", "restore", "pdeb12web01", sids[1], "--yes")
	if reqs := h.apiRequests("POST", "/compute/instances/10001/snapshots/"+sids[1]+"/restore"); len(reqs) != 1 || len(reqs[0].Body) != 0 {
		t.Fatalf("restore without a reference: %v", reqs)
	}
	recovered := h.mustRun("instances", "snapshots", "list", "10001", "-o", "json", "--jq", ".[0].recoveryDate").stdout
	if strings.TrimSpace(recovered) == "null" {
		t.Fatal("recoveryDate not set after the restore")
	}

	// --dry-run: validated, nothing deleted.
	assertCode(t, h.run("instances", "snapshots", "delete", "10001", sids[0], "--dry-run"), 0)
	h.mustRun("instances", "snapshots", "delete", "10001", sids[0], sids[1], "--yes")
	if r := h.mustRun("instances", "snapshots", "list", "10001", "-o", "json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("snapshots left: %s", r.stdout)
	}
	r = h.run("instances", "snapshots", "delete", "10001", "10001-snap-99", "--yes")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "no snapshot") {
		t.Fatalf("stderr %s", r.stderr)
	}
}

func TestResize(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 5})
	h.login()
	r := h.run("instances", "resize", "10001", "--cpu", "0", "--ram", "8")
	assertCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, "cpu 0: must be at least 1") {
		t.Fatalf("stderr %s", r.stderr)
	}
	assertCode(t, h.run("instances", "resize", "10001", "--cpu", "2"), ExitUsage) // --ram missing, off a terminal
	if n := len(h.apiRequests("PATCH", "/compute/instances/10001")); n != 0 {
		t.Fatalf("%d PATCH sent for an invalid resize", n)
	}
	h.mustRun("instances", "resize", "10001", "--cpu", "6", "--ram", "12")
	body := string(h.apiRequests("PATCH", "/compute/instances/10001")[0].Body)
	if body != `{"operation":"resize","options":{"cpu":6,"ram":12}}` {
		t.Fatalf("body %s", body)
	}
	got := h.mustRun("instances", "get", "10001", "-o", "json", "--jq", `"\(.cpu) \(.ram)"`).stdout
	if strings.TrimSpace(got) != `6 12` {
		t.Fatalf("after resize: %s", got)
	}
}

func TestLoadBalancerURLs(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 5})
	h.login()
	before := h.mustRun("loadbalancers", "urls", "list", "plbweb01", "-o", "json", "--jq", "length").stdout
	h.mustRun("loadbalancers", "urls", "add", "plbweb01", "--name", "api.example.com", "--monitoring-enabled", "--set-up-dns-enabled")
	body := string(h.apiRequests("POST", "/networking/loadbalancers/")[0].Body)
	if body != `{"monitoringEnabled":true,"name":"api.example.com","setUpDNSEnabled":true}` {
		t.Fatalf("body %s", body)
	}
	r := h.mustRun("loadbalancers", "urls", "list", "plbweb01")
	if !strings.Contains(r.stdout, "api.example.com") {
		t.Fatalf("list: %s", r.stdout)
	}
	// The server's naming rule and its 409 come back as they are.
	r = h.run("loadbalancers", "urls", "add", "plbweb01", "--name", "api.example.com")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "already served") {
		t.Fatalf("stderr %s", r.stderr)
	}
	assertCode(t, h.run("loadbalancers", "urls", "add", "plbweb01"), ExitUsage)
	assertCode(t, h.run("loadbalancers", "urls", "delete", "plbweb01", "api.example.com"), ExitUsage)
	h.mustRun("loadbalancers", "urls", "delete", "plbweb01", "api.example.com", "--yes")
	after := h.mustRun("loadbalancers", "urls", "list", "plbweb01", "-o", "json", "--jq", "length").stdout
	if after != before {
		t.Fatalf("urls before %s after %s", before, after)
	}
	r = h.run("loadbalancers", "urls", "delete", "plbweb01", "nothing.example.com", "--yes")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, `no URL named "nothing.example.com"`) {
		t.Fatalf("stderr %s", r.stderr)
	}
}

func TestDeleteClusterAndVolume(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 5})
	h.login()
	for _, c := range [][]string{{"kubernetes", "dk8slab01", "/compute/containers/kubernetes/"}, {"overdrive", "podarchive01", "/storage/overdrive/"}} {
		assertCode(t, h.run(c[0], "delete", c[1]), ExitUsage)
		if n := len(h.apiRequests("DELETE", c[2])); n != 0 {
			t.Fatalf("%s: DELETE sent without --yes", c[0])
		}
		assertCode(t, h.run(c[0], "delete", c[1], "--dry-run"), 0)
		h.mustRun(c[0], "get", c[1])
		h.mustRun(c[0], "delete", c[1], "--yes", "--change-ref", "RFC_5")
		if reqs := h.apiRequests("DELETE", c[2]); len(reqs) != 2 || !strings.Contains(string(reqs[1].Body), "RFC_5") {
			t.Fatalf("%s: requests %v", c[0], reqs)
		}
		r := h.run(c[0], "get", c[1])
		assertCode(t, r, ExitError)
	}
}
