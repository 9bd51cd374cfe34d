package cmd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

// With --wait, stdout carries the finished action, not the 202 answer; the
// output ends with a newline.
func TestAPIWaitPrintsTheFinishedAction(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	r := h.mustRun("api", "-X", "PATCH", "/compute/instances/"+id, "-f", "operation=stop", "--wait")
	got := decodeJSON[map[string]any](t, r.stdout)
	if got["status"] != "SUCCESS" || got["id"] == nil || got["completedAt"] == nil {
		t.Fatalf("stdout is not the finished action: %s", r.stdout)
	}
	if !strings.HasSuffix(r.stdout, "\n") {
		t.Fatalf("no final newline: %q", r.stdout)
	}
}

// Piped output ends with a newline, merged pages included.
func TestAPIPipedOutputEndsWithNewline(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	for _, args := range [][]string{
		{"api", "-X", "GET", "/compute/instances", "--paginate", "-f", "size=5"},
		{"api", "-X", "GET", "/compute/instances", "-f", "size=2"},
	} {
		r := h.mustRun(args...)
		if !strings.HasSuffix(r.stdout, "\n") {
			t.Errorf("%v: no final newline: ...%q", args, r.stdout[max(0, len(r.stdout)-20):])
		}
	}
}

// Paths that leave the API base, on its host or another, are refused the
// same way (exit 2) before anything is sent or any credential is read.
func TestAPIRefusesPathsOutsideTheAPI(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	for _, p := range []string{"../../../x", "/%2e%2e/%2e%2e/x", "/compute/../../x", "//evil.com/x", "http://other-host/x", h.sb.APIURL() + "/../x"} {
		r := h.run("api", p)
		assertCode(t, r, ExitUsage)
		if !strings.Contains(r.stderr, "refusing to send credentials") {
			t.Errorf("%s: stderr %q", p, r.stderr)
		}
	}
	for _, hdr := range []string{"X-A: b\r\nX-Evil: 1", "X-A: b\nc"} {
		assertCode(t, h.run("api", "/actions", "-H", hdr), ExitUsage)
	}
	assertCode(t, h.run("api", "/actions", "-F", "a[=1"), ExitUsage)
	if n := len(h.sb.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// -F n=01 keeps its leading zero (a string, not the number 1).
func TestAPITypedFieldKeepsLeadingZero(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.run("api", "-X", "POST", "/compute/instances/10001/snapshots", "-F", "description=01")
	if r := lastRequest(t, h); !strings.Contains(string(r.Body), `"description":"01"`) {
		t.Fatalf("body %s", r.Body)
	}
	h.sb.ResetViolations()
}

// On a terminal too the output ends with a newline, whatever the body.
func TestAPITerminalOutputEndsWithNewline(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.stdoutTTY = true
	for _, args := range [][]string{
		{"api", "/actions"},
		{"api", "-X", "GET", "/compute/instances", "--paginate", "-f", "size=5"},
		{"api", "/health"},
	} {
		r := h.mustRun(args...)
		if !strings.HasSuffix(r.stdout, "\n") {
			t.Errorf("%v: no final newline: ...%q", args, r.stdout[max(0, len(r.stdout)-20):])
		}
	}
}
