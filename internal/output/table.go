package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/itcare-cli/itcare/internal/isodate"
)

// ColumnKind says how a column renders its value.
type ColumnKind int

const (
	Text ColumnKind = iota // as received; a list of scalars is joined with ","
	Date                   // an API date: local "2006-01-02 15:04" on a terminal, RFC 3339 UTC when piped
	Bool                   // true / false
	List                   // a list joined with ","
	Tags                   // a list of {key, value} (or an object) as "k=v,k2=v2"
)

// Column is one column of a table, and one line of an object's view.
type Column struct {
	Header string     // upper case: "ID", "NAME"
	Path   string     // dot path into the JSON object: "name", "network.ipAddress"; a number indexes a list
	Kind   ColumnKind // how to render the value
	Wide   bool       // shown only with -o wide (and selectable with columns=)
	// Value, when set, computes the cell from the whole object instead of Path.
	Value func(obj map[string]any) string
	// Priority says which columns a table too wide for the terminal hides
	// first (see hideColumns).
	Priority Priority
	// OmitEmpty leaves the line out of an object's view when the value is
	// empty (a REASON that only means something when there is one).
	OmitEmpty bool
}

// Priority ranks a column for narrow terminals: the lowest are hidden first,
// rightmost first among equals; Key columns are never hidden. The zero value
// means "not declared": the priority headerPriority gives the column's
// header, Normal for a header it does not name.
type Priority int

const (
	PriorityUnset Priority = iota
	PriorityLow
	PriorityNormal
	PriorityHigh
	PriorityKey
)

// headerPriority is the priority of the columns every family's tables
// share, by header: what identifies a row is kept, then what says its
// state and where it answers; sizes, places and dates go first.
var headerPriority = map[string]Priority{
	"ID": PriorityKey, "NAME": PriorityKey,
	"STATUS": PriorityHigh, "STATE": PriorityHigh, "IP": PriorityHigh,
	"CPU": PriorityLow, "RAM": PriorityLow, "AZ": PriorityLow, "REGION": PriorityLow,
	"SERVICE": PriorityLow, "VLAN": PriorityLow, "CREATED": PriorityLow, "UPDATED": PriorityLow,
	"SUBMITTED": PriorityLow, "TAGS": PriorityLow, "CLOUD": PriorityLow, "PRODUCT": PriorityLow,
}

// rank is the priority the column has in effect.
func (c Column) rank() Priority {
	if c.Priority != PriorityUnset {
		return c.Priority
	}
	if p, ok := headerPriority[strings.ToUpper(c.Header)]; ok {
		return p
	}
	return PriorityNormal
}

// cutFloor is how narrow a column that is not a Key may be cut before any
// column is hidden: long free text (a message, a description) is still
// useful cut, short values (an IP, a date, a size) are not.
const cutFloor = 16

// narrowWidths returns, per column, the width of its widest cell (header
// included) and the narrowest it may be cut to: all of it for Key columns
// and short values, cutFloor for longer ones.
func narrowWidths(cols []Column, header []string, rows [][]string) (need, least []int) {
	need = make([]int, len(cols))
	least = make([]int, len(cols))
	for i, c := range cols {
		if i < len(header) {
			need[i] = twwidth.Width(header[i])
		}
		for _, r := range rows {
			if i < len(r) {
				need[i] = max(need[i], twwidth.Width(r[i]))
			}
		}
		least[i] = need[i]
		if c.rank() != PriorityKey {
			least[i] = min(need[i], max(cutFloor, twwidth.Width(c.Header)))
		}
	}
	return need, least
}

// hideColumns returns the indexes of the columns to hide so that the
// columns left fit width at their least widths (see narrowWidths): the
// lowest priority first, the rightmost first among equals, never a Key
// column. When hiding every other column is not enough, it hides them all
// and cutting does the rest.
func hideColumns(cols []Column, least []int, width int) []int {
	hidden := make([]bool, len(cols))
	var out []int
	for {
		total, shown := 0, 0
		for i, w := range least {
			if !hidden[i] {
				total += w
				shown++
			}
		}
		total += columnGap * max(shown-1, 0)
		if total <= width {
			return out
		}
		pick := -1
		for i := len(cols) - 1; i >= 0; i-- {
			if hidden[i] || cols[i].rank() == PriorityKey {
				continue
			}
			if pick < 0 || cols[i].rank() < cols[pick].rank() {
				pick = i
			}
		}
		if pick < 0 {
			return out
		}
		hidden[pick] = true
		out = append(out, pick)
	}
}

