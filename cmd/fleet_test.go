package cmd

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/netfault"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// Changes on many targets (issue: act on many resources at once), driven
// through the real commands against the sandbox over real HTTP.

// instanceNames returns n instance names with the given status.
func instanceNames(t *testing.T, h *harness, status string, n int) []string {
	t.Helper()
	r := h.mustRun("instances", "list", "--status", status, "--size", fmt.Sprint(n), "-o", "json", "--jq", ".[].name")
	names := strings.Fields(r.stdout)
	if len(names) < n {
		t.Fatalf("only %d %s instances", len(names), status)
	}
	h.sb.ResetRequests()
	h.sb.ResetStats()
	return names
}

func outcomes(t *testing.T, stdout string) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, r := range decodeJSON[[]map[string]any](t, stdout) {
		n[fmt.Sprint(r["outcome"])]++
	}
	return n
}

func TestFleetNamesResolvedInOneListRequest(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 20)
	args := append([]string{"instances", "stop", "--yes", "--no-wait", "-o", "json"}, names...)
	args = append(args, names[0], strings.ToUpper(names[1])) // duplicates are dropped
	r := h.mustRun(args...)
	lists := h.apiRequests("GET", "/compute/instances")
	var listCalls int
	for _, l := range lists {
		if l.Path == "/itcare/compute/instances" {
			listCalls++
			if got := len(l.Query["names"]); got != 20 {
				t.Errorf("list request with %d names, want 20: %s", got, l.RawQuery)
			}
		}
	}
	if listCalls != 1 {
		t.Fatalf("%d list requests to resolve 20 names, want 1", listCalls)
	}
	if n := len(h.apiRequests("PATCH", "")); n != 20 {
		t.Fatalf("%d PATCH requests, want 20", n)
	}
	res := decodeJSON[[]map[string]any](t, r.stdout)
	if len(res) != 20 {
		t.Fatalf("%d results", len(res))
	}
	for _, x := range res {
		if x["outcome"] != "SUBMITTED" || x["actionId"] == nil || x["operation"] != "stop" || x["action"] != nil {
			t.Fatalf("result %v", x)
		}
	}
	if n := len(h.tokenRequests()); n != 0 {
		t.Fatalf("%d token requests on a warm cache", n)
	}
	if !strings.Contains(r.stderr, "stop 20 instances: "+names[0]+", ") || !strings.Contains(r.stderr, "… and 10 more") {
		t.Fatalf("plan: %s", r.stderr)
	}
	// Table mode with --no-wait: one action id per line.
	more := instanceNames(t, h, "ACTIVE", 2)
	r = h.mustRun("instances", "stop", "--yes", "--no-wait", more[0], more[1])
	if !regexp.MustCompile(`^\d+\n\d+\n$`).MatchString(r.stdout) || !strings.Contains(r.stderr, "itcare actions wait ") {
		t.Fatalf("--no-wait table: stdout %q stderr %q", r.stdout, r.stderr)
	}
}

func TestFleetSelectorOverSeveralPages(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 700})
	h.login()
	want := strings.TrimSpace(h.mustRun("instances", "list", "--status", "ACTIVE", "--all", "-o", "json", "--jq", "length").stdout)
	if n, _ := fmt.Sscan(want, new(int)); n != 1 {
		t.Fatalf("count %q", want)
	}
	h.sb.ResetRequests()
	r := h.mustRun("instances", "stop", "--status", "active", "--dry-run", "-o", "json", "--max-parallel", "20")
	pages := 0
	for _, l := range h.apiRequests("GET", "/compute/instances") {
		if l.Path == "/itcare/compute/instances" {
			pages++
			if l.Query.Get("statuses") != "ACTIVE" {
				t.Fatalf("selector not sent as a filter: %s", l.RawQuery)
			}
		}
	}
	if pages < 2 {
		t.Fatalf("%d list requests: the selection should span several pages", pages)
	}
	got := outcomes(t, r.stdout)
	if fmt.Sprint(got["VALIDATED"]) != want || len(got) != 1 {
		t.Fatalf("outcomes %v, want %s VALIDATED", got, want)
	}
	patches := h.apiRequests("PATCH", "")
	if fmt.Sprint(len(patches)) != want || patches[0].Header.Get("ITCare-DryRun") != "true" {
		t.Fatalf("%d dry-run PATCH requests, want %s", len(patches), want)
	}
	if !strings.Contains(r.stderr, want+" validated in ") {
		t.Fatalf("summary: %s", r.stderr)
	}
}

