package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

func TestInstanceFiltersReachServerAsDocumentedParameters(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.mustRun("instances", "list",
		"--name", "pdeb12web01", "--name", "!pdeb12web02",
		"--status", "active", "--env", "PRODUCTION,QA", "--type", "LINUX", "--family", "DEBIAN",
		"--service", "42", "--tag", "application:itcare", "--az", "EB-A", "--ip", "10.0.0.1",
		"--sort", "name,desc", "--page", "1", "--size", "7")
	reqs := h.apiRequests("GET", "/compute/instances")
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	q := reqs[0].Query
	want := url.Values{
		"names":        {"pdeb12web01", "!pdeb12web02"},
		"statuses":     {"ACTIVE"},
		"environments": {"PRODUCTION", "QA"},
		"types":        {"LINUX"},
		"families":     {"DEBIAN"},
		"services":     {"42"},
		"tags":         {"application:itcare"},
		"az":           {"EB-A"},
		"ip":           {"10.0.0.1"},
		"sort":         {"name,desc"},
		"page":         {"1"},
		"size":         {"7"},
	}
	for k, v := range want {
		if strings.Join(q[k], "|") != strings.Join(v, "|") {
			t.Errorf("query %s = %v, want %v", k, q[k], v)
		}
	}
	for k := range q {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected query parameter %s", k)
		}
	}
}

func TestListAllReturnsEveryInstanceOnce(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 450})
	h.login()
	r := h.mustRun("instances", "list", "--all", "--size", "100", "-o", "json")
	items := decodeJSON[[]map[string]any](t, r.stdout)
	if len(items) != 450 {
		t.Fatalf("got %d instances, want 450", len(items))
	}
	seen := map[string]bool{}
	for _, it := range items {
		id := fmt.Sprint(it["id"])
		if seen[id] {
			t.Fatalf("instance %s twice", id)
		}
		seen[id] = true
	}
	pages := map[string]bool{}
	for _, req := range h.apiRequests("GET", "/compute/instances") {
		pages[req.Query.Get("page")] = true
	}
	if len(pages) != 5 {
		t.Fatalf("fetched pages %v, want 0..4", pages)
	}
	// Order is kept: the server's order, page after page.
	r2 := h.mustRun("instances", "list", "--size", "100", "--page", "1", "-o", "json")
	page1 := decodeJSON[[]map[string]any](t, r2.stdout)
	if fmt.Sprint(page1[0]["id"]) != fmt.Sprint(items[100]["id"]) {
		t.Fatalf("merged order differs from page order")
	}
}

func TestListAllWithJQRunsOnceOnMergedResult(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 250})
	h.login()
	r := h.mustRun("instances", "list", "--all", "--size", "100", "--jq", "length")
	if strings.TrimSpace(r.stdout) != "250" {
		t.Fatalf("jq length = %q", r.stdout)
	}
}

func TestTableOutputPipedAndEmpty(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.mustRun("instances", "list", "--size", "3")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "NAME") {
		t.Fatalf("table:\n%s", r.stdout)
	}
	r = h.mustRun("instances", "list", "--name", "no-such-instance-anywhere")
	if r.stdout != "" || !strings.Contains(r.stderr, "no instances found") {
		t.Fatalf("empty list: stdout %q stderr %q", r.stdout, r.stderr)
	}
	r = h.mustRun("instances", "list", "--name", "no-such-instance-anywhere", "-o", "json")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("empty json: %q", r.stdout)
	}
}

func firstInstance(t *testing.T, h *harness, args ...string) map[string]any {
	t.Helper()
	r := h.mustRun(append([]string{"instances", "list", "--size", "1", "-o", "json"}, args...)...)
	items := decodeJSON[[]map[string]any](t, r.stdout)
	if len(items) == 0 {
		t.Fatalf("no instance for %v", args)
	}
	return items[0]
}

