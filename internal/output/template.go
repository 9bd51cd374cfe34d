package output

import (
	"bytes"
	"strings"
	"text/template"
	"time"

	"github.com/itcare-cli/itcare/internal/isodate"
)

// templateFuncs are the helpers of -o template=:
//
//	json   compact JSON of a value          {{json .tags}}
//	join   join a list with a separator     {{join "," .ips}} or {{.ips | join ","}}
//	upper  upper case                       {{upper .status}}
//	lower  lower case                       {{lower .status}}
//	date   an API date in local time, "2006-01-02 15:04" (as received when unparseable)
var templateFuncs = template.FuncMap{
	"json": compactJSON,
	"join": func(sep string, list any) string {
		items, ok := list.([]any)
		if !ok {
			return scalarText(list)
		}
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = scalarText(it)
		}
		return strings.Join(parts, sep)
	},
	"upper": func(v any) string { return strings.ToUpper(scalarText(v)) },
	"lower": func(v any) string { return strings.ToLower(scalarText(v)) },
	"date": func(v any) string {
		s := scalarText(v)
		t, err := isodate.Parse(s)
		if err != nil {
			return s
		}
		return t.In(time.Local).Format("2006-01-02 15:04")
	},
}

func parseTemplate(text string) (*template.Template, error) {
	t, err := template.New("output").Funcs(templateFuncs).Parse(text)
	if err != nil {
		return nil, usageErrorf("invalid output template: %v", err)
	}
	return t, nil
}

// writeTemplate executes the template once on v. Output that does not end
// with a newline gets one.
func (p *Printer) writeTemplate(v any) error {
	t, err := parseTemplate(p.Opts.Format.Template)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return err
	}
	if buf.Len() > 0 && !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
		buf.WriteByte('\n')
	}
	p.beforeData()
	_, err = p.IO.Out.Write(buf.Bytes())
	return err
}
