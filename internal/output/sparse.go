package output

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/itcare-cli/itcare/internal/jsonscan"
)

// fieldsOf names the top-level members that cols read (the first step of
// each Path), or returns nil when a column may read any member (a Value
// without a Path): then items are decoded whole.
func fieldsOf(cols []Column) []string {
	var keys []string
	for _, c := range cols {
		if c.Path == "" {
			return nil
		}
		first, _, _ := strings.Cut(c.Path, ".")
		if !slices.Contains(keys, first) {
			keys = append(keys, first)
		}
	}
	return keys
}

// sparseObject decodes, of the JSON object raw, only the members named by
// keys, exactly as decoding it whole would (numbers as json.Number, the
// last of repeated members). A table of 5,000 instances shows eight of
// their forty fields: decoding the rest was most of its cost. ok is false
// when raw is not a JSON object; the caller then decodes it whole, which
// reports the error.
func sparseObject(raw []byte, keys []string) (map[string]any, bool) {
	if keys == nil {
		return nil, false
	}
	m := make(map[string]any, len(keys))
	ok := jsonscan.Members(raw, func(tok []byte, plain bool, i int) (int, bool) {
		k := slices.IndexFunc(keys, func(k string) bool { return k == string(tok[1:len(tok)-1]) })
		if !plain { // unescaped, invalid UTF-8 replaced, as encoding/json does
			var key string
			if json.Unmarshal(tok, &key) != nil {
				return i, false
			}
			k = slices.Index(keys, key)
		}
		end, ok := jsonscan.Value(raw, i)
		if ok && k >= 0 {
			m[keys[k]], ok = sparseValue(raw[i:end])
		}
		return end, ok
	})
	return m, ok
}

// sparseValue decodes one checked JSON value: scalars directly, objects
// and arrays through encoding/json.
func sparseValue(b []byte) (any, bool) {
	switch b[0] {
	case '"':
		if _, escaped, high, _ := jsonscan.String(b, 0); !escaped && (!high || utf8.Valid(b)) {
			return string(b[1 : len(b)-1]), true
		}
	case 't':
		return true, true
	case 'f':
		return false, true
	case 'n':
		return nil, true
	case '{', '[':
	default:
		return json.Number(b), true
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err == nil
}

// tableItem is a list item as its table row reads it: only the members keys
// of an item that arrived as JSON bytes, else the item converted whole.
func tableItem(item any, keys []string) (any, error) {
	if raw, ok := rawJSON(item); ok {
		if m, ok := sparseObject(raw, keys); ok {
			return m, nil
		}
	}
	return toGeneric(item)
}
