package cmd

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// Every family of the table works end to end against the sandbox, from the
// table alone: list (one page, --all, each flag filter), get by name,
// completion, each operation and deletion with confirmation and wait.
func TestEveryFamilyOfTheTable(t *testing.T) {
	for _, fam := range family.All {
		t.Run(fam.Name, func(t *testing.T) {
			h := newHarness(t, sandbox.Options{Instances: 40})
			h.login()
			all := decodeJSON[[]map[string]any](t, h.mustRun(fam.Name, "list", "--all", "-o", "json").stdout)
			if len(all) == 0 {
				t.Fatal("no seeded resources")
			}
			page := decodeJSON[[]map[string]any](t, h.mustRun(fam.Name, "list", "--size", "2", "-o", "json").stdout)
			if len(page) != min(2, len(all)) {
				t.Fatalf("one page of 2: %d items", len(page))
			}
			first := all[0]
			name := fmt.Sprint(first["name"])
			for _, fl := range fam.Filters {
				value := ""
				switch {
				case fl.Flag == "":
				case fl.Kind == family.Name:
					value = name
				case fl.Kind == family.Enum || fl.Kind == family.Version || fl.Kind == family.Int:
					if len(fl.Fields) > 0 {
						value = fmt.Sprint(first[fl.Fields[0]])
					}
				}
				if value == "" || value == "<nil>" {
					continue
				}
				h.sb.ResetRequests()
				got := decodeJSON[[]map[string]any](t, h.mustRun(fam.Name, "list", "--"+fl.Flag, value, "-o", "json").stdout)
				if !slices.ContainsFunc(got, func(m map[string]any) bool { return fmt.Sprint(m["id"]) == fmt.Sprint(first["id"]) }) {
					t.Errorf("--%s %s: %v does not contain %v", fl.Flag, value, len(got), first["id"])
				}
				if q := h.apiRequests("GET", fam.Path)[0].Query; len(q[fl.Param]) == 0 {
					t.Errorf("--%s sent %v, want %s", fl.Flag, q, fl.Param)
				}
			}
			if fam.Index {
				return // resources are named by id: names repeat across families
			}
			got := decodeJSON[map[string]any](t, h.mustRun(fam.Name, "get", name, "-o", "json").stdout)
			if got["id"] != first["id"] {
				t.Fatalf("get %s: %v", name, got["id"])
			}
			values, _, _ := h.completed(fam.Name, "get", name[:2])
			if !slices.Contains(values, name) {
				t.Errorf("completion of %q: %v", name[:2], values)
			}
			with := func(status string) map[string]any {
				i := slices.IndexFunc(all, func(m map[string]any) bool { return status == "" || m["status"] == status })
				if i < 0 {
					t.Fatalf("no %s %s to work on", status, fam.Noun.Singular)
				}
				return all[i]
			}
			for _, op := range fam.Operations {
				if op.Custom {
					continue
				}
				target := with(op.Requires)
				id := fmt.Sprint(target["id"])
				h.mustRun(fam.Name, op.Name, id)
				after := decodeJSON[map[string]any](t, h.mustRun(fam.Name, "get", id, "-o", "json").stdout)
				if op.After != "" && after["status"] != op.After {
					t.Errorf("%s %s: status %v, want %s", op.Name, id, after["status"], op.After)
				}
				all = decodeJSON[[]map[string]any](t, h.mustRun(fam.Name, "list", "--all", "-o", "json").stdout)
			}
			if fam.Delete == nil {
				return
			}
			target := with(fam.Delete.Requires)
			id := fmt.Sprint(target["id"])
			h.stdinTTY, h.stdoutTTY, h.stderrTTY = true, true, true
			h.stdin = "n\n"
			r := h.run(fam.Name, "delete", id)
			if !strings.Contains(r.stderr, "Delete "+fam.Noun.Singular+" "+id) || len(h.apiRequests("DELETE", fam.Path)) != 0 {
				t.Fatalf("declined deletion: exit %d, stderr %q", r.code, r.stderr)
			}
			h.stdinTTY, h.stdoutTTY, h.stderrTTY, h.stdin = false, false, false, ""
			assertCode(t, h.run(fam.Name, "delete", id), ExitUsage) // no terminal, no --yes
			h.mustRun(fam.Name, "delete", id, "--yes")
			assertCode(t, h.run(fam.Name, "get", id), ExitError)
		})
	}
}
