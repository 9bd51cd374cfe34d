package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"unicode"
)

// Options are the output flags: -o/--output, --jq and --no-header.
type Options struct {
	Format   Format
	JQ       string
	NoHeader bool
}

// Printer prints command results the way the options ask.
//
// Every format works on the generic JSON form of the data (json.Marshal,
// then decoded with numbers kept as json.Number), so json, yaml, --jq and
// template see exactly the API's objects with all their fields.
//
//   - --jq EXPR runs once on the whole value; each result is printed as JSON
//     (indented on a terminal, one compact result per line when piped),
//     strings raw like `jq -r`. With -o yaml results are YAML documents;
//     with -o template=... the template runs on each result; table formats
//     are ignored.
//   - -o json: indented by two spaces, keys sorted.
//   - -o yaml: keys sorted, numbers as numbers.
//   - -o template=T: T runs once on the whole value (a list: use
//     {{range .}}...{{end}}); a newline is added when the output lacks one.
//   - table, wide, columns=: see the table layout notes in table.go.
type Printer struct {
	IO   *IOStreams
	Opts Options
	// Ctx ends a long --jq evaluation (Ctrl-C, SIGTERM); nil = never.
	Ctx context.Context
}

// ErrorDetails is what PrintError reports of an API error besides its message.
type ErrorDetails interface {
	HTTPStatus() int
	ErrorCode() string
}

// PrintList prints a list. data is anything that marshals to a JSON array
// (typed structs, []map[string]any, json.RawMessage...); nil is an empty
// list. noun is plural ("instances"): an empty list in a table format prints
// nothing on Out and "no instances found" on ErrOut.
func (p *Printer) PrintList(data any, cols []Column, noun string) error {
	if p.Opts.JQ == "" && p.Opts.Format.Kind == JSON {
		if done, err := p.streamJSONList(data); done {
			return err
		}
	}
	if p.Opts.JQ == "" && p.Opts.Format.Kind == YAML {
		if done, err := p.streamYAMLList(data); done {
			return err
		}
	}
	if p.Opts.JQ == "" && (p.Opts.Format.IsTable() || p.Opts.Format.Kind == CSV) && cols != nil {
		if items, ok := listItems(data); ok {
			return p.printTable(items, cols, noun)
		}
	}
	v, err := toGeneric(data)
	if err != nil {
		return err
	}
	if v == nil {
		v = []any{}
	}
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("output: PrintList needs a list, got %s", jsonType(v))
	}
	if handled, err := p.printData(v); handled {
		return err
	}
	if cols == nil {
		cols = deriveColumns(list)
	}
	items := make([]any, len(list))
	for i, item := range list {
		items[i] = item
	}
	return p.printTable(items, cols, noun)
}

// printTable prints items (each decoded on its own, so that no decoded copy
// of the whole list is kept) as a table of the columns cols, or as CSV.
func (p *Printer) printTable(list []any, cols []Column, noun string) error {
	t, err := p.listTable(list, cols)
	if err != nil {
		return err
	}
	if p.Opts.Format.Kind == CSV {
		return p.writeCSV(t)
	}
	if len(list) == 0 {
		if noun == "" {
			noun = "items"
		}
		p.IO.writeErrLine(fmt.Sprintf("no %s found\n", noun))
		return nil
	}
	p.beforeData()
	// On a terminal, columns that do not fit are hidden and named on stderr
	// after the table, where it is seen; columns= is the user's choice: its
	// columns are cut, never hidden.
	var note string
	if t.tty && p.Opts.Format.Kind != Columns {
		t, note = fitColumns(t, p.IO.TerminalWidth())
	}
	if err := renderTable(p.IO.Out, p.IO, t); err != nil {
		return err
	}
	if note != "" {
		p.IO.writeErrLine(note)
	}
	return nil
}

// listTable lays out the cells of items in a table format: the columns the
// format selects, one row per item (decoded on its own when it is not
// generic JSON yet).
func (p *Printer) listTable(list []any, cols []Column) (tableSpec, error) {
	shown, err := selectColumns(p.Opts.Format, cols)
	if err != nil {
		return tableSpec{}, err
	}
	tty := p.IO.IsStdoutTTY() && p.Opts.Format.Kind != CSV
	ctx := cellContext{tty: tty}
	names := make([]string, len(shown))
	for i, c := range shown {
		names[i] = strings.ToUpper(c.Header)
	}
	header := names
	if p.Opts.NoHeader {
		header = nil
	}
	rows := make([][]string, len(list))
	keys := fieldsOf(shown)
	for r, item := range list {
		if _, generic := item.(map[string]any); !generic {
			v, err := tableItem(item, keys)
			if err != nil {
				return tableSpec{}, err
			}
			item = v
		}
		row := make([]string, len(shown))
		for i, c := range shown {
			row[i] = c.cell(item, ctx)
		}
		rows[r] = row
	}
	return tableSpec{header: header, kinds: names, rows: rows, tty: tty, cols: shown}, nil
}

