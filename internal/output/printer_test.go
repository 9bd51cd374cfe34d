package output

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/redact"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// instanceColumns mirror what `itcare instances` declares.
var instanceColumns = []Column{
	{Header: "ID", Path: "id"},
	{Header: "NAME", Path: "name"},
	{Header: "STATUS", Path: "status"},
	{Header: "ENV", Path: "environment"},
	{Header: "FAMILY", Path: "family"},
	{Header: "CPU", Path: "cpu"},
	{Header: "RAM", Path: "ram"},
	{Header: "IP", Path: "ipAddress"},
	{Header: "AZ", Path: "labelAvailabilityZone"},
	{Header: "VLAN", Path: "network.vlan", Wide: true},
	{Header: "BACKUP", Path: "backupStatus", Kind: Bool, Wide: true},
	{Header: "CREATED", Path: "creationTime", Kind: Date, Wide: true},
	{Header: "TAGS", Path: "tags", Kind: Tags, Wide: true},
}

func fixture(t *testing.T) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "instances.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// typedInstance is how a command holds an instance: a few typed fields.
type typedInstance struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// localZone makes local-time rendering deterministic.
func localZone(t *testing.T) {
	t.Helper()
	old := time.Local
	time.Local = time.FixedZone("UTC+1", 3600)
	t.Cleanup(func() { time.Local = old })
}

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

type printCase struct {
	name     string
	format   string
	jq       string
	noHeader bool
	tty      bool
	width    int
}

func newPrinter(t *testing.T, c printCase) (*Printer, func() string) {
	t.Helper()
	f, err := ParseFormat(c.format)
	if err != nil {
		t.Fatal(err)
	}
	ios, _, out, errOut := testStreams()
	ios.stdoutTTY = c.tty
	if c.width > 0 {
		ios.width = c.width
	}
	p := &Printer{IO: ios, Opts: Options{Format: f, JQ: c.jq, NoHeader: c.noHeader}}
	return p, func() string {
		return "-- stdout --\n" + out.String() + "-- stderr --\n" + errOut.String()
	}
}

var listCases = []printCase{
	{name: "table_tty", tty: true, width: 100},
	{name: "table_tty_narrow", tty: true, width: 60},
	{name: "table_piped"},
	{name: "wide_tty", format: "wide", tty: true, width: 160},
	{name: "wide_piped", format: "wide"},
	{name: "columns", format: "columns=name,ID,Status,created,tags"},
	{name: "columns_tty", format: "columns=name,ID,Status,created", tty: true, width: 100},
	{name: "no_header_tty", noHeader: true, tty: true, width: 100},
	{name: "no_header_piped", noHeader: true},
	{name: "json", format: "json"},
	{name: "json_tty", format: "json", tty: true},
	{name: "yaml", format: "yaml"},
	{name: "jq_piped", jq: `.[] | {id, name, tags: [.tags[].key]}`},
	{name: "jq_tty", jq: `[.[] | select(.status == "ACTIVE") | .id]`, tty: true},
	{name: "jq_strings", jq: `.[].name`},
	{name: "jq_yaml", format: "yaml", jq: `.[0] | {id, network}`},
	{name: "jq_wide_ignored", format: "wide", jq: `length`},
	{name: "template", format: `template={{range .}}{{.id}} {{.name | upper}} {{lower .status}} {{date .creationTime}} [{{join ", " .ipAddresses}}] {{json .network}}{{"\n"}}{{end}}`},
}

func TestPrintListGolden(t *testing.T) {
	localZone(t)
	data := fixture(t)
	for _, c := range listCases {
		t.Run(c.name, func(t *testing.T) {
			p, got := newPrinter(t, c)
			if err := p.PrintList(data, instanceColumns, "instances"); err != nil {
				t.Fatal(err)
			}
			golden(t, "list_"+c.name, got())
		})
	}
}

func TestPrintEmptyListGolden(t *testing.T) {
	for _, c := range listCases {
		t.Run(c.name, func(t *testing.T) {
			p, got := newPrinter(t, c)
			var none []typedInstance // nil slice: marshals to null
			if err := p.PrintList(none, instanceColumns, "instances"); err != nil {
				t.Fatal(err)
			}
			golden(t, "empty_"+c.name, got())
		})
	}
}

