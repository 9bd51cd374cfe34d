package cmd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

// Declining a confirmation is said plainly, not as an error.
func TestDeclinedConfirmationIsNotAnError(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "INACTIVE")["id"])
	h.stdinTTY, h.stderrTTY = true, true
	h.stdin = "n\n"
	r := h.run("instances", "delete", id)
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "cancelled: nothing was changed\n") || strings.Contains(r.stderr, "error:") {
		t.Fatalf("stderr %q", r.stderr)
	}
	if len(h.apiRequests("DELETE", "")) != 0 {
		t.Fatal("declined deletion was sent")
	}
}

// -o wide and -o columns= are tables for people: a change command prints
// the same as with -o table (nothing on stdout once the wait display ends).
func TestChangeWithWideOrColumnsBehavesLikeTable(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	for i, o := range []string{"table", "wide", "columns=ID,STATUS"} {
		op := []string{"stop", "start", "stop"}[i]
		r := h.run("instances", op, id, "-o", o, "--dry-run")
		assertCode(t, r, 0)
		if !strings.HasPrefix(r.stdout, "dry run: "+op+" instance") {
			t.Errorf("-o %s --dry-run: stdout %q", o, r.stdout)
		}
		r = h.run("instances", op, id, "-o", o)
		assertCode(t, r, 0)
		if r.stdout != "" {
			t.Errorf("-o %s: stdout %q, want nothing (like -o table)", o, r.stdout)
		}
	}
}
