package api

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzFilter checks the list filter parser (Filter.Add) and the sort
// validator: no panic, and whatever they accept is well-formed.
func FuzzFilter(f *testing.F) {
	for _, seed := range []struct {
		kind  uint8
		value string
		sort  string
	}{
		{uint8(FilterText), "EB-A", "name"},
		{uint8(FilterEnum), "production", "name,asc"},
		{uint8(FilterInt), "42", "id,desc"},
		{uint8(FilterInt), "4x2", "name,sideways"},
		{uint8(FilterTag), "application:itcare", ",asc"},
		{uint8(FilterTag), ":x", "a b"},
		{uint8(FilterName), "!pdeb12web01", "name,"},
		{uint8(FilterName), "!", "name,asc,desc"},
		{uint8(FilterBool), "TRUE", ""},
		{uint8(FilterBool), "maybe", "é,desc"},
	} {
		f.Add(seed.kind, seed.value, seed.sort)
	}
	f.Fuzz(func(t *testing.T, kind uint8, value, sort string) {
		flt := Filter{Param: "p", Kind: FilterKind(kind % 6)}
		q := url.Values{}
		values := strings.Split(value, ",") // as a StringSlice flag splits them
		if err := flt.Add(q, values); err == nil {
			for _, v := range q["p"] {
				if v == "" || v != strings.TrimSpace(v) {
					t.Fatalf("accepted an empty or padded value %q from %q", v, value)
				}
				switch flt.Kind {
				case FilterEnum:
					if v != strings.ToUpper(v) {
						t.Fatalf("enum value %q not upper-cased", v)
					}
				case FilterInt:
					if _, err := strconv.ParseInt(v, 10, 64); err != nil {
						t.Fatalf("int filter accepted %q", v)
					}
				case FilterTag:
					if k, _, ok := strings.Cut(v, ":"); !ok || k == "" {
						t.Fatalf("tag filter accepted %q", v)
					}
				case FilterName:
					if strings.TrimPrefix(v, "!") == "" {
						t.Fatalf("name filter accepted %q", v)
					}
				case FilterBool:
					if v != "true" && v != "false" {
						t.Fatalf("bool filter sent %q", v)
					}
				}
			}
			// What is accepted survives the query string.
			back, err := url.ParseQuery(q.Encode())
			if err != nil || strings.Join(back["p"], "\x00") != strings.Join(q["p"], "\x00") {
				t.Fatalf("query round trip: %v %q != %q", err, back["p"], q["p"])
			}
		} else if err.Error() == "" {
			t.Fatal("empty error message")
		}
		if err := ValidateSort(sort); err == nil && sort != "" {
			prop, dir, hasDir := strings.Cut(sort, ",")
			if prop == "" || strings.ContainsAny(prop, " ,") || (hasDir && dir != "asc" && dir != "desc") {
				t.Fatalf("ValidateSort accepted %q", sort)
			}
		} else if err != nil && !strings.Contains(err.Error(), "sort") {
			t.Fatalf("unclear sort error: %v", err)
		}
	})
}
