package cmd

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

var update = flag.Bool("update", false, "rewrite the golden files of cmd/testdata/golden")

// golden compares got with testdata/golden/name.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd -run %s -update)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

// TestGoldenOutputs pins every output format of the main commands, with
// tables both on a terminal and piped.
func TestGoldenOutputs(t *testing.T) {
	prev := time.Local
	time.Local = time.FixedZone("CET", 3600) // terminal tables show local time
	t.Cleanup(func() { time.Local = prev })
	h := newHarness(t, sandbox.Options{})
	h.login()
	commands := map[string][]string{
		"instances_list": {"instances", "list", "--size", "5"},
		"instances_get":  {"instances", "get", "pdeb12web01"},
		"actions_list":   {"actions", "list", "--resource-name", "prhel9bat03"},
		"version":        {"version"},
	}
	formats := map[string][]string{
		"table_piped": nil,
		"table_tty":   nil,
		"wide_piped":  {"-o", "wide"},
		"json":        {"-o", "json"},
		"yaml":        {"-o", "yaml"},
		"columns":     {"-o", "columns=ID,NAME,STATUS"},
		"no_header":   {"--no-header"},
		"jq":          {"--jq", ".. | .id? // empty"},
		"template":    {"-o", "template={{json .}}"},
	}
	for cname, args := range commands {
		for fname, fargs := range formats {
			if cname == "version" && (fname == "columns" || fname == "jq") {
				continue // version has no ID column; jq on it is covered by the json form
			}
			if cname == "actions_list" && fname == "columns" {
				fargs = []string{"-o", "columns=ID,RESOURCE,STATUS"}
			}
			h.stdoutTTY = fname == "table_tty"
			h.width = 120
			r := h.run(append(append([]string{}, args...), fargs...)...)
			if r.code != 0 {
				t.Fatalf("%s %s: exit %d: %s", cname, fname, r.code, r.stderr)
			}
			out := strings.ReplaceAll(r.stdout, runtime.Version(), "GOVERSION")
			out = strings.ReplaceAll(out, runtime.GOOS+"/"+runtime.GOARCH, "PLATFORM")
			golden(t, cname+"_"+fname, out)
		}
	}
	h.stdoutTTY = false
}

func TestColumnsSelectsAndOrders(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.mustRun("instances", "list", "--size", "2", "-o", "columns=ip,name")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if f := strings.Fields(lines[0]); len(f) != 2 || f[0] != "IP" || f[1] != "NAME" {
		t.Fatalf("header %q", lines[0])
	}
	// wide-only columns can be chosen too
	r = h.mustRun("instances", "list", "--size", "2", "-o", "columns=NAME,VLAN")
	if !strings.Contains(r.stdout, "VLAN") {
		t.Fatal(r.stdout)
	}
	r = h.run("instances", "list", "-o", "columns=NAME,COLOUR")
	assertCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, "COLOUR") || !strings.Contains(r.stderr, "NAME") || !strings.Contains(r.stderr, "VLAN") {
		t.Fatalf("unknown column message should list the valid ones: %s", r.stderr)
	}
}

func TestOutputUsageErrors(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	for _, args := range [][]string{
		{"instances", "list", "-o", "xml"},
		{"instances", "list", "--jq", ".[] | "},
		{"instances", "list", "-o", "template={{.name"},
		{"version", "-o", "toml"},
	} {
		r := h.run(args...)
		assertCode(t, r, ExitUsage)
		if r.stdout != "" {
			t.Errorf("%v printed on stdout: %q", args, r.stdout)
		}
	}
	r := h.run("instances", "list", "-o", "xml")
	for _, f := range []string{"table", "wide", "json", "yaml", "columns=", "template=", "csv"} {
		if !strings.Contains(r.stderr, f) {
			t.Errorf("unknown format message does not name %s: %s", f, r.stderr)
		}
	}
	if len(h.sb.Requests()) != 0 {
		t.Fatal("requests sent for usage errors")
	}
}

func TestJSONErrorOnStderr(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.run("instances", "get", "424242", "-o", "json")
	assertCode(t, r, ExitError)
	if r.stdout != "" {
		t.Fatalf("stdout %q", r.stdout)
	}
	var e map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stderr)), &e); err != nil {
		t.Fatalf("stderr is not one JSON object: %q", r.stderr)
	}
	if e["status"] != float64(404) || e["errorCode"] == nil || !strings.Contains(e["error"].(string), "404") {
		t.Fatalf("error object %v", e)
	}
}

func TestStdoutStaysJSONWithSpinnerAndWarning(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	// A token cache readable by others makes itcare warn while it works.
	matches, _ := filepath.Glob(filepath.Join(h.dir, "*token*"))
	for _, m := range matches {
		os.Chmod(m, 0o644)
	}
	h.stderrTTY = true // the spinner runs while the list is fetched
	r := h.mustRun("instances", "list", "--all", "-o", "json")
	var items []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || len(items) != 300 {
		t.Fatalf("stdout is not the JSON list (%v, %d items): %q", err, len(items), r.stdout[:min(200, len(r.stdout))])
	}
	if !strings.Contains(r.stderr, "warning") {
		t.Fatalf("no warning on stderr: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, "fetching instances") {
		t.Fatalf("no spinner on stderr: %q", r.stderr)
	}
}

// TestPipedPageSaysHowManyInAll: a table of one page of several, piped,
// says on stderr how many items exist in all; --all, a single page and JSON
// say nothing.
func TestPipedPageSaysHowManyInAll(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.mustRun("instances", "list", "--size", "5")
	if n := strings.Count(r.stdout, "\n"); n != 6 {
		t.Fatalf("want a header and 5 rows, got %d lines:\n%s", n, r.stdout)
	}
	all := len(decodeJSON[[]any](t, h.mustRun("instances", "list", "--all", "-o", "json").stdout))
	want := fmt.Sprintf("showing page 0 (pages 0-%d, 5 of %d items); --page 1 for the next one, --all for every page\n", (all+4)/5-1, all)
	if r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if r := h.mustRun("instances", "list", "--size", "5", "-o", "columns=ID,NAME"); r.stderr != want {
		t.Errorf("-o columns=: stderr %q, want %q", r.stderr, want)
	}
	// Programs chose their page: nothing on stderr.
	if r := h.mustRun("instances", "list", "--size", "5", "-o", "json"); r.stderr != "" {
		t.Errorf("-o json: stderr %q", r.stderr)
	}
	if r := h.mustRun("instances", "list", "--all"); r.stderr != "" {
		t.Errorf("--all: stderr %q", r.stderr)
	}
	if r := h.mustRun("instances", "list", "--size", fmt.Sprint(all+1)); r.stderr != "" {
		t.Errorf("one page holds all: stderr %q", r.stderr)
	}
}

// TestStatusPipedHasNoEmptyReason: REASON is printed only when there is one.
func TestStatusPipedHasNoEmptyReason(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	r := h.mustRun("status")
	if strings.Contains(r.stdout, "REASON") || !strings.Contains(r.stdout, "STATE:") {
		t.Errorf("status piped:\n%s", r.stdout)
	}
}