func TestNameResolution(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	inst := firstInstance(t, h, "--status", "ACTIVE")
	name := inst["name"].(string)
	r := h.mustRun("instances", "get", name, "-o", "json")
	got := decodeJSON[map[string]any](t, r.stdout)
	if fmt.Sprint(got["id"]) != fmt.Sprint(inst["id"]) {
		t.Fatalf("resolved %s to %v", name, got["id"])
	}
	// Unknown name.
	r = h.run("instances", "get", "no-such-vm")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, `no instance named "no-such-vm"`) {
		t.Fatalf("unknown: %s", r.stderr)
	}
	// Ambiguous name: two instances share it.
	a := h.sb.AddInstance(map[string]any{"name": "twin01", "status": "ACTIVE"})
	b := h.sb.AddInstance(map[string]any{"name": "twin01", "status": "INACTIVE"})
	r = h.run("instances", "stop", "twin01")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "matches 2 instances") || !strings.Contains(r.stderr, fmt.Sprint(a)) || !strings.Contains(r.stderr, fmt.Sprint(b)) {
		t.Fatalf("ambiguous: %s", r.stderr)
	}
	if n := len(h.apiRequests("PATCH", "")); n != 0 {
		t.Fatalf("a change was sent for an ambiguous name")
	}
}

func TestOperationsSendMethodPathBodyAndWait(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	inst := firstInstance(t, h, "--status", "ACTIVE")
	id := fmt.Sprint(inst["id"])
	for _, step := range []struct{ op, status string }{{"stop", "INACTIVE"}, {"start", "ACTIVE"}, {"reset", "ACTIVE"}} {
		h.sb.ResetRequests()
		r := h.mustRun("instances", step.op, id)
		if !strings.Contains(r.stderr, "SUCCESS") {
			t.Errorf("%s: stderr %q", step.op, r.stderr)
		}
		patches := h.apiRequests("PATCH", "/compute/instances/"+id)
		if len(patches) != 1 {
			t.Fatalf("%s: %d PATCH requests", step.op, len(patches))
		}
		var body map[string]any
		json.Unmarshal(patches[0].Body, &body)
		if body["operation"] != step.op || len(body) != 1 {
			t.Fatalf("%s: body %s", step.op, patches[0].Body)
		}
		if len(h.apiRequests("GET", "/actions/")) == 0 {
			t.Fatalf("%s: did not poll the action", step.op)
		}
		got := decodeJSON[map[string]any](t, h.mustRun("instances", "get", id, "-o", "json").stdout)
		if got["status"] != step.status {
			t.Fatalf("after %s: status %v", step.op, got["status"])
		}
	}
	// delete: stop first, then DELETE with the change reference.
	h.mustRun("instances", "stop", id)
	h.sb.ResetRequests()
	r := h.mustRun("instances", "delete", id, "--yes", "--change-ref", "RFC_123", "-o", "json")
	dels := h.apiRequests("DELETE", "/compute/instances/"+id)
	if len(dels) != 1 || !strings.Contains(string(dels[0].Body), `"changeReference":"RFC_123"`) {
		t.Fatalf("delete requests %v", dels)
	}
	final := decodeJSON[[]map[string]any](t, r.stdout)
	if len(final) != 1 || final[0]["outcome"] != "SUCCESS" || final[0]["action"].(map[string]any)["status"] != "SUCCESS" {
		t.Fatalf("delete output %s", r.stdout)
	}
	assertCode(t, h.run("instances", "get", id), ExitError)
}

// Deleting an ACTIVE instance is refused before anything is sent: the
// status does not allow it (the API would answer 409).
func TestDeleteActiveInstanceIsRefusedUnsent(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	r := h.run("instances", "delete", id, "--yes", "-o", "json")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "is ACTIVE; delete requires INACTIVE") {
		t.Fatalf("stderr %s", r.stderr)
	}
	res := decodeJSON[[]map[string]any](t, r.stdout)
	if len(res) != 1 || res[0]["outcome"] != "FAILED" || res[0]["actionId"] != nil || res[0]["action"] != nil {
		t.Fatalf("stdout %s", r.stdout)
	}
	if n := len(h.apiRequests("DELETE", "")); n != 0 {
		t.Fatalf("%d DELETE sent", n)
	}
}