// Table layout:
//   - columns are separated by at least two spaces and left-aligned, with no
//     borders; trailing spaces are trimmed;
//   - on a terminal too narrow for a list, the least important columns are
//     hidden first (see Priority; a note on stderr names them), then the
//     widest columns are cut with "…" until a row fits the terminal width
//     (headers and Key columns are cut last), a missing value shows
//     "-", dates are local and short, and colour is used when enabled;
//   - piped, nothing is cut, a missing value is an empty cell, dates are
//     RFC 3339 in UTC. Line breaks and tabs inside a cell become spaces so
//     that one row is one line; spaces inside a cell are kept, so
//     `awk '{print $2}'` is reliable only on columns without spaces or empty
//     cells (use -o json, --jq or columns= for those).
const columnGap = 2

// cellContext is what rendering a cell depends on.
type cellContext struct {
	tty bool // a terminal: dates local and short
}

// lookup follows a dot path; ok is false when a step is missing.
func lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, step := range strings.Split(path, ".") {
		switch cur := v.(type) {
		case map[string]any:
			next, ok := cur[step]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(cur) {
				return nil, false
			}
			v = cur[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// cell renders one column of item as plain text ("" when missing).
func (c Column) cell(item any, ctx cellContext) string {
	return Sanitize(c.rawCell(item, ctx))
}

func (c Column) rawCell(item any, ctx cellContext) string {
	if c.Value != nil {
		obj, _ := item.(map[string]any)
		return c.Value(obj)
	}
	v, ok := lookup(item, c.Path)
	if !ok || v == nil {
		return ""
	}
	switch c.Kind {
	case Date:
		s, isString := v.(string)
		if !isString {
			return scalarText(v)
		}
		t, err := isodate.Parse(s)
		if err != nil {
			return s
		}
		if ctx.tty {
			return t.In(time.Local).Format("2006-01-02 15:04")
		}
		return t.UTC().Format(time.RFC3339)
	case Bool:
		switch b := v.(type) {
		case bool:
			return strconv.FormatBool(b)
		case string:
			if p, err := strconv.ParseBool(b); err == nil {
				return strconv.FormatBool(p)
			}
		case json.Number:
			if f, err := b.Float64(); err == nil {
				return strconv.FormatBool(f != 0)
			}
		}
		return scalarText(v)
	case Tags:
		return tagsText(v)
	}
	return scalarText(v) // Text and List
}

// scalarText renders a value without exponents; lists of scalars are joined
// with ",", objects are compact JSON.
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return plainNumber(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, scalarText(e))
		}
		return strings.Join(parts, ",")
	}
	return compactJSON(v)
}

// plainNumber writes a number as received, except that an exponent (Java
// serialises large doubles as 1.0E10) is spelt out: 10000000000.
func plainNumber(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, "eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// tagsText renders [{key,value}...] or {k: v} as "k=v,k2=v2".
func tagsText(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				parts = append(parts, scalarText(e))
				continue
			}
			k, hasKey := m["key"]
			if !hasKey {
				parts = append(parts, compactJSON(m))
				continue
			}
			if val, ok := m["value"]; ok && val != nil {
				parts = append(parts, scalarText(k)+"="+scalarText(val))
			} else {
				parts = append(parts, scalarText(k))
			}
		}
		return strings.Join(parts, ",")
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+"="+scalarText(x[k]))
		}
		return strings.Join(parts, ",")
	}
	return scalarText(v)
}

func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimRight(b.String(), "\n")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// oneLine keeps a cell on one line.
var oneLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// statusColor colours well-known status words, minimal on purpose.
func statusColor(ios *IOStreams, header, s string) string {
	switch strings.ToUpper(header) {
	case "STATUS", "STATE":
	default:
		return s
	}
	switch strings.ToUpper(s) {
	case "ACTIVE", "SUCCESS", "UP", "OK", "RUNNING":
		return ios.Green(s)
	case "ERROR", "FAILED", "DOWN":
		return ios.Red(s)
	case "INACTIVE", "IN_PROGRESS", "PENDING", "STOPPED":
		return ios.Yellow(s)
	}
	return s
}

// tableSpec is a table to lay out.
type tableSpec struct {
	header   []string   // nil: no header line
	kinds    []string   // per column, the header naming it (for status colours)
	rowKinds []string   // vertical view: per row, the header of its value
	rows     [][]string // plain cells
	tty      bool
	vertical bool     // two columns, "LABEL:" and value; labels are never cut
	width    int      // on a terminal, the width to fit (0: the terminal's)
	cols     []Column // a list's columns, one per cell of a row (for their priorities)
	floors   []int    // on a terminal, per column, the least a cut leaves (nil: the header's width)
}