func TestEmptyListMessages(t *testing.T) {
	for _, c := range []struct {
		format, stdout, stderr string
	}{
		{"", "", "no instances found\n"},
		{"wide", "", "no instances found\n"},
		{"columns=ID", "", "no instances found\n"},
		{"json", "[]\n", ""},
		{"yaml", "[]\n", ""},
	} {
		for _, data := range []any{[]typedInstance{}, nil, json.RawMessage(`[]`)} {
			p, _ := newPrinter(t, printCase{format: c.format})
			if err := p.PrintList(data, instanceColumns, "instances"); err != nil {
				t.Fatalf("%q %#v: %v", c.format, data, err)
			}
			out, errOut := written(p.IO.Out), written(p.IO.ErrOut)
			if out != c.stdout || errOut != c.stderr {
				t.Errorf("-o %q, data %#v: stdout %q stderr %q, want %q %q", c.format, data, out, errOut, c.stdout, c.stderr)
			}
		}
	}
}

func TestPrintObjectGolden(t *testing.T) {
	localZone(t)
	var list []json.RawMessage
	if err := json.Unmarshal(fixture(t), &list); err != nil {
		t.Fatal(err)
	}
	obj := list[0]
	for _, c := range []printCase{
		{name: "table_tty", tty: true, width: 100},
		{name: "table_tty_narrow", tty: true, width: 40},
		{name: "table_piped"},
		{name: "json", format: "json"},
		{name: "yaml", format: "yaml"},
		{name: "jq", jq: ".tags | map(.key + \"=\" + .value) | join(\",\")"},
		{name: "template", format: "template={{.name}} is {{lower .status}}"},
		{name: "columns", format: "columns=tags,name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, got := newPrinter(t, c)
			if err := p.PrintObject(obj, instanceColumns); err != nil {
				t.Fatal(err)
			}
			golden(t, "object_"+c.name, got())
		})
	}
	t.Run("no_columns", func(t *testing.T) {
		p, got := newPrinter(t, printCase{})
		accepted := map[string]any{"actionId": 77, "statusCode": 202, "message": "accepted"}
		if err := p.PrintObject(accepted, nil); err != nil {
			t.Fatal(err)
		}
		golden(t, "object_no_columns", got())
	})
}

// httpErr stands for the API's error type.
type httpErr struct {
	status    int
	code, msg string
}

func (e *httpErr) Error() string     { return e.msg }
func (e *httpErr) HTTPStatus() int   { return e.status }
func (e *httpErr) ErrorCode() string { return e.code }

func TestPrintErrorGolden(t *testing.T) {
	apiErr := fmt.Errorf("getting instance: %w", &httpErr{status: 404, code: "RESOURCE_NOT_FOUND", msg: "404 Not Found: no such instance 42"})
	plain := errors.New("no instance named \"web\"")
	var got strings.Builder
	for _, c := range []struct {
		format string
		err    error
	}{
		{"", plain},
		{"", apiErr},
		{"yaml", apiErr},
		{"json", plain},
		{"json", apiErr},
		{"json", &httpErr{status: 500, msg: "500 Internal Server Error"}},
	} {
		p, _ := newPrinter(t, printCase{format: c.format})
		p.PrintError(c.err)
		p.PrintError(nil) // prints nothing
		fmt.Fprintf(&got, "-o %q: stdout %q\n%s", c.format, written(p.IO.Out), written(p.IO.ErrOut))
	}
	golden(t, "errors", got.String())
}

