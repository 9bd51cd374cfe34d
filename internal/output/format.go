package output

import (
	"fmt"
	"strings"
)

// Kind is an output format chosen with -o/--output.
type Kind int

const (
	Table    Kind = iota // default: the command's columns
	Wide                 // every column the command knows
	JSON                 // the API objects, all fields, indented, sorted keys
	YAML                 // same as JSON, in YAML
	Columns              // columns=ID,NAME: chosen columns, in that order
	Template             // template=GO-TEMPLATE, executed once on the whole value
	CSV                  // every column (wide ones too) as RFC 4180 CSV, values as when piped
)

func (k Kind) String() string {
	switch k {
	case Table:
		return "table"
	case Wide:
		return "wide"
	case JSON:
		return "json"
	case YAML:
		return "yaml"
	case Columns:
		return "columns"
	case Template:
		return "template"
	case CSV:
		return "csv"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Format is a parsed -o value.
type Format struct {
	Kind     Kind
	Columns  []string // for Columns: headers as the user wrote them
	Template string   // for Template: the Go template text
}

// IsTable reports whether the format prints a table for people (table,
// wide, columns=), as opposed to data for programs.
func (f Format) IsTable() bool {
	return f.Kind == Table || f.Kind == Wide || f.Kind == Columns
}

// UsageError is a mistake in an output option (-o, --jq). The command maps it
// to exit code 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usageErrorf(format string, args ...any) *UsageError {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

const validFormats = "table, wide, json, yaml, columns=COL1,COL2,..., template=GO-TEMPLATE, csv"

// ParseFormat reads a -o value: "" or "table", "wide", "json", "yaml",
// "columns=ID,NAME", "template={{.name}}" or "csv". Names are case-insensitive.
// A template is parsed here so that a bad one fails before any request.
func ParseFormat(s string) (Format, error) {
	s = strings.TrimSpace(s)
	name, arg, hasArg := strings.Cut(s, "=")
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "table":
		if !hasArg {
			return Format{Kind: Table}, nil
		}
	case "wide":
		if !hasArg {
			return Format{Kind: Wide}, nil
		}
	case "json":
		if !hasArg {
			return Format{Kind: JSON}, nil
		}
	case "yaml", "yml":
		if !hasArg {
			return Format{Kind: YAML}, nil
		}
	case "csv":
		if !hasArg {
			return Format{Kind: CSV}, nil
		}
	case "columns", "cols":
		if !hasArg {
			return Format{}, usageErrorf("output format %q needs column names: columns=ID,NAME", name)
		}
		var cols []string
		for _, c := range strings.Split(arg, ",") {
			c = strings.TrimSpace(c)
			if c == "" {
				return Format{}, usageErrorf("invalid output format %q: empty column name", s)
			}
			cols = append(cols, c)
		}
		return Format{Kind: Columns, Columns: cols}, nil
	case "template", "go-template":
		if !hasArg || strings.TrimSpace(arg) == "" {
			return Format{}, usageErrorf("output format %q needs a Go template: template='{{.name}}'", name)
		}
		if _, err := parseTemplate(arg); err != nil {
			return Format{}, err
		}
		return Format{Kind: Template, Template: arg}, nil
	}
	return Format{}, usageErrorf("unknown output format %q: valid formats are %s", s, validFormats)
}

// ValidateColumns checks the columns= names against cols (wide ones
// included), so a command can refuse a bad -o before sending any request.
// Other formats always pass.
func ValidateColumns(f Format, cols []Column) error {
	if f.Kind != Columns {
		return nil
	}
	_, err := selectColumns(f, cols)
	return err
}

// selectColumns returns the columns a table format shows, in order.
func selectColumns(f Format, cols []Column) ([]Column, error) {
	switch f.Kind {
	case Wide, CSV:
		return cols, nil
	case Columns:
		var out []Column
		for _, name := range f.Columns {
			found := false
			for _, c := range cols {
				if strings.EqualFold(c.Header, name) {
					out = append(out, c)
					found = true
					break
				}
			}
			if !found {
				names := make([]string, len(cols))
				for i, c := range cols {
					names[i] = strings.ToUpper(c.Header)
				}
				return nil, usageErrorf("unknown column %q: valid columns are %s", name, strings.Join(names, ", "))
			}
		}
		return out, nil
	}
	var out []Column
	for _, c := range cols {
		if !c.Wide {
			out = append(out, c)
		}
	}
	return out, nil
}