func TestFleetMixedOutcomesExit3AndEveryOtherFinished(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	active := instanceNames(t, h, "ACTIVE", 5)
	inactive := instanceNames(t, h, "INACTIVE", 1)
	h.sb.FailNext("stop", "hypervisor refused the shutdown")
	r := h.run(append([]string{"instances", "stop", "--yes", "-o", "json", "--max-parallel", "2"}, append(active, inactive...)...)...)
	assertCode(t, r, ExitActionError)
	res := decodeJSON[[]map[string]any](t, r.stdout)
	got := outcomes(t, r.stdout)
	if got["ERROR"] != 1 || got["SUCCESS"] != 4 || got["SKIPPED"] != 1 || len(res) != 6 {
		t.Fatalf("outcomes %v\n%s", got, r.stdout)
	}
	for _, x := range res {
		switch x["outcome"] {
		case "ERROR":
			if x["message"] != "hypervisor refused the shutdown" || x["action"].(map[string]any)["status"] != "ERROR" {
				t.Fatalf("error result %v", x)
			}
		case "SUCCESS":
			if x["action"].(map[string]any)["status"] != "SUCCESS" {
				t.Fatalf("result %v", x)
			}
		case "SKIPPED":
			if x["name"] != inactive[0] || x["message"] != "already INACTIVE" || x["actionId"] != nil {
				t.Fatalf("skipped %v", x)
			}
		}
	}
	if !strings.Contains(r.stderr, "4 stopped, 1 failed, 1 skipped in ") {
		t.Fatalf("summary: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, "skip "+inactive[0]+": already INACTIVE") {
		t.Fatalf("plan: %s", r.stderr)
	}
	// Piped: plain lines per state change, no escape codes.
	if strings.Contains(r.stderr, "\x1b[") || strings.Contains(r.stderr, "\r") {
		t.Fatalf("escape codes on a piped stderr: %q", r.stderr)
	}
	for _, n := range active {
		if !regexp.MustCompile(regexp.QuoteMeta(n) + `: IN_PROGRESS \(action \d+\)`).MatchString(r.stderr) {
			t.Fatalf("no IN_PROGRESS line for %s:\n%s", n, r.stderr)
		}
	}
	// -o table: a results table for more than one target.
	more := instanceNames(t, h, "ACTIVE", 2)
	r = h.mustRun("instances", "stop", "--yes", more[0], more[1])
	if !strings.HasPrefix(r.stdout, "ID ") || strings.Count(r.stdout, "SUCCESS") != 2 {
		t.Fatalf("results table: %q", r.stdout)
	}
}

func TestFleetFailFast(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 4)
	h.sb.FailNext("stop", "no")
	r := h.run(append([]string{"instances", "stop", "--yes", "-o", "json", "--max-parallel", "1", "--fail-fast"}, names...)...)
	assertCode(t, r, ExitActionError)
	got := outcomes(t, r.stdout)
	if got["ERROR"] != 1 || got["SKIPPED"] != 3 {
		t.Fatalf("outcomes %v", got)
	}
	if n := len(h.apiRequests("PATCH", "")); n != 1 {
		t.Fatalf("%d PATCH after the first failure with --fail-fast", n)
	}
	if !strings.Contains(r.stdout, "--fail-fast after "+names[0]+" error") {
		t.Fatalf("stdout %s", r.stdout)
	}
}

