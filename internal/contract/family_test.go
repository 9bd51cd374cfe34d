package contract_test

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
)

// nonFamilyPaths are the contract's paths that belong to no family: the
// platform, actions, and the monitoring, history and change endpoints seen
// in a public client (history hangs under /compute/resources but is an
// action log, not a sub-resource).
var nonFamilyPaths = []string{"/health", "/api/status", "/actions", "/actions/{}",
	"/monitoring/resources/{}/chart", "/compute/resources/{}/history", "/changes"}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// tablePaths are the paths and methods the family table declares, with
// path parameters written {}.
func tablePaths(fams []*family.Family) map[string][]string {
	out := map[string][]string{}
	for _, f := range fams {
		out[f.Path] = []string{"GET"}
		out[f.Path+"/{}"] = f.Methods()
		for _, sub := range f.Subs {
			out[f.Path+"/{}/"+sub.Name] = sub.Methods
			if sub.ItemMethods != nil {
				out[f.Path+"/{}/"+sub.Name+"/{}"] = sub.ItemMethods
			}
		}
	}
	return out
}

// checkTable compares the table with the contract both ways and returns
// every difference.
func checkTable(doc *openapi3.T, fams []*family.Family) []string {
	var diffs []string
	contract := map[string]*openapi3.PathItem{}
	for p, item := range doc.Paths.Map() {
		contract[pathParam.ReplaceAllString(p, "{}")] = item
	}
	declared := tablePaths(fams)
	for p, methods := range declared {
		item := contract[p]
		if item == nil {
			diffs = append(diffs, fmt.Sprintf("%s: declared in the table, not in the contract", p))
			continue
		}
		var have []string
		for m := range item.Operations() {
			have = append(have, m)
		}
		want := slices.Clone(methods)
		sort.Strings(have)
		sort.Strings(want)
		if !slices.Equal(have, want) {
			diffs = append(diffs, fmt.Sprintf("%s: methods %v in the table, %v in the contract", p, want, have))
		}
	}
	for p := range contract {
		if _, ok := declared[p]; !ok && !slices.Contains(nonFamilyPaths, p) {
			diffs = append(diffs, fmt.Sprintf("%s: in the contract, declared by no family", p))
		}
	}
	for _, f := range fams {
		if item := contract[f.Path]; item != nil && item.Get != nil {
			var have []string
			for _, p := range item.Get.Parameters {
				if p.Value != nil && p.Value.In == "query" {
					have = append(have, p.Value.Name)
				}
			}
			want := f.Params()
			sort.Strings(have)
			sort.Strings(want)
			if !slices.Equal(have, want) {
				diffs = append(diffs, fmt.Sprintf("%s: list parameters %v in the table, %v in the contract", f.Path, want, have))
			}
		}
		if item := contract[f.Path+"/{}"]; item != nil && item.Patch != nil && len(f.Operations) > 0 {
			var want []string
			for _, op := range f.Operations {
				want = append(want, op.Name)
			}
			var have []string
			if rb := item.Patch.RequestBody; rb != nil && rb.Value != nil {
				if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
					if op := mt.Schema.Value.Properties["operation"]; op != nil && op.Value != nil {
						for _, v := range op.Value.Enum {
							have = append(have, fmt.Sprint(v))
						}
					}
				}
			}
			sort.Strings(have)
			sort.Strings(want)
			if !slices.Equal(have, want) {
				diffs = append(diffs, fmt.Sprintf("%s/{id}: operations %v in the table, %v in the contract", f.Path, want, have))
			}
		}
	}
	sort.Strings(diffs)
	return diffs
}

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPISpec)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The family table and the OpenAPI contract state the same paths, methods,
// list filters and operations.
func TestFamilyTableMatchesContract(t *testing.T) {
	if diffs := checkTable(loadDoc(t), family.All); len(diffs) > 0 {
		t.Fatalf("the family table and internal/api/openapi.yaml differ:\n  %s", strings.Join(diffs, "\n  "))
	}
}

// The comparison sees drift on either side: a filter, an operation, a
// method or a family missing from the table, and a path missing from the
// contract.
func TestFamilyTableDriftIsSeen(t *testing.T) {
	doc := loadDoc(t)
	drop := func(f *family.Family, edit func(c *family.Family)) []*family.Family {
		c := *f
		c.Filters = slices.Clone(f.Filters)
		c.Operations = slices.Clone(f.Operations)
		edit(&c)
		out := slices.Clone(family.All)
		out[slices.Index(out, f)] = &c
		return out
	}
	for name, tc := range map[string]struct {
		fams []*family.Family
		want string
	}{
		"filter dropped": {drop(family.Kubernetes, func(c *family.Family) { c.Filters = c.Filters[1:] }),
			"/compute/containers/kubernetes: list parameters"},
		"operation dropped": {drop(family.Overdrive, func(c *family.Family) { c.Operations = c.Operations[:1] }),
			"/storage/overdrive/{id}: operations"},
		"delete dropped": {drop(family.PostgreSQL, func(c *family.Family) { c.Delete = nil }),
			"/databases/postgresql/{}: methods"},
		"family dropped": {slices.DeleteFunc(slices.Clone(family.All), func(f *family.Family) bool { return f == family.LoadBalancers }),
			"/networking/loadbalancers: in the contract, declared by no family"},
		"path not in the contract": {drop(family.PostgreSQL, func(c *family.Family) { c.Path = "/databases/postgres" }),
			"/databases/postgres: declared in the table, not in the contract"},
	} {
		diffs := strings.Join(checkTable(doc, tc.fams), "\n")
		if !strings.Contains(diffs, tc.want) {
			t.Errorf("%s: want a difference %q, got:\n%s", name, tc.want, diffs)
		}
	}
}
