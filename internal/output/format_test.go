package output

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseFormatValid(t *testing.T) {
	for in, want := range map[string]Format{
		"":                        {Kind: Table},
		"table":                   {Kind: Table},
		" TABLE ":                 {Kind: Table},
		"wide":                    {Kind: Wide},
		"json":                    {Kind: JSON},
		"Json":                    {Kind: JSON},
		"yaml":                    {Kind: YAML},
		"yml":                     {Kind: YAML},
		"columns=ID,NAME":         {Kind: Columns, Columns: []string{"ID", "NAME"}},
		"columns=id, name ,tags":  {Kind: Columns, Columns: []string{"id", "name", "tags"}},
		"template={{.name}}":      {Kind: Template, Template: "{{.name}}"},
		"template={{.a}}={{.b}}":  {Kind: Template, Template: "{{.a}}={{.b}}"},
		"template=static text":    {Kind: Template, Template: "static text"},
		"template={{json .tags}}": {Kind: Template, Template: "{{json .tags}}"},
	} {
		got, err := ParseFormat(in)
		if err != nil {
			t.Errorf("ParseFormat(%q): %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseFormat(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestParseFormatInvalid(t *testing.T) {
	for in, wantMsg := range map[string]string{
		"xml":                 `unknown output format "xml": valid formats are table, wide, json, yaml, columns=`,
		"json=pretty":         `unknown output format "json=pretty"`,
		"table=x":             `unknown output format "table=x"`,
		"columns":             `needs column names`,
		"columns=":            `empty column name`,
		"columns=ID,,NAME":    `empty column name`,
		"template=":           `needs a Go template`,
		"template":            `needs a Go template`,
		"template={{.name":    `invalid output template`,
		"template={{nosuch}}": `invalid output template`,
	} {
		_, err := ParseFormat(in)
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("ParseFormat(%q): %v, want a *UsageError", in, err)
			continue
		}
		if !strings.Contains(err.Error(), wantMsg) {
			t.Errorf("ParseFormat(%q): %q, want it to contain %q", in, err, wantMsg)
		}
	}
}

func TestKindStringAndIsTable(t *testing.T) {
	for k, want := range map[Kind]string{Table: "table", Wide: "wide", JSON: "json", YAML: "yaml", Columns: "columns", Template: "template"} {
		if k.String() != want {
			t.Errorf("%d: %q", k, k.String())
		}
		if got := (Format{Kind: k}).IsTable(); got != (k == Table || k == Wide || k == Columns) {
			t.Errorf("%s IsTable = %v", k, got)
		}
	}
}

func TestValidateColumns(t *testing.T) {
	ok := []string{"", "json", "wide", "columns=id", "columns=TAGS,name,Created"}
	for _, s := range ok {
		f, err := ParseFormat(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateColumns(f, instanceColumns); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	f, _ := ParseFormat("columns=id,color")
	err := ValidateColumns(f, instanceColumns)
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("unknown column: %v", err)
	}
	want := `unknown column "color": valid columns are ID, NAME, STATUS, ENV, FAMILY, CPU, RAM, IP, AZ, VLAN, BACKUP, CREATED, TAGS`
	if err.Error() != want {
		t.Errorf("got %q\nwant %q", err, want)
	}
}

func TestSelectColumnsOrder(t *testing.T) {
	pick := func(format string) []string {
		f, err := ParseFormat(format)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := selectColumns(f, instanceColumns)
		if err != nil {
			t.Fatal(err)
		}
		var h []string
		for _, c := range cols {
			h = append(h, c.Header)
		}
		return h
	}
	if got := strings.Join(pick(""), ","); got != "ID,NAME,STATUS,ENV,FAMILY,CPU,RAM,IP,AZ" {
		t.Errorf("table: %s", got)
	}
	if got := strings.Join(pick("wide"), ","); got != "ID,NAME,STATUS,ENV,FAMILY,CPU,RAM,IP,AZ,VLAN,BACKUP,CREATED,TAGS" {
		t.Errorf("wide: %s", got)
	}
	if got := strings.Join(pick("columns=tags,id"), ","); got != "TAGS,ID" {
		t.Errorf("columns: %s", got)
	}
}

func TestValidateJQ(t *testing.T) {
	for _, ok := range []string{"", "  ", ".", ".[] | .name", `map(select(.status == "ACTIVE")) | length`} {
		if err := ValidateJQ(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{".[] |", "{", "nosuchfunc", ".a | foo(1)"} {
		err := ValidateJQ(bad)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "invalid --jq expression") {
			t.Errorf("%q: %v, want a *UsageError", bad, err)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	f, _ := ParseFormat("columns=id")
	if err := validateOptions(Options{Format: f, JQ: ".[0]"}, instanceColumns); err != nil {
		t.Error(err)
	}
	f, _ = ParseFormat("columns=nope")
	if err := validateOptions(Options{Format: f}, instanceColumns); err == nil {
		t.Error("unknown column accepted")
	}
	if err := validateOptions(Options{JQ: "]["}, instanceColumns); err == nil {
		t.Error("bad jq accepted")
	}
}

// validateOptions checks the options as Factory.Session and Printer do
// before anything is sent: the columns= names, then the --jq expression.
func validateOptions(o Options, cols []Column) error {
	if err := ValidateColumns(o.Format, cols); err != nil {
		return err
	}
	return ValidateJQ(o.JQ)
}