// fitColumns hides, when t is too wide for width, its least important
// columns (see hideColumns); it returns what is left, with the floors that
// keep the Key columns (ID, NAME) whole while others are cut when they fit,
// and the note that names the hidden columns ("" when none).
func fitColumns(t tableSpec, width int) (tableSpec, string) {
	// Empty cells show "-" on a terminal: measure them so.
	measured := make([][]string, len(t.rows))
	for r, row := range t.rows {
		measured[r] = make([]string, len(row))
		for i, c := range row {
			if c = oneLine.Replace(c); c == "" {
				c = "-"
			}
			measured[r][i] = c
		}
	}
	cols, names := t.cols, t.kinds
	_, least := narrowWidths(cols, names, measured)
	hide := hideColumns(cols, least, width)
	gone := make([]bool, len(cols))
	for _, i := range hide {
		gone[i] = true
	}
	keep := func(cells []string) []string {
		if cells == nil {
			return nil
		}
		out := make([]string, 0, len(cells))
		for i, c := range cells {
			if !gone[i] {
				out = append(out, c)
			}
		}
		return out
	}
	total := 0
	t.floors = nil
	for i := range cols {
		if !gone[i] {
			t.floors = append(t.floors, least[i])
			total += least[i] + columnGap
		}
	}
	if total-columnGap > width {
		t.floors = nil // even the Key columns do not fit: cut them too
	}
	if len(hide) == 0 {
		return t, ""
	}
	var hiddenNames []string
	var shown []Column
	for i, n := range names {
		if gone[i] {
			hiddenNames = append(hiddenNames, n)
		} else {
			shown = append(shown, cols[i])
		}
	}
	for r := range t.rows {
		t.rows[r] = keep(t.rows[r])
	}
	t.header, t.kinds, t.cols = keep(t.header), keep(t.kinds), shown
	return t, fmt.Sprintf("hidden to fit %d columns: %s (see -o json)\n", width, strings.Join(hiddenNames, ", "))
}

// PrintObject prints one object. In a table format it is a vertical list of
// "LABEL:  value" lines: every column, wide ones included (with columns=,
// the chosen ones); without columns, every top-level field of the object.
// json, yaml, --jq and template print the whole object.
func (p *Printer) PrintObject(data any, cols []Column) error {
	v, err := toGeneric(data)
	if err != nil {
		return err
	}
	if handled, err := p.printData(v); handled {
		return err
	}
	if list, ok := v.([]any); ok {
		return p.PrintList(list, cols, "items")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		p.beforeData()
		_, err := fmt.Fprintln(p.IO.Out, scalarText(v))
		return err
	}
	if cols == nil {
		cols = deriveColumns([]any{obj})
	}
	if p.Opts.Format.Kind == Columns {
		if cols, err = selectColumns(p.Opts.Format, cols); err != nil {
			return err
		}
	}
	if p.Opts.Format.Kind == CSV {
		t, err := p.listTable([]any{obj}, cols)
		if err != nil {
			return err
		}
		return p.writeCSV(t)
	}
	p.beforeData()
	tty := p.IO.IsStdoutTTY()
	ctx := cellContext{tty: tty}
	rows := make([][]string, 0, len(cols))
	kinds := make([]string, 0, len(cols))
	for _, c := range cols {
		v := c.cell(obj, ctx)
		if c.OmitEmpty && v == "" {
			continue
		}
		rows = append(rows, []string{strings.ToUpper(c.Header) + ":", v})
		kinds = append(kinds, strings.ToUpper(c.Header))
	}
	return renderTable(p.IO.Out, p.IO, tableSpec{rows: rows, rowKinds: kinds, tty: tty, vertical: true})
}

