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

// pageFields are the JSON names of Page's fields.
var pageFields = [...]string{"content", "totalElements", "totalPages", "number", "size", "numberOfElements", "first", "last", "empty"}

func decodeRawPage[T any](b []byte, p *Page[T], item func([]byte) T) bool {
	i := jsonscan.Space(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = jsonscan.Space(b, i+1)
	if i < len(b) && b[i] == '}' {
		return jsonscan.Space(b, i+1) == len(b)
	}
	for {
		kstart := i
		end, escaped, high, ok := jsonscan.String(b, i)
		if !ok || escaped || high {
			return false // keys are plain ASCII; anything else goes the long way
		}
		key := string(b[kstart+1 : end-1]) // not kept: no allocation
		if i = jsonscan.Space(b, end); i >= len(b) || b[i] != ':' {
			return false
		}
		i = jsonscan.Space(b, i+1)
		switch key {
		case "content":
			if i, ok = decodeItems(b, i, p, item); !ok {
				return false
			}
		case "totalElements":
			i, ok = intField(b, i, &p.TotalElements)
		case "totalPages":
			i, ok = intField(b, i, &p.TotalPages)
		case "number":
			i, ok = intField(b, i, &p.Number)
		case "size":
			i, ok = intField(b, i, &p.Size)
		case "numberOfElements":
			i, ok = intField(b, i, &p.NumberOfElements)
		case "first":
			i, ok = boolField(b, i, &p.First)
		case "last":
			i, ok = boolField(b, i, &p.Last)
		case "empty":
			i, ok = boolField(b, i, &p.Empty)
		default:
			// encoding/json also matches a field's name case-insensitively.
			for _, f := range pageFields {
				if strings.EqualFold(key, f) {
					return false
				}
			}
			i, ok = jsonscan.Value(b, i)
		}
		if !ok {
			return false
		}
		if i = jsonscan.Space(b, i); i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = jsonscan.Space(b, i+1)
		case '}':
			return jsonscan.Space(b, i+1) == len(b)
		default:
			return false
		}
	}
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