func TestFleetCtrlCPrintsResumeCommand(t *testing.T) {
	h := newHarness(t, sandbox.Options{ActionDuration: time.Hour})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // Ctrl-C (as signal.NotifyContext does) once both slots are taken
		for len(h.apiRequests("GET", "/actions/")) < 2 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	r := h.runCtx(ctx, append([]string{"instances", "stop", "--yes", "--max-parallel", "2", "-o", "json"}, names...)...)
	assertCode(t, r, ExitInterrupted)
	patches := h.apiRequests("PATCH", "")
	if len(patches) != 2 {
		t.Fatalf("%d changes sent, want 2 (the third waits for a free slot)", len(patches))
	}
	res := decodeJSON[[]map[string]any](t, r.stdout)
	var ids []string
	for _, x := range res[:2] {
		if x["outcome"] != "SUBMITTED" || x["actionId"] == nil {
			t.Fatalf("result %v", x)
		}
		ids = append(ids, fmt.Sprint(x["actionId"]))
	}
	if res[2]["outcome"] != "SKIPPED" || res[2]["message"] != "not sent: interrupted" {
		t.Fatalf("third %v", res[2])
	}
	if !strings.Contains(r.stderr, "itcare actions wait "+strings.Join(ids, " ")) || !strings.Contains(r.stderr, "interrupted") {
		t.Fatalf("no resume command: %s", r.stderr)
	}
}

func TestFleetMaxParallelBoundsRequestsInFlight(t *testing.T) {
	h := newHarness(t, sandbox.Options{ActionDuration: 150 * time.Millisecond})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 12)
	// Every request takes a while, so that requests of different targets overlap.
	if err := h.sb.Faults().Set(netfault.Fault{Kind: netfault.Latency, Latency: 40 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	r := h.mustRun(append([]string{"instances", "stop", "--yes", "--max-parallel", "3", "-o", "json"}, names...)...)
	if got := outcomes(t, r.stdout); got["SUCCESS"] != 12 {
		t.Fatalf("outcomes %v", got)
	}
	st := h.sb.Stats()
	if st.MaxInFlight > 3 {
		t.Fatalf("%d requests in flight at once with --max-parallel 3", st.MaxInFlight)
	}
	if st.MaxInFlight < 2 {
		t.Fatalf("at most %d request in flight: the changes did not run in parallel", st.MaxInFlight)
	}
	// And no more changes in progress than that: each action's submission
	// is before the end of the one three places earlier.
	t.Logf("max in flight %d, %d requests for 12 targets", st.MaxInFlight, st.Requests)
}

func TestFleetNoChangeSentTwiceUnderFaults(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 10)
	patch := "PATCH /itcare/compute/instances/*"
	if err := h.sb.Faults().Set(
		netfault.Fault{Match: patch, Kind: netfault.Status, Status: 503, Count: 2},
		netfault.Fault{Match: patch, Kind: netfault.Drop, Count: 1},
		netfault.Fault{Match: patch, Kind: netfault.DropAfter, Count: 1},
		netfault.Fault{Match: "GET /itcare/actions/*", Kind: netfault.Status, Status: 503, Count: 3},
	); err != nil {
		t.Fatal(err)
	}
	r := h.run(append([]string{"instances", "stop", "--yes", "--max-parallel", "1", "-o", "json"}, names...)...)
	assertCode(t, r, ExitError)
	got := outcomes(t, r.stdout)
	if got["FAILED"] != 4 || got["SUCCESS"] != 6 {
		t.Fatalf("outcomes %v\n%s", got, r.stderr)
	}
	st := h.sb.Stats()
	if len(st.ChangesPer) != 10 {
		t.Fatalf("changes reached %d instances, want 10", len(st.ChangesPer))
	}
	for res, n := range st.ChangesPer {
		if n != 1 {
			t.Fatalf("%d changes sent for %s", n, res)
		}
	}
	if !strings.Contains(r.stdout, "the change may have been applied") {
		t.Fatalf("a lost answer must say the change may have been applied:\n%s", r.stdout)
	}
}

func TestFleetRateLimitBacksOff(t *testing.T) {
	h := newHarness(t, sandbox.Options{RateLimit: 4})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 6)
	r := h.mustRun(append([]string{"instances", "stop", "--yes", "-o", "json"}, names...)...)
	if got := outcomes(t, r.stdout); got["SUCCESS"] != 6 {
		t.Fatalf("outcomes %v\n%s", got, r.stderr)
	}
	if st := h.sb.Stats(); st.RateLimited == 0 {
		t.Fatalf("the rate limit never answered 429: %+v", st)
	}
	// Each instance was stopped by exactly one action.
	for _, n := range names {
		acts := decodeJSON[[]map[string]any](t, h.mustRun("actions", "list", "--resource-name", n, "-o", "json").stdout)
		if len(acts) != 1 {
			t.Fatalf("%d actions for %s", len(acts), n)
		}
	}
}

