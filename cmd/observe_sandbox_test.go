package cmd

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

// The sandbox's chart, history and changes answers, through `itcare api`,
// under the contract check of the harness.
func TestSandboxObserveEndpointsKeepTheContract(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	now := time.Now().Unix()
	r := h.mustRun("api", fmt.Sprintf("/monitoring/resources/20001/chart?start=%d&end=%d&graph-name=SYS_LNX_CPU_USAGE&points=5", now-3600, now))
	if !strings.Contains(r.stdout, `"20001"`) || !strings.Contains(r.stdout, `"SYS_LNX_CPU_USAGE"`) {
		t.Fatalf("chart: %s", r.stdout)
	}
	r = h.run("api", fmt.Sprintf("/monitoring/resources/20001/chart?start=%d&end=%d&graph-name=SYS_WIN_CPU_USAGE", now-3600, now))
	assertCode(t, r, ExitError)
	h.mustRun("instances", "stop", "pdeb12web01")
	r = h.mustRun("api", "/compute/resources/20001/history")
	if !strings.Contains(r.stdout, "stop-instance") {
		t.Fatalf("history: %s", r.stdout)
	}
	r = h.mustRun("api", "/changes?maintenanceTypes=PATCH_PARTY&environments=PRODUCTION&start=2026-01-01T00:00:00.000Z&end=2026-03-01T00:00:00.000%2B0100")
	if !strings.Contains(r.stdout, "GROUP_C") || strings.Contains(r.stdout, "GROUP_A") || strings.Contains(r.stdout, "MAINTENANCE") {
		t.Fatalf("changes: %s", r.stdout)
	}
}