// renderTable lays out a table with tablewriter: borderless, left-aligned,
// columnGap spaces between columns, trailing spaces trimmed. On a terminal,
// empty cells show "-", cells are cut to fit the width and coloured when
// colour is enabled.
func renderTable(w io.Writer, ios *IOStreams, t tableSpec) error {
	ncol := len(t.header)
	if len(t.rows) > 0 {
		ncol = max(ncol, len(t.rows[0]))
	}
	for _, r := range t.rows {
		for i := range r {
			r[i] = oneLine.Replace(r[i])
			if t.tty && r[i] == "" {
				r[i] = "-"
			}
		}
	}
	header := t.header
	if t.tty {
		// A cut column keeps at least the width of its name, printed or not.
		names := header
		if names == nil && !t.vertical {
			names = t.kinds
		}
		floors := make([]int, ncol)
		for i := range floors {
			floors[i] = 1
			if i < len(names) {
				floors[i] = max(twwidth.Width(names[i]), 1)
			}
		}
		if t.vertical {
			for _, r := range t.rows {
				floors[0] = max(floors[0], twwidth.Width(r[0]))
			}
		}
		for i := 0; i < ncol && i < len(t.floors); i++ {
			floors[i] = max(floors[i], t.floors[i])
		}
		width := t.width
		if width <= 0 {
			width = ios.TerminalWidth()
		}
		limits := fitWidths(header, t.rows, floors, width)
		for _, r := range t.rows {
			for i := range r {
				r[i] = truncateDisplay(r[i], limits[i])
			}
		}
		if ios.ColorEnabled() {
			for n, r := range t.rows {
				for i := range r {
					switch {
					case t.vertical && i == 1 && n < len(t.rowKinds):
						r[i] = statusColor(ios, t.rowKinds[n], r[i])
					case !t.vertical && i < len(t.kinds):
						r[i] = statusColor(ios, t.kinds[i], r[i])
					}
				}
			}
			if header != nil {
				bold := make([]string, len(header))
				for i, h := range header {
					bold[i] = ios.Bold(h)
				}
				header = bold
			}
		}
	}

	if done, err := writePlainTable(w, header, t.rows); done {
		return err
	}
	return writeTablewriter(w, header, t.rows)
}

// writeTablewriter renders a borderless, left-aligned table with tablewriter.
func writeTablewriter(w io.Writer, header []string, rows [][]string) error {
	var buf bytes.Buffer
	cell := tw.CellConfig{
		Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone, AutoFormat: tw.Off},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
		Padding:    tw.CellPadding{Global: tw.Padding{Right: strings.Repeat(" ", columnGap), Overwrite: true}},
	}
	tbl := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.LinesNone},
		})),
		tablewriter.WithConfig(tablewriter.Config{Header: cell, Row: cell}),
	)
	if header != nil {
		tbl.Header(header)
	}
	if err := tbl.Bulk(rows); err != nil {
		return err
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		// tablewriter re-emits a reset after the padding of a coloured cell.
		line = doubleReset().ReplaceAllString(line, "\x1b[0m$1")
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	_, err := io.WriteString(w, out.String())
	return err
}

var doubleReset = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\x1b\[0m( *)\x1b\[0m`) })

// fitWidths returns, per column, the widest a cell may be so that a row fits
// width: the widest columns are narrowed first, never below their floor.
func fitWidths(header []string, rows [][]string, floors []int, width int) []int {
	ncol := len(floors)
	need := make([]int, ncol)
	for i := 0; i < ncol && i < len(header); i++ {
		need[i] = twwidth.Width(header[i])
	}
	for _, r := range rows {
		for i := 0; i < ncol && i < len(r); i++ {
			need[i] = max(need[i], twwidth.Width(r[i]))
		}
	}
	avail := width - columnGap*(ncol-1)
	capped := func(limit int) []int {
		out := make([]int, ncol)
		for i := range need {
			out[i] = min(need[i], max(limit, floors[i]))
		}
		return out
	}
	sum := func(ws []int) int {
		n := 0
		for _, w := range ws {
			n += w
		}
		return n
	}
	limit := 0
	for _, n := range need {
		limit = max(limit, n)
	}
	if sum(need) <= avail {
		return need
	}
	// The largest common cap that fits, then what is left goes to the cut
	// columns, leftmost first.
	for limit > 1 && sum(capped(limit)) > avail {
		limit--
	}
	out := capped(limit)
	spare := avail - sum(out)
	for i := range out {
		if spare <= 0 {
			break
		}
		if out[i] < need[i] {
			out[i]++
			spare--
		}
	}
	return out
}

// truncateDisplay cuts s to at most w display columns, ending with "…".
func truncateDisplay(s string, w int) string {
	if twwidth.Width(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	if w == 1 {
		return "…"
	}
	return twwidth.Truncate(s, w, "…")
}
