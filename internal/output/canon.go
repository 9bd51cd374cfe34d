package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"unicode/utf8"

	"github.com/itcare-cli/itcare/internal/jsonscan"
)

// appendCanonical appends the JSON value raw to dst exactly as
// json.Encoder (SetEscapeHTML(false), SetIndent(prefix, indent)) would write
// the value decoded with UseNumber: object keys sorted, strings normalised,
// numbers as written. It works on the bytes directly, without building a
// map per object, which makes `-o json` of thousands of API objects several
// times cheaper. depth is the nesting level raw starts at.
//
// It reports errNotCanonical for input it does not handle (duplicate keys,
// malformed JSON); the caller then takes the generic path.
func appendCanonical(dst, raw []byte, prefix, indent string, depth int) ([]byte, error) {
	c := canon{prefix: prefix, indent: indent}
	return c.append(dst, raw, depth)
}

var errNotCanonical = errors.New("output: value needs the generic JSON path")

// canon re-indents values one after the other (appendCanonical); it keeps
// its buffers between values, so a list of thousands allocates once.
type canon struct {
	in             []byte
	pos            int
	prefix, indent string
	members        [][]member // reused per depth
	keys           []byte     // keys that decoding changed, for the value being written
	nl             []byte     // "\n" + prefix + indent repeated, cut per depth
}

// member is one key/value of an object as written to the output: where
// its decoded key is (in the input, or in keys when decoding changed it),
// and where the member's bytes are in the output. It holds no pointer, so
// recording one is a plain store.
type member struct {
	k0, k1     int
	decoded    bool
	start, end int
}

func (c *canon) key(m member) []byte {
	if m.decoded {
		return c.keys[m.k0:m.k1]
	}
	return c.in[m.k0:m.k1]
}

// append appends raw re-indented to dst (appendCanonical).
func (c *canon) append(dst, raw []byte, depth int) ([]byte, error) {
	c.in, c.pos, c.keys = raw, jsonscan.Space(raw, 0), c.keys[:0]
	out, err := c.value(dst, depth)
	if err != nil {
		return nil, err
	}
	if jsonscan.Space(c.in, c.pos) != len(c.in) {
		return nil, errNotCanonical
	}
	return out, nil
}

func (c *canon) skipSpace() { c.pos = jsonscan.Space(c.in, c.pos) }

func (c *canon) newline(dst []byte, depth int) []byte {
	n := 1 + len(c.prefix) + depth*len(c.indent)
	if len(c.nl) < n {
		c.nl = append(append(c.nl[:0], '\n'), c.prefix...)
		for len(c.nl) < n+8*len(c.indent) {
			c.nl = append(c.nl, c.indent...)
		}
	}
	return append(dst, c.nl[:n]...)
}

func (c *canon) value(dst []byte, depth int) ([]byte, error) {
	if c.pos >= len(c.in) {
		return nil, errNotCanonical
	}
	switch ch := c.in[c.pos]; {
	case ch == '{':
		return c.object(dst, depth)
	case ch == '[':
		return c.array(dst, depth)
	case ch == '"':
		s, _, err := c.str()
		if err != nil {
			return nil, err
		}
		return appendString(dst, s), nil
	case ch == 't':
		return c.literal(dst, "true")
	case ch == 'f':
		return c.literal(dst, "false")
	case ch == 'n':
		return c.literal(dst, "null")
	case ch == '-' || (ch >= '0' && ch <= '9'):
		start := c.pos
		end, _, ok := jsonscan.Number(c.in, c.pos)
		if !ok {
			return nil, errNotCanonical
		}
		c.pos = end
		return append(dst, c.in[start:end]...), nil
	}
	return nil, errNotCanonical
}

func (c *canon) literal(dst []byte, lit string) ([]byte, error) {
	end, ok := jsonscan.Literal(c.in, c.pos, lit)
	if !ok {
		return nil, errNotCanonical
	}
	c.pos = end
	return append(dst, lit...), nil
}

// str reads a string token and returns its raw bytes including quotes when
// they can be copied as they are (plain), or its re-encoded form otherwise.
func (c *canon) str() (tok []byte, plain bool, err error) {
	start := c.pos
	end, escaped, high, ok := jsonscan.String(c.in, c.pos)
	if !ok {
		return nil, false, errNotCanonical
	}
	c.pos = end
	tok = c.in[start:end]
	if !escaped && !high {
		return tok, true, nil
	}
	if !escaped && utf8.Valid(tok) && !bytes.Contains(tok, lineSep) && !bytes.Contains(tok, paraSep) {
		return tok, true, nil
	}
	tok, err = reencodeString(tok)
	return tok, false, err
}