func TestPrintRaw(t *testing.T) {
	body := []byte(`{"b":1,"a":{"d":[1,2.50,3e2],"c":"<x>"}}`)
	for _, c := range []struct {
		name string
		c    printCase
		body []byte
		want string
	}{
		{"piped verbatim, with a final newline", printCase{}, body, string(body) + "\n"},
		{"tty pretty", printCase{tty: true}, body, "{\n  \"a\": {\n    \"c\": \"<x>\",\n    \"d\": [\n      1,\n      2.50,\n      3e2\n    ]\n  },\n  \"b\": 1\n}\n"},
		{"json pretty", printCase{format: "json"}, body, "{\n  \"a\": {\n    \"c\": \"<x>\",\n    \"d\": [\n      1,\n      2.50,\n      3e2\n    ]\n  },\n  \"b\": 1\n}\n"},
		{"jq", printCase{jq: ".a.d[]"}, body, "1\n2.50\n3e2\n"},
		{"jq string", printCase{jq: ".a.c"}, body, "<x>\n"},
		{"yaml", printCase{format: "yaml"}, body, "a:\n  c: <x>\n  d:\n    - 1\n    - 2.50\n    - 3e2\nb: 1\n"},
		{"jq yaml", printCase{format: "yaml", jq: ".a"}, body, "c: <x>\nd:\n  - 1\n  - 2.50\n  - 3e2\n"},
		{"template", printCase{format: "template={{.a.c}}"}, body, "<x>\n"},
		{"empty body", printCase{tty: true}, []byte("  \n"), ""},
		{"not json piped", printCase{}, []byte("<html>oops</html>"), "<html>oops</html>\n"},
		{"newline not doubled", printCase{}, []byte("<html>oops</html>\n"), "<html>oops</html>\n"},
		{"not json tty", printCase{tty: true}, []byte("<html>oops</html>"), "<html>oops</html>\n"},
		{"list tty", printCase{tty: true}, []byte(`[]`), "[]\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, _ := newPrinter(t, c.c)
			if err := p.PrintRaw(c.body); err != nil {
				t.Fatal(err)
			}
			if got := written(p.IO.Out); got != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
	p, _ := newPrinter(t, printCase{jq: "."})
	if err := p.PrintRaw([]byte("<html>")); err == nil {
		t.Error("--jq on a non-JSON body: no error")
	}
}

func TestNumbersKeepPrecision(t *testing.T) {
	data := json.RawMessage(`[{"id":9007199254740993,"size":1e21,"ratio":0.000001,"big":123456789012345678901234567890}]`)
	cols := []Column{{Header: "ID", Path: "id"}, {Header: "SIZE", Path: "size"}, {Header: "RATIO", Path: "ratio"}, {Header: "BIG", Path: "big"}}
	for _, c := range []struct {
		c    printCase
		want string
	}{
		{printCase{}, "ID                SIZE                    RATIO     BIG\n9007199254740993  1000000000000000000000  0.000001  123456789012345678901234567890\n"},
		{printCase{format: "json"}, "[\n  {\n    \"big\": 123456789012345678901234567890,\n    \"id\": 9007199254740993,\n    \"ratio\": 0.000001,\n    \"size\": 1e21\n  }\n]\n"},
		{printCase{format: "yaml"}, "- big: 123456789012345678901234567890\n  id: 9007199254740993\n  ratio: 0.000001\n  size: 1e21\n"},
		{printCase{jq: ".[0].id, .[0].big, (.[0].id + 1)"}, "9007199254740993\n123456789012345678901234567890\n9007199254740994\n"},
	} {
		p, _ := newPrinter(t, c.c)
		if err := p.PrintList(data, cols, "things"); err != nil {
			t.Fatal(err)
		}
		if got := written(p.IO.Out); got != c.want {
			t.Errorf("%+v: got\n%s\nwant\n%s", c.c, got, c.want)
		}
	}
}

func TestTypedDataAndMissingFields(t *testing.T) {
	items := []typedInstance{{ID: 1, Name: "a"}, {ID: 2, Name: "b b", Status: "ACTIVE"}}
	cols := []Column{
		{Header: "ID", Path: "id"},
		{Header: "NAME", Path: "name"},
		{Header: "STATUS", Path: "status"},
		{Header: "ZONE", Path: "placement.zone"},
		{Header: "LABEL", Value: func(o map[string]any) string { return fmt.Sprintf("%v/%v", o["id"], o["name"]) }},
	}
	p, _ := newPrinter(t, printCase{})
	if err := p.PrintList(items, cols, "instances"); err != nil {
		t.Fatal(err)
	}
	want := "ID  NAME  STATUS  ZONE  LABEL\n1   a                   1/a\n2   b b   ACTIVE        2/b b\n"
	if got := written(p.IO.Out); got != want {
		t.Errorf("piped:\n%q\nwant\n%q", got, want)
	}
	p, _ = newPrinter(t, printCase{tty: true, width: 80})
	if err := p.PrintList(items, cols, "instances"); err != nil {
		t.Fatal(err)
	}
	want = "ID  NAME  STATUS  ZONE  LABEL\n1   a     -       -     1/a\n2   b b   ACTIVE  -     2/b b\n"
	if got := written(p.IO.Out); got != want {
		t.Errorf("tty:\n%q\nwant\n%q", got, want)
	}
}

func TestTableFitsTerminalWidth(t *testing.T) {
	localZone(t)
	for _, width := range []int{40, 60, 80, 100, 120} {
		p, _ := newPrinter(t, printCase{format: "wide", tty: true, width: width})
		cols := instanceColumns[:6]
		if err := p.PrintList(fixture(t), cols, "instances"); err != nil {
			t.Fatal(err)
		}
		out := written(p.IO.Out)
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if n := len([]rune(line)); n > width {
				t.Errorf("width %d: line of %d: %q", width, n, line)
			}
		}
		if !strings.HasPrefix(out, "ID") || !strings.Contains(out, "NAME") {
			t.Errorf("width %d: headers were cut: %q", width, out)
		}
	}
}

// TestNarrowTerminalHidesLeastImportantColumns: columns go, lowest priority
// first, before ID or NAME is cut, and stderr names them.
func TestNarrowTerminalHidesLeastImportantColumns(t *testing.T) {
	cols := []Column{
		{Header: "ID", Path: "id"},
		{Header: "NAME", Path: "name"},
		{Header: "STATUS", Path: "status", Priority: PriorityHigh},
		{Header: "RAM", Path: "ram", Priority: PriorityLow},
		{Header: "IP", Path: "ip", Priority: PriorityNormal},
		{Header: "AZ", Path: "az", Priority: PriorityLow},
		{Header: "NOTE", Path: "note", Priority: PriorityNormal},
	}
	items := []map[string]any{
		{"id": 10001, "name": "pdeb12web01", "status": "ACTIVE", "ram": 8192, "ip": "10.25.12.41", "az": "EB-A",
			"note": "a long free-text note that may be cut before anything is hidden"},
	}
	for _, c := range []struct {
		width      int
		wantHeader string
		wantErr    string
	}{
		{200, "ID     NAME         STATUS  RAM   IP           AZ    NOTE", ""},
		// The note is cut, nothing hidden.
		{70, "ID     NAME         STATUS  RAM   IP           AZ    NOTE", ""},
		{60, "ID     NAME         STATUS  IP           NOTE", "hidden to fit 60 columns: RAM, AZ "},
		{40, "ID     NAME         STATUS  IP", "hidden to fit 40 columns: RAM, AZ, NOTE "},
		{24, "ID     NAME", "hidden to fit 24 columns: STATUS, RAM, IP, AZ, NOTE "},
	} {
		p, both := newPrinter(t, printCase{tty: true, width: c.width})
		if err := p.PrintList(items, cols, "things"); err != nil {
			t.Fatal(err)
		}
		out, errOut, _ := strings.Cut(strings.TrimPrefix(both(), "-- stdout --\n"), "-- stderr --\n")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if lines[0] != c.wantHeader {
			t.Errorf("width %d: header %q, want %q", c.width, lines[0], c.wantHeader)
		}
		for _, l := range lines {
			if n := len([]rune(l)); n > c.width {
				t.Errorf("width %d: line of %d: %q", c.width, n, l)
			}
		}
		if !strings.Contains(lines[1], "10001  pdeb12web01") {
			t.Errorf("width %d: ID or NAME cut: %q", c.width, lines[1])
		}
		got := errOut
		if c.wantErr == "" && got != "" || c.wantErr != "" && !strings.HasPrefix(got, c.wantErr) {
			t.Errorf("width %d: stderr %q, want it to start with %q", c.width, got, c.wantErr)
		}
	}
	// columns= is the user's choice: cut, never hidden, no note.
	p, both := newPrinter(t, printCase{tty: true, width: 30, format: "columns=ID,NAME,NOTE"})
	if err := p.PrintList(items, cols, "things"); err != nil {
		t.Fatal(err)
	}
	if out, errOut, _ := strings.Cut(strings.TrimPrefix(both(), "-- stdout --\n"), "-- stderr --\n"); !strings.Contains(out, "NOTE") || errOut != "" {
		t.Errorf("columns= hid a column: %q / %q", out, errOut)
	}
}

func TestColorOnTerminal(t *testing.T) {
	p, _ := newPrinter(t, printCase{tty: true, width: 200})
	p.IO.colorEnabled = true
	if err := p.PrintList(fixture(t), instanceColumns, "instances"); err != nil {
		t.Fatal(err)
	}
	out := written(p.IO.Out)
	for _, want := range []string{"\x1b[1mID\x1b[0m", "\x1b[32mACTIVE\x1b[0m", "\x1b[31mERROR\x1b[0m", "\x1b[33mINACTIVE\x1b[0m"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %q", want, out)
		}
	}
	if strings.Contains(out, "\x1b[32mPRODUCTION") {
		t.Error("a non-status column was coloured")
	}
	// Colour changes nothing else: same layout, no trailing spaces.
	plain, _ := newPrinter(t, printCase{tty: true, width: 200})
	if err := plain.PrintList(fixture(t), instanceColumns, "instances"); err != nil {
		t.Fatal(err)
	}
	if got, want := ansi.ReplaceAllString(out, ""), written(plain.IO.Out); got != want {
		t.Errorf("colour changed the layout:\n%s\nwant\n%s", got, want)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "m ") {
			t.Errorf("trailing space: %q", line)
		}
	}
	// Piped output never has colour, even when enabled.
	p, _ = newPrinter(t, printCase{})
	p.IO.colorEnabled = true
	if err := p.PrintList(fixture(t), instanceColumns, "instances"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(written(p.IO.Out), "\x1b[") {
		t.Error("colour in piped output")
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestPipedTableSplitsOnWhitespace(t *testing.T) {
	p, _ := newPrinter(t, printCase{format: "columns=id,name,status,created"})
	if err := p.PrintList(fixture(t), instanceColumns, "instances"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(written(p.IO.Out), "\n"), "\n")
	want := [][]string{
		{"ID", "NAME", "STATUS", "CREATED"},
		{"10001", "pdeb12web01", "ACTIVE", "2016-06-01T10:27:19Z"},
		{"10002", "pdeb12db01-postgresql-primary-with-a-rather-long-name", "INACTIVE", "2023-11-15T08:05:00Z"},
		{"10003", "qwin22app01", "ERROR", "2024-02-29T22:30:00Z"},
		{"10004", "drhel9batch01", "ACTIVE", "not", "a", "date"},
	}
	if len(lines) != len(want) {
		t.Fatalf("lines: %q", lines)
	}
	for i, l := range lines {
		if got := strings.Fields(l); strings.Join(got, "|") != strings.Join(want[i], "|") {
			t.Errorf("line %d fields %q, want %q", i, got, want[i])
		}
	}
}

func TestCellKinds(t *testing.T) {
	localZone(t)
	obj := map[string]any{
		"d1": "2016-06-01T12:27:19.000+0200", "d2": "2016-06-01T12:27:19+02:00", "d3": "2016-06-01T10:27:19Z",
		"d4": "2016-06-01T10:27:19.5Z", "bad": "yesterday",
		"b1": true, "b2": "FALSE", "b3": json.Number("1"),
		"l": []any{"a", json.Number("2"), true}, "m": map[string]any{"k": "v"},
		"tags": []any{map[string]any{"key": "a", "value": "1"}, map[string]any{"key": "b"}},
		"tagm": map[string]any{"z": "1", "a": "2"},
		"ml":   "one\ntwo\tthree",
	}
	for _, c := range []struct {
		col       Column
		tty, pipe string
	}{
		{Column{Path: "d1", Kind: Date}, "2016-06-01 11:27", "2016-06-01T10:27:19Z"},
		{Column{Path: "d2", Kind: Date}, "2016-06-01 11:27", "2016-06-01T10:27:19Z"},
		{Column{Path: "d3", Kind: Date}, "2016-06-01 11:27", "2016-06-01T10:27:19Z"},
		{Column{Path: "d4", Kind: Date}, "2016-06-01 11:27", "2016-06-01T10:27:19Z"},
		{Column{Path: "bad", Kind: Date}, "yesterday", "yesterday"},
		{Column{Path: "b1", Kind: Bool}, "true", "true"},
		{Column{Path: "b2", Kind: Bool}, "false", "false"},
		{Column{Path: "b3", Kind: Bool}, "true", "true"},
		{Column{Path: "l", Kind: List}, "a,2,true", "a,2,true"},
		{Column{Path: "l"}, "a,2,true", "a,2,true"},
		{Column{Path: "m"}, `{"k":"v"}`, `{"k":"v"}`},
		{Column{Path: "tags", Kind: Tags}, "a=1,b", "a=1,b"},
		{Column{Path: "tagm", Kind: Tags}, "a=2,z=1", "a=2,z=1"},
		{Column{Path: "l.1"}, "2", "2"},
		{Column{Path: "m.k"}, "v", "v"},
		{Column{Path: "m.k.x"}, "", ""},
		{Column{Path: "nope", Kind: Date}, "", ""},
	} {
		if got := c.col.cell(obj, cellContext{tty: true}); got != c.tty {
			t.Errorf("%+v on a terminal: %q, want %q", c.col, got, c.tty)
		}
		if got := c.col.cell(obj, cellContext{}); got != c.pipe {
			t.Errorf("%+v piped: %q, want %q", c.col, got, c.pipe)
		}
	}
	// A cell never spans lines.
	p, _ := newPrinter(t, printCase{})
	if err := p.PrintList([]any{obj}, []Column{{Header: "ML", Path: "ml"}, {Header: "X", Path: "d3"}}, "x"); err != nil {
		t.Fatal(err)
	}
	if got, want := written(p.IO.Out), "ML             X\none two three  2016-06-01T10:27:19Z\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestUsageErrorsAtPrintTime(t *testing.T) {
	var ue *UsageError
	p, _ := newPrinter(t, printCase{format: "columns=id,bogus"})
	err := p.PrintList(fixture(t), instanceColumns, "instances")
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `"bogus"`) || !strings.Contains(err.Error(), "ID, NAME, STATUS") {
		t.Errorf("unknown column: %v", err)
	}
	// Also on an empty list: the mistake is reported, not hidden.
	p, _ = newPrinter(t, printCase{format: "columns=bogus"})
	if err := p.PrintList(nil, instanceColumns, "instances"); !errors.As(err, &ue) {
		t.Errorf("unknown column on empty list: %v", err)
	}
	p, _ = newPrinter(t, printCase{jq: ".[] | "})
	if err := p.PrintList(fixture(t), instanceColumns, "instances"); !errors.As(err, &ue) {
		t.Errorf("jq syntax error: %v", err)
	}
	p, _ = newPrinter(t, printCase{jq: "nosuchfunc(1)"})
	if err := p.PrintObject(map[string]any{}, nil); !errors.As(err, &ue) {
		t.Errorf("jq unknown function: %v", err)
	}
	// A jq runtime error is not a usage error.
	p, _ = newPrinter(t, printCase{jq: ".[0].name + 1"})
	if err := p.PrintList(fixture(t), instanceColumns, "instances"); err == nil || errors.As(err, &ue) {
		t.Errorf("jq runtime error: %v", err)
	}
}

func TestPrintListRejectsNonList(t *testing.T) {
	p, _ := newPrinter(t, printCase{})
	if err := p.PrintList(map[string]any{"a": 1}, nil, "x"); err == nil {
		t.Error("an object printed as a list")
	}
}

func TestHeaderFromKey(t *testing.T) {
	for in, want := range map[string]string{"id": "ID", "statusCode": "STATUS-CODE", "actionID": "ACTION-ID", "rtt_ms": "RTT-MS", "ipV4": "IP-V4"} {
		if got := headerFromKey(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

// written returns what was written to a stream of testStreams().
func written(w io.Writer) string {
	if rw, ok := w.(*redact.Writer); ok {
		rw.Flush()
		w = rw.W
	}
	return w.(fmt.Stringer).String()
}

func TestCSVPrintsEveryColumnAsPiped(t *testing.T) {
	ios, _, out, _ := testStreams()
	ios.stdoutTTY = true // CSV is data: no cutting, no local dates, even on a terminal
	p := &Printer{IO: ios, Opts: Options{Format: Format{Kind: CSV}}}
	cols := []Column{{Header: "ID", Path: "id"}, {Header: "NOTE", Path: "note"}, {Header: "AT", Path: "at", Kind: Date, Wide: true}}
	list := []map[string]any{{"id": 1, "note": "a, \"quoted\" note", "at": "2026-01-01T12:00:00.000+0200"}, {"id": 2}}
	if err := p.PrintList(list, cols, "things"); err != nil {
		t.Fatal(err)
	}
	want := "ID,NOTE,AT\n1,\"a, \"\"quoted\"\" note\",2026-01-01T10:00:00Z\n2,,\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}
