package output

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/itchyny/gojq"
)

// ValidateJQ checks a --jq expression ("" passes), so that a bad one fails
// before any request. The error is a *UsageError.
func ValidateJQ(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	_, err := compileJQ(expr)
	return err
}

func compileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, usageErrorf("invalid --jq expression %q: %v", expr, err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, usageErrorf("invalid --jq expression %q: %v", expr, err)
	}
	return code, nil
}

// printJQ runs --jq once on v and prints each result as it comes: strings
// raw (like jq -r); other values as JSON (indented on a terminal, compact
// one per line when piped), as YAML documents with -o yaml, or through the
// template with -o template=.
func (p *Printer) printJQ(v any) error {
	code, err := compileJQ(p.Opts.JQ)
	if err != nil {
		return err
	}
	p.beforeData()
	w := p.IO.Out
	yamlDocs := 0
	ctx := p.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	iter := code.RunWithContext(ctx, v)
	for {
		r, ok := iter.Next()
		if !ok {
			return nil
		}
		if e, isErr := r.(error); isErr {
			if h, isHalt := e.(*gojq.HaltError); isHalt && h.Value() == nil {
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("--jq interrupted: %w", ctx.Err())
			}
			return fmt.Errorf("jq: %w", e)
		}
		if s, isString := r.(string); isString && p.Opts.Format.Kind != Template {
			if _, err := fmt.Fprintln(w, s); err != nil {
				return err
			}
			continue
		}
		switch p.Opts.Format.Kind {
		case YAML:
			if yamlDocs > 0 {
				if _, err := io.WriteString(w, "---\n"); err != nil {
					return err
				}
			}
			yamlDocs++
			err = encodeYAML(w, r)
		case Template:
			err = p.writeTemplate(r)
		default:
			err = writeJQValue(w, r, p.IO.IsStdoutTTY())
		}
		if err != nil {
			return err
		}
	}
}

// writeJQValue writes a jq result as JSON: jq's own encoding (sorted keys,
// NaN as null), indented by two spaces when pretty.
func writeJQValue(w io.Writer, v any, pretty bool) error {
	b, err := gojq.Marshal(v)
	if err != nil {
		return err
	}
	if pretty {
		var buf bytes.Buffer
		if err := json.Indent(&buf, b, "", "  "); err != nil {
			return err
		}
		b = buf.Bytes()
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