// encoding/json escapes these two characters even without HTML escaping.
var lineSep, paraSep = []byte("\u2028"), []byte("\u2029")

// reencodeString decodes a JSON string token and encodes it again the way
// encoding/json does without HTML escaping.
func reencodeString(tok []byte) ([]byte, error) {
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return nil, errNotCanonical
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, errNotCanonical
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func appendString(dst, tok []byte) []byte { return append(dst, tok...) }

func (c *canon) array(dst []byte, depth int) ([]byte, error) {
	c.pos++ // [
	c.skipSpace()
	if c.pos < len(c.in) && c.in[c.pos] == ']' {
		c.pos++
		return append(dst, "[]"...), nil
	}
	dst = append(dst, '[')
	for first := true; ; first = false {
		if !first {
			dst = append(dst, ',')
		}
		dst = c.newline(dst, depth+1)
		c.skipSpace()
		var err error
		if dst, err = c.value(dst, depth+1); err != nil {
			return nil, err
		}
		c.skipSpace()
		if c.pos >= len(c.in) {
			return nil, errNotCanonical
		}
		if c.in[c.pos] == ']' {
			c.pos++
			break
		}
		if c.in[c.pos] != ',' {
			return nil, errNotCanonical
		}
		c.pos++
	}
	dst = c.newline(dst, depth)
	return append(dst, ']'), nil
}

func (c *canon) object(dst []byte, depth int) ([]byte, error) {
	c.pos++ // {
	c.skipSpace()
	if c.pos < len(c.in) && c.in[c.pos] == '}' {
		c.pos++
		return append(dst, "{}"...), nil
	}
	// Members are written as they are read, in one pass; when the keys turn
	// out not to be in order, the written members are put in order after.
	open := len(dst)
	dst = append(dst, '{')
	for len(c.members) <= depth {
		c.members = append(c.members, nil)
	}
	ms := c.members[depth][:0]
	sorted := true
	var prev []byte // the key before
	for {
		c.skipSpace()
		if c.pos >= len(c.in) || c.in[c.pos] != '"' {
			return nil, errNotCanonical
		}
		kstart := c.pos
		tok, plain, err := c.str()
		if err != nil {
			return nil, err
		}
		m := member{k0: kstart + 1, k1: c.pos - 1}
		if !plain && bytes.IndexByte(tok, '\\') >= 0 {
			var k string
			if err := json.Unmarshal(tok, &k); err != nil {
				return nil, errNotCanonical
			}
			m.k0, m.k1, m.decoded = len(c.keys), len(c.keys)+len(k), true
			c.keys = append(c.keys, k...)
		} else if !plain {
			m.k0, m.k1, m.decoded = len(c.keys), len(c.keys)+len(tok)-2, true
			c.keys = append(c.keys, tok[1:len(tok)-1]...)
		}
		key := c.key(m)
		c.skipSpace()
		if c.pos >= len(c.in) || c.in[c.pos] != ':' {
			return nil, errNotCanonical
		}
		c.pos++
		c.skipSpace()
		if len(ms) > 0 {
			dst = append(dst, ',')
			sorted = sorted && bytes.Compare(prev, key) < 0
		}
		prev = key
		m.start = len(dst)
		dst = c.newline(dst, depth+1)
		dst = append(dst, tok...)
		dst = append(dst, ':', ' ')
		if dst, err = c.value(dst, depth+1); err != nil {
			return nil, err
		}
		m.end = len(dst)
		ms = append(ms, m)
		c.skipSpace()
		if c.pos >= len(c.in) {
			return nil, errNotCanonical
		}
		if c.in[c.pos] == '}' {
			c.pos++
			break
		}
		if c.in[c.pos] != ',' {
			return nil, errNotCanonical
		}
		c.pos++
	}
	c.members[depth] = ms
	if !sorted {
		order := slices.Clone(ms)
		slices.SortStableFunc(order, func(a, b member) int { return bytes.Compare(c.key(a), c.key(b)) })
		for i := 1; i < len(order); i++ {
			if bytes.Equal(c.key(order[i]), c.key(order[i-1])) {
				return nil, errNotCanonical // a decoded map keeps the last one only
			}
		}
		body := make([]byte, 0, len(dst)-open)
		for i, m := range order {
			if i > 0 {
				body = append(body, ',')
			}
			body = append(body, dst[m.start:m.end]...)
		}
		dst = append(dst[:open+1], body...)
	}
	dst = c.newline(dst, depth)
	return append(dst, '}'), nil
}
