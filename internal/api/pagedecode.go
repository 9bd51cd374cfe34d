package api

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/itcare-cli/itcare/internal/jsonscan"
)

// decodeFast decodes a page of raw items (Object, json.RawMessage) in one
// pass over the body: it checks the JSON and splits `content` into items
// that are sub-slices of body, instead of encoding/json's validation pass,
// decoding pass and one copy of every item. It reports false for any other
// item type and for any body it cannot decode exactly as encoding/json
// would (malformed JSON, a field of the wrong type, keys that only match a
// field case-insensitively, ...): the caller then decodes with
// encoding/json, which gives the same result or its error. The items keep
// body alive and must not be written to (their capacity ends with them).
func (p *Page[T]) decodeFast(body []byte) bool {
	switch pp := any(p).(type) {
	case *Page[Object]:
		return decodeRawPage(body, pp, func(b []byte) Object { return Object{Raw: b} })
	case *Page[json.RawMessage]:
		return decodeRawPage(body, pp, func(b []byte) json.RawMessage { return b })
	}
	return false
}

// pageField is a field of Page by its JSON name.
type pageField[V any] struct {
	name string
	v    *V
}

func lookup[V any](fields []pageField[V], key []byte) *V {
	for _, f := range fields {
		if string(key) == f.name {
			return f.v
		}
	}
	return nil
}

// foldsTo reports whether key matches one of the names case-insensitively,
// as encoding/json also matches them.
func foldsTo[V any](fields []pageField[V], key []byte) bool {
	for _, f := range fields {
		if strings.EqualFold(string(key), f.name) {
			return true
		}
	}
	return false
}

func decodeRawPage[T any](b []byte, p *Page[T], item func([]byte) T) bool {
	ints := [...]pageField[int]{{"totalElements", &p.TotalElements}, {"totalPages", &p.TotalPages},
		{"number", &p.Number}, {"size", &p.Size}, {"numberOfElements", &p.NumberOfElements}}
	bools := [...]pageField[bool]{{"first", &p.First}, {"last", &p.Last}, {"empty", &p.Empty}}
	return jsonscan.Members(b, func(tok []byte, plain bool, i int) (int, bool) {
		if !plain {
			return i, false // keys are plain ASCII; anything else goes the long way
		}
		key := tok[1 : len(tok)-1]
		if string(key) == "content" {
			return decodeItems(b, i, p, item)
		} else if v := lookup(ints[:], key); v != nil {
			return intField(b, i, v)
		} else if v := lookup(bools[:], key); v != nil {
			return boolField(b, i, v)
		} else if strings.EqualFold(string(key), "content") || foldsTo(ints[:], key) || foldsTo(bools[:], key) {
			return i, false
		}
		return jsonscan.Value(b, i)
	})
}

// decodeItems reads the content array at b[i], or null (no items).
func decodeItems[T any](b []byte, i int, p *Page[T], item func([]byte) T) (int, bool) {
	if i < len(b) && b[i] == 'n' {
		p.Content = nil
		return jsonscan.Literal(b, i, "null")
	}
	if i >= len(b) || b[i] != '[' {
		return i, false
	}
	p.Content = make([]T, 0, len(p.Content)) // a repeated key: the last one counts
	i = jsonscan.Space(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		start := i
		var ok bool
		if i, ok = jsonscan.Value(b, i); !ok {
			return i, false
		}
		p.Content = append(p.Content, item(b[start:i:i]))
		if i = jsonscan.Space(b, i); i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ',':
			i = jsonscan.Space(b, i+1)
		case ']':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// intField reads an integer field; null leaves it as it is (encoding/json).
func intField(b []byte, i int, v *int) (int, bool) {
	if i < len(b) && b[i] == 'n' {
		return jsonscan.Literal(b, i, "null")
	}
	end, integer, ok := jsonscan.Number(b, i)
	if !ok || !integer {
		return end, false
	}
	digits := b[i:end]
	neg := digits[0] == '-'
	if neg {
		digits = digits[1:]
	}
	var n int64
	if len(digits) > 18 { // may not fit: let strconv say
		var err error
		if n, err = strconv.ParseInt(string(b[i:end]), 10, 64); err != nil {
			return end, false
		}
	} else {
		for _, d := range digits {
			n = n*10 + int64(d-'0')
		}
		if neg {
			n = -n
		}
	}
	if int64(int(n)) != n { // a 32-bit int
		return end, false
	}
	*v = int(n)
	return end, true
}

// boolField reads a boolean field; null leaves it as it is.
func boolField(b []byte, i int, v *bool) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch b[i] {
	case 'n':
		return jsonscan.Literal(b, i, "null")
	case 't':
		*v = true
		return jsonscan.Literal(b, i, "true")
	case 'f':
		*v = false
		return jsonscan.Literal(b, i, "false")
	}
	return i, false
}