// PrintRaw prints a response body for `itcare api`. A JSON body is indented
// with sorted keys when stdout is a terminal or -o json is given, and
// written byte for byte otherwise; --jq, -o yaml and -o template apply to
// it. A body that is not JSON is written as is (and is an error with --jq,
// yaml or template). An empty body prints nothing.
func (p *Printer) PrintRaw(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	values, jsonErr := decodeAll(body)
	wantsData := p.Opts.JQ != "" || p.Opts.Format.Kind == YAML || p.Opts.Format.Kind == Template
	if jsonErr != nil {
		if wantsData {
			return fmt.Errorf("the response is not JSON: %v", jsonErr)
		}
		p.beforeData()
		return p.writeBody(body)
	}
	if !wantsData && p.Opts.Format.Kind != JSON && !p.IO.IsStdoutTTY() {
		return p.writeBody(body)
	}
	for _, v := range values {
		handled, err := p.printData(v)
		if !handled {
			err = p.writeJSON(v, true)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeBody writes body as is, ending with a newline: the next prompt or
// line of a script starts on a line of its own.
func (p *Printer) writeBody(body []byte) error {
	if _, err := p.IO.Out.Write(body); err != nil {
		return err
	}
	if !bytes.HasSuffix(body, []byte("\n")) {
		_, err := io.WriteString(p.IO.Out, "\n")
		return err
	}
	return nil
}

// PrintFailureBody prints the body of an error answer on stdout, as gh api
// does: JSON the way PrintRaw prints it, anything else as is.
func (p *Printer) PrintFailureBody(body []byte) {
	if len(bytes.TrimSpace(body)) == 0 {
		return
	}
	if json.Valid(body) {
		_ = p.PrintRaw(body)
		return
	}
	_ = p.writeBody(body)
}

// PrintResponseHead prints the status line and headers, as curl -i does.
func (p *Printer) PrintResponseHead(proto, status string, header http.Header) {
	w := p.IO.Out
	fmt.Fprintf(w, "%s %s\n", proto, status)
	keys := make([]string, 0, len(header))
	for k := range header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range header[k] {
			fmt.Fprintf(w, "%s: %s\n", k, v)
		}
	}
	fmt.Fprintln(w)
}

// PrintError writes err to ErrOut: "error: msg", or with -o json one line
// {"error": msg, "status": 404, "errorCode": "..."} (status and errorCode
// only when err has them, see ErrorDetails). A running spinner is stopped.
func (p *Printer) PrintError(err error) {
	if err == nil {
		return
	}
	p.IO.StopProgress()
	if p.Opts.Format.Kind == JSON {
		obj := struct {
			Error     string `json:"error"`
			Status    int    `json:"status,omitempty"`
			ErrorCode string `json:"errorCode,omitempty"`
		}{Error: err.Error()}
		var d ErrorDetails
		if errors.As(err, &d) {
			obj.Status = d.HTTPStatus()
			obj.ErrorCode = d.ErrorCode()
		}
		fmt.Fprintln(p.IO.ErrOut, compactJSON(obj))
		return
	}
	msg := strings.TrimRight(err.Error(), "\n")
	if p.IO.IsStderrTTY() {
		msg = Sanitize(msg)
	}
	fmt.Fprintf(p.IO.ErrOut, "error: %s\n", msg)
}

// printData handles the formats that print data rather than a table: --jq,
// json, yaml and template. handled is false for table formats.
func (p *Printer) printData(v any) (handled bool, err error) {
	if p.Opts.JQ != "" {
		return true, p.printJQ(v)
	}
	switch p.Opts.Format.Kind {
	case JSON:
		return true, p.writeJSON(v, true)
	case YAML:
		return true, p.writeYAML(v)
	case Template:
		return true, p.writeTemplate(v)
	}
	return false, nil
}

// beforeData stops a spinner before data is written to a terminal stdout,
// which may be the very terminal the spinner draws on.
func (p *Printer) beforeData() {
	if p.IO.IsStdoutTTY() {
		p.IO.StopProgress()
	}
}

func (p *Printer) writeJSON(v any, indent bool) error {
	p.beforeData()
	return encodeJSON(p.IO.Out, v, indent)
}

func encodeJSON(w io.Writer, v any, indent bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

func (p *Printer) writeYAML(v any) error {
	p.beforeData()
	return encodeYAML(p.IO.Out, v)
}

// toGeneric turns data into generic JSON: map[string]any, []any, string,
// json.Number, bool, nil. json.RawMessage and []byte are read as JSON text.
func toGeneric(data any) (any, error) {
	var raw []byte
	switch d := data.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		raw = d
	case []byte:
		raw = d
	case json.Marshaler: // API objects hand over the bytes they came in
		b, err := d.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("output: %w", err)
		}
		raw = b
	default:
		b, err := json.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("output: %w", err)
		}
		raw = b
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	values, err := decodeAll(raw)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	if len(values) != 1 {
		return nil, fmt.Errorf("output: expected one JSON value, got %d", len(values))
	}
	return values[0], nil
}

// decodeAll reads every JSON value of b (usually one), numbers as json.Number.
func decodeAll(b []byte) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("no JSON value")
	}
	return out, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// deriveColumns makes columns from the fields of the items when a command
// gives none: every top-level key, sorted; a list of scalars gets VALUE.
func deriveColumns(list []any) []Column {
	seen := map[string]bool{}
	var keys []string
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return []Column{{Header: "VALUE"}}
		}
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	cols := make([]Column, 0, len(keys))
	for _, k := range sortedKeysOf(keys) {
		cols = append(cols, Column{Header: headerFromKey(k), Path: k})
	}
	return cols
}

func sortedKeysOf(keys []string) []string {
	m := make(map[string]any, len(keys))
	for _, k := range keys {
		m[k] = nil
	}
	return sortedKeys(m)
}

// headerFromKey: "statusCode" → "STATUS-CODE".
func headerFromKey(k string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range k {
		switch {
		case unicode.IsUpper(r) && prevLower:
			b.WriteByte('-')
		case r == '_' || r == '.' || r == ' ':
			b.WriteByte('-')
			prevLower = false
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	return b.String()
}