func TestFleetPlanConfirmationAndUsage(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 3)
	for _, args := range [][]string{
		{"instances", "stop", names[0], names[1]},                // several, off a terminal, no --yes
		{"instances", "stop", "--env", "QA"},                     // a selector, no --yes
		{"instances", "stop", names[0], "--env", "QA", "--yes"},  // targets and filters
		{"instances", "stop", "--yes"},                           // neither
		{"instances", "delete", names[0], names[1], "--dry-run"}, // fine: dry run needs no --yes (checked below)
		{"instances", "stop", names[0], "--max-parallel", "0"},
	} {
		r := h.run(args...)
		if args[len(args)-1] == "--dry-run" {
			continue
		}
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
	if n := len(h.apiRequests("PATCH", "")) + len(h.apiRequests("DELETE", "")); n != 0 {
		t.Fatalf("%d changes sent", n)
	}
	// On a terminal: the plan, then a question; "n" sends nothing.
	h.stdinTTY, h.stderrTTY = true, true
	h.stdin = "n\n"
	r := h.run("instances", "stop", names[0], names[1], names[2])
	if r.code == 0 || len(h.apiRequests("PATCH", "")) != 0 {
		t.Fatalf("declined: %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "stop 3 instances: "+strings.Join(names, ", ")) || !strings.Contains(r.stderr, "Stop 3 instances? [y/N]") {
		t.Fatalf("plan and question: %q", r.stderr)
	}
	// An unknown name: listed with the others, nothing sent.
	h.stdinTTY, h.stderrTTY = false, false
	r = h.run("instances", "stop", names[0], "no-such-vm", "--yes")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, `unknown "no-such-vm"`) || !strings.Contains(r.stderr, "stop 1 of 2 instances: "+names[0]) {
		t.Fatalf("stderr %s", r.stderr)
	}
	if n := len(h.apiRequests("PATCH", "")); n != 0 {
		t.Fatalf("%d changes sent with an unknown name", n)
	}
}

func TestFleetSingleTargetAlreadyInStateIsSkipped(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	name := instanceNames(t, h, "INACTIVE", 1)[0]
	r := h.mustRun("instances", "stop", name, "-o", "json")
	res := decodeJSON[[]map[string]any](t, r.stdout)
	if len(res) != 1 || res[0]["outcome"] != "SKIPPED" || res[0]["message"] != "already INACTIVE" {
		t.Fatalf("stdout %s", r.stdout)
	}
	r = h.mustRun("instances", "stop", name)
	if !strings.Contains(r.stderr, "already INACTIVE: nothing to do") || r.stdout != "" {
		t.Fatalf("table: %q %q", r.stdout, r.stderr)
	}
	if n := len(h.apiRequests("PATCH", "")); n != 0 {
		t.Fatalf("%d PATCH sent", n)
	}
}

func TestFleetDryRunUnconfirmedFailsEach(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 3)
	h.transport = dropResponseHeader{name: "ITCare-DryRun"}
	r := h.run(append([]string{"instances", "stop", "--dry-run", "-o", "json"}, names...)...)
	assertCode(t, r, ExitError)
	if got := outcomes(t, r.stdout); got["FAILED"] != 3 || !strings.Contains(r.stdout, "did not confirm the dry run") {
		t.Fatalf("outcomes %v\n%s", got, r.stdout)
	}
}

func TestFleetLiveBoardInPseudoTerminal(t *testing.T) {
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{ActionDuration: 1500 * time.Millisecond})
	names := activeNamesBin(t, h, bin, 3)
	s := startPTY(t, binEnv(h, bin), bin, append([]string{"instances", "stop", "--yes"}, names...)...)
	s.expect(0, "IN_PROGRESS", 10*time.Second)
	if code := s.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%q", code, s.output())
	}
	screen := s.output()
	// Redrawn in place: the cursor goes back up over the three lines.
	if !strings.Contains(screen, "\x1b[3A") || !spinnerFrame(screen) {
		t.Fatalf("no in-place board:\n%q", screen)
	}
	for _, n := range names {
		if !regexp.MustCompile(regexp.QuoteMeta(n) + ` +action \d+ +SUCCESS`).MatchString(screen) {
			t.Fatalf("no final line for %s:\n%q", n, screen)
		}
	}
	if !strings.Contains(screen, "3 stopped in ") || !strings.Contains(screen, showCursorSeq) {
		t.Fatalf("no summary or cursor:\n%q", screen)
	}
}

