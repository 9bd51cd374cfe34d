package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

// metricsArgs chart a fixed period, so the sandbox's series is known.
var metricsArgs = []string{"instances", "metrics", "pdeb12web01", "--start", "2026-06-01T06:00:00Z", "--end", "2026-06-01T12:00:00Z", "--points", "73"}

func localCET(t *testing.T) {
	prev := time.Local
	time.Local = time.FixedZone("CET", 3600)
	t.Cleanup(func() { time.Local = prev })
}

// The chart of a known series at a fixed terminal size, as a golden file;
// and the request the sandbox received.
func TestMetricsChartGolden(t *testing.T) {
	localCET(t)
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.stdoutTTY, h.width, h.height = true, 100, 30
	r := h.mustRun(metricsArgs...)
	golden(t, "instances_metrics_chart", r.stdout)
	reqs := h.apiRequests("GET", "/monitoring/resources/")
	if len(reqs) != 1 {
		t.Fatalf("%d chart requests", len(reqs))
	}
	q := reqs[0].Query
	if reqs[0].Path != "/itcare/monitoring/resources/20001/chart" || q.Get("start") != "1780293600" || q.Get("end") != "1780315200" ||
		q.Get("graph-name") != "SYS_LNX_CPU_USAGE" || q.Get("points") != "73" {
		t.Fatalf("request %s?%s", reqs[0].Path, reqs[0].RawQuery)
	}
}

// The chart fills the terminal's width, whatever it is, and never more.
func TestMetricsChartAdaptsToWidth(t *testing.T) {
	localCET(t)
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.stdoutTTY, h.height = true, 30
	widest := map[int]int{}
	for _, w := range []int{60, 160} {
		h.width = w
		r := h.mustRun(metricsArgs...)
		for _, l := range strings.Split(strings.TrimRight(r.stdout, "\n"), "\n") {
			widest[w] = max(widest[w], len([]rune(l)))
		}
		if widest[w] > w || widest[w] < w-12 {
			t.Errorf("at %d columns the widest line is %d:\n%s", w, widest[w], r.stdout)
		}
		for _, want := range []string{"┤", "└", "07:00", "13:00", "%", "SYS_LNX_CPU_USAGE"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("at %d columns no %q:\n%s", w, want, r.stdout)
			}
		}
	}
	if n := strings.Count(h.mustRun(metricsArgs...).stdout, "┬"); n < 5 {
		t.Errorf("160 columns: only %d time labels", n)
	}
}

func TestMetricsCSVAndJSON(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	args := append(append([]string{}, metricsArgs[:7]...), "--points", "3", "-o", "csv")
	r := h.mustRun(args...)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || lines[0] != "TIME,SERIES,VALUE,UNIT" || !strings.HasPrefix(lines[1], "2026-06-01T06:00:00Z,cpu usage,") ||
		!strings.HasPrefix(lines[3], "2026-06-01T12:00:00Z,cpu usage,") || !strings.HasSuffix(lines[2], ",%") {
		t.Fatalf("csv:\n%s", r.stdout)
	}
	args[len(args)-1] = "json"
	c := decodeJSON[map[string]any](t, h.mustRun(args...).stdout)
	series := c["series"].([]any)
	if c["graph"] != "SYS_LNX_CPU_USAGE" || c["unit"] != "%" || len(series) != 1 || len(series[0].(map[string]any)["points"].([]any)) != 3 {
		t.Fatalf("json: %v", c)
	}
	// A Windows instance gets the Windows graph; memory in MB.
	win := decodeJSON[map[string]any](t, h.mustRun("instances", "metrics", "ewin22sql02", "--graph", "memory", "--points", "2", "-o", "json").stdout)
	if win["graph"] != "SYS_WIN_PHYSICAL_MEMORY" || win["unit"] != "MB" {
		t.Fatalf("windows memory: %v", win)
	}
}

func TestMetricsUsageErrors(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	for _, args := range [][]string{
		{"instances", "metrics", "pdeb12web01", "--since", "1h", "--start", "2026-06-01T06:00:00Z"},
		{"instances", "metrics", "pdeb12web01", "--points", "1"},
		{"instances", "metrics", "pdeb12web01", "--start", "yesterday"},
		{"instances", "metrics", "pdeb12web01", "--start", "2026-06-01T12:00:00Z", "--end", "2026-06-01T06:00:00Z"},
		{"instances", "metrics", "pdeb12web01", "--watch", "-o", "csv"},
	} {
		assertCode(t, h.run(args...), ExitUsage)
	}
	if n := len(h.apiRequests("GET", "")); n != 0 {
		t.Fatalf("%d requests sent for usage errors", n)
	}
}
