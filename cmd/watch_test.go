package cmd

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/netfault"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// watchRun runs a command in the background; stop cancels it (as Ctrl-C
// does) and returns its result.
type watchRun struct {
	cancel context.CancelFunc
	done   chan result
}

func startWatch(h *harness, args ...string) *watchRun {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watchRun{cancel: cancel, done: make(chan result, 1)}
	go func() { w.done <- h.runCtx(ctx, args...) }()
	return w
}

func (w *watchRun) stop(t *testing.T) result {
	t.Helper()
	w.cancel()
	select {
	case r := <-w.done:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the watch did not end after its context was cancelled")
		return result{}
	}
}

// waitRequests waits until the sandbox has received n requests GET prefix.
func waitRequests(t *testing.T, h *harness, prefix string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		count := 0
		for _, r := range h.apiRequests("GET", prefix) {
			if r.Path == "/itcare"+prefix {
				count++
			}
		}
		if count >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("fewer than %d GET %s within 20s", n, prefix)
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" {
			lines = append(lines, decodeJSON[map[string]any](t, l))
		}
	}
	return lines
}

// The activity feed, piped: one JSON line per change, nothing for what did
// not change; an action that finishes is seen in its final state, then
// removed from the IN_PROGRESS list.
func TestActionsWatchPipedFeed(t *testing.T) {
	clk := sandbox.NewManualClock(time.Now())
	h := newHarness(t, sandbox.Options{Now: clk.Now, ActionDuration: time.Minute})
	h.login()
	w := startWatch(h, "actions", "list", "--watch=1s", "--status", "IN_PROGRESS")
	waitRequests(t, h, "/actions", 1)
	h.mustRun("instances", "stop", "pdeb12web01", "--no-wait")
	waitRequests(t, h, "/actions", 3) // seen IN_PROGRESS, then unchanged
	clk.Advance(2 * time.Minute)      // the action ends
	waitRequests(t, h, "/actions", 6)
	r := w.stop(t)
	assertCode(t, r, 0)
	lines := jsonLines(t, r.stdout)
	var got []string
	for _, l := range lines {
		item := l["item"].(map[string]any)
		got = append(got, l["event"].(string)+":"+item["process"].(string)+":"+item["status"].(string))
		if _, err := time.Parse(time.RFC3339, l["at"].(string)); err != nil {
			t.Errorf("at: %v", err)
		}
	}
	want := "added:stop-instance:IN_PROGRESS changed:stop-instance:SUCCESS removed:stop-instance:SUCCESS"
	if strings.Join(got, " ") != want {
		t.Fatalf("events:\n%s\nwant %s\nstdout:\n%s", strings.Join(got, " "), want, r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// A refresh that fails for a passing reason is reported and retried; the
// watch goes on.
func TestWatchRetriesAfterAnError(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	// Every attempt of the client's own retries fails, for two polls.
	if err := h.sb.Faults().Add(netfault.Fault{Match: "GET /itcare/actions", Kind: netfault.Status, Status: 503, RetryAfter: "0", Count: 8}); err != nil {
		t.Fatal(err)
	}
	h.watchPolls = 3
	r := h.run("actions", "list", "--watch=1s", "--resource-name", "pdeb11old01")
	assertCode(t, r, 0)
	if !strings.Contains(r.stderr, "warning:") || !strings.Contains(r.stderr, "503") || !strings.Contains(r.stderr, "retrying at") {
		t.Fatalf("no retry warning on stderr: %q", r.stderr)
	}
	if lines := jsonLines(t, r.stdout); len(lines) != 2 || lines[0]["event"] != "added" {
		t.Fatalf("after the errors, the actions should be added once:\n%s", r.stdout)
	}
}

// An authentication failure ends the watch with exit 4.
func TestWatchEndsOnAuthFailure(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.watchPolls = 5
	w := startWatch(h, "actions", "list", "--watch=1s")
	waitRequests(t, h, "/actions", 1)
	if err := h.sb.Faults().Add(netfault.Fault{Match: "GET /itcare/actions", Kind: netfault.Status, Status: 401}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-w.done:
		assertCode(t, r, ExitAuth)
		if !strings.Contains(r.stderr, "401") {
			t.Fatalf("stderr: %s", r.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the watch went on after a 401")
	}
}

func TestWatchUsageErrors(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	for _, args := range [][]string{
		{"actions", "list", "--watch=500ms"},
		{"actions", "list", "--watch=soon"},
		{"actions", "list", "--watch", "-o", "yaml"},
		{"actions", "list", "--since", "-1h"},
	} {
		r := h.run(args...)
		assertCode(t, r, ExitUsage)
	}
	if n := len(h.apiRequests("GET", "/actions")); n != 0 {
		t.Fatalf("%d requests sent for usage errors", n)
	}
}

func TestActionsListSince(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.mustRun("instances", "stop", "pdeb12web01", "--no-wait")
	all := decodeJSON[[]map[string]any](t, h.mustRun("actions", "list", "-o", "json").stdout)
	recent := decodeJSON[[]map[string]any](t, h.mustRun("actions", "list", "--since", "2h", "-o", "json").stdout)
	if len(all) < 5 || len(recent) != 1 || recent[0]["process"] != "stop-instance" {
		t.Fatalf("%d actions, %d in the last 2h: %v", len(all), len(recent), recent)
	}
}

func eventSummary(t *testing.T, out string) string {
	t.Helper()
	var got []string
	for _, l := range jsonLines(t, out) {
		item := l["item"].(map[string]any)
		got = append(got, fmt.Sprintf("%s:%v:%v", l["event"], item["name"], item["status"]))
	}
	return strings.Join(got, " ")
}

// list --watch piped, across status changes made in the sandbox: one JSON
// line per change, nothing for the instance that did not change.
func TestListWatchPipedJSONLines(t *testing.T) {
	clk := sandbox.NewManualClock(time.Now())
	h := newHarness(t, sandbox.Options{Now: clk.Now, ActionDuration: time.Minute})
	h.login()
	id := strings.TrimSpace(h.mustRun("instances", "get", "pdeb12web01", "--jq", ".id").stdout)
	h.sb.ResetRequests()
	w := startWatch(h, "instances", "list", "--name", "pdeb12web01", "--name", "qrhel9app03", "--watch=1s")
	waitRequests(t, h, "/compute/instances", 1)
	h.mustRun("instances", "stop", id, "--no-wait")
	waitRequests(t, h, "/compute/instances", 3)
	clk.Advance(2 * time.Minute)
	waitRequests(t, h, "/compute/instances", 5)
	r := w.stop(t)
	assertCode(t, r, 0)
	want := "added:pdeb12web01:ACTIVE added:qrhel9app03:ACTIVE changed:pdeb12web01:STOPPING changed:pdeb12web01:INACTIVE"
	if got := eventSummary(t, r.stdout); got != want {
		t.Fatalf("events %s\nwant   %s", got, want)
	}
	// The filters went with every poll.
	for _, req := range h.apiRequests("GET", "/compute/instances") {
		if req.Path == "/itcare/compute/instances" && len(req.Query["names"]) != 2 {
			t.Fatalf("poll without the filters: %s", req.RawQuery)
		}
	}
}

// get --watch piped: the resource, then its changes.
func TestGetWatchPipedJSONLines(t *testing.T) {
	clk := sandbox.NewManualClock(time.Now())
	h := newHarness(t, sandbox.Options{Now: clk.Now, ActionDuration: time.Minute})
	h.login()
	w := startWatch(h, "instances", "get", "pdeb12web01", "--watch=1s", "-o", "json")
	waitRequests(t, h, "/compute/instances/10001", 1)
	h.mustRun("instances", "stop", "10001", "--no-wait")
	waitRequests(t, h, "/compute/instances/10001", 3)
	r := w.stop(t)
	assertCode(t, r, 0)
	if got := eventSummary(t, r.stdout); got != "added:pdeb12web01:ACTIVE changed:pdeb12web01:STOPPING" {
		t.Fatalf("events %s", got)
	}
}

// sandbox --churn: statuses move on their own, through actions, and only
// for development and test instances.
func TestSandboxChurnMovesStatuses(t *testing.T) {
	clk := sandbox.NewManualClock(time.Now())
	h := newHarness(t, sandbox.Options{Now: clk.Now, Churn: time.Second, ActionDuration: time.Minute})
	h.login()
	h.mustRun("actions", "list", "--status", "IN_PROGRESS") // starts the churn's clock
	clk.Advance(time.Second)
	acts := decodeJSON[[]map[string]any](t, h.mustRun("actions", "list", "--status", "IN_PROGRESS", "-o", "json").stdout)
	if len(acts) != 1 || acts[0]["submittedBy"] != "itcare-churn" {
		t.Fatalf("one churn action expected: %v", acts)
	}
	inst := decodeJSON[map[string]any](t, h.mustRun("instances", "get", acts[0]["resourceName"].(string), "-o", "json").stdout)
	if env := inst["environment"]; env != "DEVELOPMENT" && env != "TEST" {
		t.Fatalf("churn touched a %v instance", env)
	}
	if st := inst["status"]; st != "STOPPING" && st != "STARTING" {
		t.Fatalf("status %v while the churn's action runs", st)
	}
}

// metrics --watch piped: one JSON chart per refresh.
func TestMetricsWatchPipedJSONLines(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.watchPolls = 2
	r := h.mustRun("instances", "metrics", "pdeb12web01", "--since", "1h", "--points", "3", "--watch=1s")
	lines := jsonLines(t, r.stdout)
	if len(lines) != 2 || lines[0]["graph"] != "SYS_LNX_CPU_USAGE" || len(lines[1]["series"].([]any)) != 1 {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
}