func TestWorseExitOrder(t *testing.T) {
	order := []int{ExitOK, ExitError, ExitTimeout, ExitActionError, ExitAuth, ExitInterrupted}
	for i, a := range order {
		for j, b := range order {
			want := a
			if j > i {
				want = b
			}
			if got := worseExit(a, b); got != want {
				t.Errorf("worseExit(%d, %d) = %d, want %d", a, b, got, want)
			}
		}
	}
}

// Ctrl-C in a real terminal on a change of many targets: nothing more is
// sent, the board is left clean, the running actions and the command that
// resumes waiting on them are printed, exit 130.
func TestFleetCtrlCInPseudoTerminal(t *testing.T) {
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{ActionDuration: time.Hour})
	names := activeNamesBin(t, h, bin, 3)
	s := startPTY(t, binEnv(h, bin), bin, append([]string{"instances", "stop", "--yes", "--max-parallel", "2"}, names...)...)
	s.expect(0, "stop-instance", 10*time.Second)
	mark := len(s.output())
	s.send("\x03")
	if code := s.wait(5 * time.Second); code != ExitInterrupted {
		t.Fatalf("exit %d:\n%q", code, s.output())
	}
	after := s.output()[mark:]
	if !regexp.MustCompile(`itcare actions wait \d+ \d+`).MatchString(after) || !strings.Contains(after, showCursorSeq) {
		t.Fatalf("after Ctrl-C:\n%q", after)
	}
	if n := len(h.apiRequests("PATCH", "")); n != 2 {
		t.Fatalf("%d changes sent, want 2", n)
	}
}

// An authentication failure would fail every target: the run stops at the
// first one, exit 4.
func TestFleetAuthFailureStopsTheRun(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 5)
	if err := h.sb.Faults().Set(netfault.Fault{Match: "PATCH /itcare/compute/instances/*", Kind: netfault.Status, Status: 403}); err != nil {
		t.Fatal(err)
	}
	r := h.run(append([]string{"instances", "stop", "--yes", "--max-parallel", "1", "-o", "json"}, names...)...)
	assertCode(t, r, ExitAuth)
	if got := outcomes(t, r.stdout); got["FAILED"] != 1 || got["SKIPPED"] != 4 {
		t.Fatalf("outcomes %v\n%s", got, r.stdout)
	}
	if n := len(h.apiRequests("PATCH", "")); n != 1 {
		t.Fatalf("%d PATCH requests after a 403", n)
	}
}

// activeNamesBin returns the names of n ACTIVE instances, through the binary.
func activeNamesBin(t *testing.T, h *harness, bin string, n int) []string {
	t.Helper()
	c := exec.Command(bin, "instances", "list", "--status", "ACTIVE", "--size", fmt.Sprint(n), "--jq", ".[].name")
	c.Env = binEnv(h, bin)
	out, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))
}

func TestFleetWaitTimeoutExits5WithResumeCommand(t *testing.T) {
	h := newHarness(t, sandbox.Options{ActionDuration: time.Hour})
	h.login()
	names := instanceNames(t, h, "ACTIVE", 2)
	r := h.run(append([]string{"instances", "stop", "--yes", "--wait-timeout", "300ms", "-o", "json"}, names...)...)
	assertCode(t, r, ExitTimeout)
	res := decodeJSON[[]map[string]any](t, r.stdout)
	var ids []string
	for _, x := range res {
		if x["outcome"] != "TIMEOUT" || x["action"] == nil {
			t.Fatalf("result %v", x)
		}
		ids = append(ids, fmt.Sprint(x["actionId"]))
	}
	if !strings.Contains(r.stderr, "to keep waiting, run: itcare actions wait "+strings.Join(ids, " ")) ||
		!strings.Contains(r.stderr, "2 timed out in ") {
		t.Fatalf("stderr %s", r.stderr)
	}
}