func TestDeleteRefusesWithoutYesOffTerminal(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "INACTIVE")["id"])
	h.sb.ResetRequests()
	r := h.run("instances", "delete", id)
	assertCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("stderr %s", r.stderr)
	}
	if len(h.sb.Requests()) != 0 {
		t.Fatal("requests were sent")
	}
	// On a terminal it asks; "n" keeps the instance.
	h.stdinTTY, h.stderrTTY = true, true
	h.stdin = "n\n"
	r = h.run("instances", "delete", id)
	if r.code == 0 || len(h.apiRequests("DELETE", "")) != 0 {
		t.Fatalf("declined deletion went ahead: %d %s", r.code, r.stderr)
	}
	h.stdin = "y\n"
	r = h.run("instances", "delete", id, "--no-wait")
	assertCode(t, r, 0)
	if len(h.apiRequests("DELETE", "")) != 1 {
		t.Fatal("confirmed deletion not sent")
	}
}

func TestActionErrorExits3WithMessage(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	h.sb.FailNext("stop", "hypervisor refused the shutdown")
	r := h.run("instances", "stop", id)
	assertCode(t, r, ExitActionError)
	if !strings.Contains(r.stderr, "hypervisor refused the shutdown") {
		t.Fatalf("stderr %s", r.stderr)
	}
}

func TestWaitTimeoutExits5WithResumeHint(t *testing.T) {
	h := newHarness(t, sandbox.Options{ActionDuration: time.Hour})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	r := h.run("instances", "stop", id, "--wait-timeout", "300ms")
	assertCode(t, r, ExitTimeout)
	if !strings.Contains(r.stderr, "itcare actions wait ") {
		t.Fatalf("no resume hint: %s", r.stderr)
	}
}

func TestNoWaitPrintsActionIDAndActionsWaitManyIDs(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.mustRun("instances", "list", "--status", "ACTIVE", "--size", "3", "-o", "json", "--jq", ".[].id")
	ids := strings.Fields(r.stdout)
	var actions []string
	for _, id := range ids {
		r := h.mustRun("instances", "stop", id, "--no-wait")
		a := strings.TrimSpace(r.stdout)
		if _, err := fmt.Sscan(a, new(int64)); err != nil {
			t.Fatalf("--no-wait printed %q", r.stdout)
		}
		if !strings.Contains(r.stderr, "itcare actions wait "+a) {
			t.Errorf("no follow-up hint: %s", r.stderr)
		}
		actions = append(actions, a)
	}
	if n := len(h.apiRequests("GET", "/actions/")); n != 0 {
		t.Fatalf("--no-wait polled %d times", n)
	}
	r = h.mustRun(append([]string{"actions", "wait", "-o", "json"}, actions...)...)
	final := decodeJSON[[]map[string]any](t, r.stdout)
	if len(final) != 3 {
		t.Fatalf("got %d actions", len(final))
	}
	for _, a := range final {
		if a["status"] != "SUCCESS" {
			t.Fatalf("action %v", a)
		}
	}
	// Piped stderr: one plain line per status change, no spinner frames.
	if strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "\x1b[") {
		t.Fatalf("spinner output on a non-terminal stderr: %q", r.stderr)
	}
	if strings.Count(r.stderr, "SUCCESS") != 3 {
		t.Fatalf("status lines: %q", r.stderr)
	}
	// A mix of outcomes: one fails → exit 3.
	id := strings.Fields(h.mustRun("instances", "list", "--status", "INACTIVE", "--size", "2", "-o", "json", "--jq", ".[].id").stdout)
	h.sb.FailNext("start", "no capacity left")
	a1 := strings.TrimSpace(h.mustRun("instances", "start", id[0], "--no-wait").stdout)
	a2 := strings.TrimSpace(h.mustRun("instances", "start", id[1], "--no-wait").stdout)
	r = h.run("actions", "wait", a1, a2)
	assertCode(t, r, ExitActionError)
	if !strings.Contains(r.stderr, "no capacity left") {
		t.Fatalf("stderr %s", r.stderr)
	}
}

