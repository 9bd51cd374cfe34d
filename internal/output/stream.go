package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

// streamJSONList writes a list as indented JSON one item at a time through a
// buffered writer, instead of converting the whole list to generic values and
// encoding it in memory: `list --all -o json` over thousands of resources then
// holds one item at a time, not several copies of the list. The bytes are
// the same as writeJSON's (sorted keys, two-space indent). It handles slices
// and JSON arrays; it reports false for anything else.
func (p *Printer) streamJSONList(data any) (bool, error) {
	items, ok := listItems(data)
	if !ok || len(items) == 0 {
		return false, nil
	}
	s := p.newListStream()
	if err := s.add(items); err != nil {
		return true, err
	}
	return true, s.Close()
}

// ListStream prints a list given part by part (page by page), so that a
// listing of every page is written as it comes instead of being held whole.
type ListStream struct {
	p   *Printer
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
	c   canon
	out []byte
	n   int
}

// StreamList returns a ListStream when the output can be written item by
// item (-o json without --jq), else nil: the caller then collects the list
// and calls PrintList.
func (p *Printer) StreamList() *ListStream {
	if p.Opts.JQ != "" || p.Opts.Format.Kind != JSON {
		return nil
	}
	return p.newListStream()
}

func (p *Printer) newListStream() *ListStream {
	s := &ListStream{p: p, w: bufio.NewWriterSize(p.IO.Out, 64<<10), c: canon{prefix: "  ", indent: "  "}}
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	s.enc.SetIndent("  ", "  ")
	return s
}

// Add writes the items of a slice or JSON array.
func (s *ListStream) Add(data any) error {
	items, ok := listItems(data)
	if !ok {
		return fmt.Errorf("output: ListStream.Add needs a list, got %T", data)
	}
	return s.add(items)
}

func (s *ListStream) add(items []any) error {
	for _, item := range items {
		s.begin()
		// Fast path: the item's own bytes, re-indented with sorted keys.
		if raw, ok := rawJSON(item); ok {
			var err error
			if s.out, err = s.c.append(s.out[:0], raw, 0); err == nil {
				s.w.Write(s.out)
				continue
			}
		}
		v, err := toGeneric(item)
		if err != nil {
			return err
		}
		s.buf.Reset()
		if err := s.enc.Encode(v); err != nil {
			return err
		}
		s.w.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
	}
	return nil
}

// begin writes what comes before an item.
func (s *ListStream) begin() {
	if s.n == 0 {
		s.p.beforeData()
		s.w.WriteString("[\n")
	} else {
		s.w.WriteString(",\n")
	}
	s.n++
	s.w.WriteString("  ")
}

// Close ends the list ([] when nothing was added) and flushes it.
func (s *ListStream) Close() error {
	if s.n == 0 {
		s.p.beforeData()
		s.w.WriteString("[]\n")
	} else {
		s.w.WriteString("\n]\n")
	}
	return s.w.Flush()
}

// rawJSON returns the JSON bytes an item already holds: raw messages, and
// values that marshal themselves (API objects keep the bytes they came in).
func rawJSON(item any) ([]byte, bool) {
	switch d := item.(type) {
	case json.RawMessage:
		return d, true
	case []byte:
		return d, true
	case json.Marshaler:
		b, err := d.MarshalJSON()
		return b, err == nil
	}
	return nil, false
}

// listItems splits data into its items: the elements of a slice, or of a
// JSON array given as raw bytes.
func listItems(data any) ([]any, bool) {
	switch d := data.(type) {
	case json.RawMessage:
		return rawItems(d)
	case []byte:
		return rawItems(d)
	}
	rv := reflect.ValueOf(data)
	if rv.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

func rawItems(b []byte) ([]any, bool) {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return nil, false
	}
	out := make([]any, len(raws))
	for i, r := range raws {
		out[i] = r
	}
	return out, true
}

// streamYAMLList writes a list as YAML one item at a time: each item is
// decoded, written as a one-item sequence and dropped, which gives the same
// text as encoding the whole sequence at once, without a node tree of the
// whole list in memory. It reports false for anything but a non-empty list.
func (p *Printer) streamYAMLList(data any) (bool, error) {
	items, ok := listItems(data)
	if !ok || len(items) == 0 {
		return false, nil
	}
	p.beforeData()
	w := bufio.NewWriterSize(p.IO.Out, 64<<10)
	for _, item := range items {
		v, err := toGeneric(item)
		if err != nil {
			return true, err
		}
		if err := encodeYAML(w, []any{v}); err != nil {
			return true, err
		}
	}
	return true, w.Flush()
}
