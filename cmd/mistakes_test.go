package cmd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/netfault"
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

// A profile without a login is named, with the command that logs it in.
func TestUnknownProfileSaysHowToLogIn(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.run("instances", "list", "-p", "nosuch")
	assertCode(t, r, ExitAuth)
	if !strings.Contains(r.stderr, `profile "nosuch" has no login`) || !strings.Contains(r.stderr, "`itcare login -p nosuch`") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

// A refused token says once what to do, and never "itcare login" when the
// credentials come from the environment (logging in would change nothing).
func TestRefusedTokenHintSaidOnce(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.transport = stripAuth{}
	r := h.run("instances", "list")
	assertCode(t, r, ExitAuth)
	if n := strings.Count(r.stderr, "itcare login"); n != 1 {
		t.Errorf("saved login: %d mentions of itcare login:\n%s", n, r.stderr)
	}
	t.Setenv("ITCARE_CLIENT_ID", "sandbox-client")
	t.Setenv("ITCARE_CLIENT_SECRET", "sandbox-secret")
	r = h.run("instances", "list")
	assertCode(t, r, ExitAuth)
	if strings.Contains(r.stderr, "itcare login") || !strings.Contains(r.stderr, "ITCARE_CLIENT_ID") {
		t.Errorf("credentials from the environment:\n%s", r.stderr)
	}
	h.sb.ResetViolations() // requests without a bearer token, on purpose
}

// A 429 from the token endpoint is a rate limit, not a refused client.
func TestTokenEndpoint429IsNotARefusal(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	t.Setenv("ITCARE_CLIENT_ID", "sandbox-client")
	t.Setenv("ITCARE_CLIENT_SECRET", "sandbox-secret")
	if err := h.sb.Faults().Set(netfault.Fault{Match: "POST", Kind: netfault.Status, Status: 429, RetryAfter: "0"}); err != nil {
		t.Fatal(err)
	}
	r := h.run("instances", "list")
	assertCode(t, r, ExitAuth)
	if strings.Contains(r.stderr, "refused") || !strings.Contains(r.stderr, "429") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

// Several unknown action ids are all reported, with the same message in
// every format; a repeated id is waited on (and reported) once.
func TestActionsWaitUnknownAndRepeatedIDs(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	for _, o := range []string{"table", "json", "yaml"} {
		r := h.run("actions", "wait", "999992", "999991", "999992", "-o", o)
		assertCode(t, r, ExitError)
		if !strings.Contains(r.stderr, "no such action(s): 999991 999992") {
			t.Errorf("-o %s: stderr %q", o, r.stderr)
		}
	}
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	res := decodeJSON[[]map[string]any](t, h.mustRun("instances", "stop", id, "--no-wait", "-o", "json").stdout)
	aid := fmt.Sprint(res[0]["actionId"])
	r := h.mustRun("actions", "wait", aid, aid, aid, "-o", "json")
	if got := decodeJSON[[]map[string]any](t, r.stdout); len(got) != 1 {
		t.Errorf("%d actions printed for one id", len(got))
	}
	if n := strings.Count(r.stderr, "action "+aid+" (stop-instance pdeb12web01): SUCCESS"); n != 1 {
		t.Errorf("action %s reported %d times:\n%s", aid, n, r.stderr)
	}
	// The final line says how long the action took by the API's dates.
	if !strings.Contains(r.stderr, ": SUCCESS (took ") {
		t.Errorf("no duration: %s", r.stderr)
	}
}