func TestSpinnerOnlyOnTerminal(t *testing.T) {
	h := newHarness(t, sandbox.Options{ActionDuration: 1200 * time.Millisecond})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	h.stderrTTY = true
	r := h.mustRun("instances", "stop", id)
	if !strings.Contains(r.stderr, "action ") || !strings.Contains(r.stderr, "SUCCESS") {
		t.Fatalf("terminal stderr: %q", r.stderr)
	}
	if r.stdout != "" {
		t.Fatalf("stdout while waiting: %q", r.stdout)
	}
}

func TestDryRunSendsHeaderAndChangesNothing(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	r := h.mustRun("instances", "stop", id, "--dry-run")
	if !strings.Contains(r.stdout, "dry run") {
		t.Fatalf("stdout %q", r.stdout)
	}
	patches := h.apiRequests("PATCH", "")
	if len(patches) != 1 || patches[0].Header.Get("ITCare-DryRun") != "true" {
		t.Fatalf("dry-run header not sent: %v", patches)
	}
	if len(h.apiRequests("GET", "/actions")) != 0 {
		t.Fatal("dry run waited on an action")
	}
	got := decodeJSON[map[string]any](t, h.mustRun("instances", "get", id, "-o", "json").stdout)
	if got["status"] != "ACTIVE" {
		t.Fatalf("dry run changed the instance: %v", got["status"])
	}
	// A dry run that the server does not confirm is a warning and exit 1.
	h.transport = dropResponseHeader{name: "ITCare-DryRun"}
	r = h.run("instances", "stop", id, "--dry-run")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "did not confirm the dry run") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

func TestUsageErrorsSendNothing(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	for _, args := range [][]string{
		{"instances", "list", "--bogus"},
		{"instances", "list", "--sort", "name,sideways"},
		{"instances", "list", "--tag", "novalue"},
		{"instances", "list", "--service", "abc"},
		{"instances", "list", "--page", "-1"},
		{"instances", "list", "--all", "--page", "2"},
		{"instances", "list", "-o", "xml"},
		{"instances", "list", "-o", "columns=ID,NOPE"},
		{"instances", "stop"},
		{"instances", "stop", "x", "--wait-timeout", "soon"},
		{"actions", "wait", "abc"},
		{"actions", "wait", "1", "--timeout", "-1s"},
		{"nosuchcommand"},
	} {
		r := h.run(args...)
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d, want 2 (stderr %s)", args, r.code, r.stderr)
		}
	}
	if n := len(h.sb.Requests()); n != 0 {
		t.Fatalf("%d requests sent for usage errors", n)
	}
}

func TestInterruptDuringWaitExits130WithHint(t *testing.T) {
	h := newHarness(t, sandbox.Options{ActionDuration: time.Hour})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel) // as Ctrl-C does through signal.NotifyContext
	r := h.runCtx(ctx, "instances", "stop", id)
	assertCode(t, r, ExitInterrupted)
	if !strings.Contains(r.stderr, "itcare actions wait") {
		t.Fatalf("stderr %s", r.stderr)
	}
}

// With -o json, an action that ended in ERROR is still printed on stdout
// (exit 3), so scripts see its final state and message.
func TestJSONReportsFailedAction(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	h.sb.FailNext("stop", "hypervisor busy")
	r := h.run("instances", "stop", id, "-o", "json")
	assertCode(t, r, ExitActionError)
	res := decodeJSON[[]map[string]any](t, r.stdout)
	if len(res) != 1 || res[0]["outcome"] != "ERROR" || res[0]["message"] != "hypervisor busy" {
		t.Fatalf("stdout %s", r.stdout)
	}
	if a, _ := res[0]["action"].(map[string]any); a["status"] != "ERROR" || fmt.Sprint(a["id"]) != fmt.Sprint(res[0]["actionId"]) {
		t.Fatalf("final action %s", r.stdout)
	}
}
