// Package jsonscan reads JSON tokens in place: it finds where a string, a
// number or a whole value ends and checks it exactly as encoding/json's
// scanner does (json.Valid), without building values or allocating. The
// page decoder of internal/api and the re-indenter of internal/output use
// it to go over megabytes of API answers in one pass each.
//
// Every function takes the input and the index where the token starts and
// returns the index just after it; ok is false for input encoding/json
// would refuse.
package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// MaxDepth is the deepest nesting Value accepts, encoding/json's own limit.
const MaxDepth = 10000

// stop marks the bytes that end the plain run of a string: the quote, the
// backslash and the control characters (which JSON refuses unescaped).
var stop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// Space returns the index of the first byte at or after i that is not JSON
// white space (or len(b)).
func Space(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// String reads the string token starting at b[i] (a quote). escaped reports
// a backslash in it, high a byte of 0x80 or more (neither is checked
// further: encoding/json accepts invalid UTF-8).
func String(b []byte, i int) (end int, escaped, high, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false, false, false
	}
	i++
	for {
		// Eight bytes at a time while none ends the plain run: one test
		// for a quote, a backslash or a control character among them (the
		// lowest flagged byte is exact; bytes after it may be flagged
		// wrongly, and are looked at one by one).
		for ; i+8 <= len(b); i += 8 {
			w := binary.LittleEndian.Uint64(b[i:])
			m := (w-ones*0x20)&^w | (w^ones*'"'-ones)&^(w^ones*'"') | (w^ones*'\\'-ones)&^(w^ones*'\\')
			if m &= hiBits; m != 0 {
				n := bits.TrailingZeros64(m) / 8
				high = high || w&hiBits&(1<<(8*n)-1) != 0 // the bytes before it
				i += n
				break
			}
			high = high || w&hiBits != 0
		}
		start := i
		for i < len(b) && !stop[b[i]] {
			i++
		}
		if !high {
			for _, c := range b[start:i] {
				if c >= 0x80 {
					high = true
					break
				}
			}
		}
		if i >= len(b) {
			return i, escaped, high, false
		}
		switch b[i] {
		case '"':
			return i + 1, escaped, high, true
		case '\\':
			escaped = true
			i++
			if i >= len(b) {
				return i, escaped, high, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+4 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					return i, escaped, high, false
				}
				i += 5
			default:
				return i, escaped, high, false
			}
		default: // a control character
			return i, escaped, high, false
		}
	}
}

const (
	ones   = 0x0101010101010101
	hiBits = 0x8080808080808080
)

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Number reads the number token starting at b[i]. integer reports one
// without fraction or exponent.
func Number(b []byte, i int) (end int, integer, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, false, false
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	default:
		return i, false, false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		integer = false
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, false, false
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		integer = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, false, false
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	return i, integer, true
}

// Literal reads lit (true, false or null) at b[i].
func Literal(b []byte, i int, lit string) (end int, ok bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

// Value reads the value starting at b[i] (no white space before it),
// whatever its kind, nested at most MaxDepth deep.
func Value(b []byte, i int) (end int, ok bool) {
	return value(b, i, 0)
}

func value(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; c {
	case '"':
		end, _, _, ok := String(b, i)
		return end, ok
	case '{', '[':
		if depth >= MaxDepth {
			return i, false
		}
		return container(b, i, depth+1)
	case 't':
		return Literal(b, i, "true")
	case 'f':
		return Literal(b, i, "false")
	case 'n':
		return Literal(b, i, "null")
	default:
		end, _, ok := Number(b, i)
		return end, ok
	}
}

// container reads an object or an array at b[i], its members at depth.
func container(b []byte, i, depth int) (int, bool) {
	closing, object := byte(']'), b[i] == '{'
	if object {
		closing = '}'
	}
	i = Space(b, i+1)
	if i < len(b) && b[i] == closing {
		return i + 1, true
	}
	for {
		var ok bool
		if object {
			if i, _, _, ok = String(b, i); !ok {
				return i, false
			}
			if i = Space(b, i); i >= len(b) || b[i] != ':' {
				return i, false
			}
			i = Space(b, i+1)
		}
		if i, ok = value(b, i, depth); !ok {
			return i, false
		}
		if i = Space(b, i); i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ',':
			i = Space(b, i+1)
		case closing:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// Members walks the JSON object that b holds (white space around it, nothing
// else). member gets each key token, quotes included (plain: no escape and
// no byte of 0x80 or more in it), and the index where the member's value
// starts; it returns the index just after the value, or false to give up.
// ok is false when b is not an object encoding/json would accept, or when
// member gave up.
func Members(b []byte, member func(key []byte, plain bool, value int) (end int, ok bool)) bool {
	i := Space(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	if i = Space(b, i+1); i < len(b) && b[i] == '}' {
		return Space(b, i+1) == len(b)
	}
	for {
		end, escaped, high, ok := String(b, i)
		if !ok {
			return false
		}
		key := b[i:end]
		if i = Space(b, end); i >= len(b) || b[i] != ':' {
			return false
		}
		if i, ok = member(key, !escaped && !high, Space(b, i+1)); !ok {
			return false
		}
		if i = Space(b, i); i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = Space(b, i+1)
		case '}':
			return Space(b, i+1) == len(b)
		default:
			return false
		}
	}
}
