package jsonscan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// valid is json.Valid through this package: one value, white space around.
func valid(b []byte) bool {
	i, ok := Value(b, Space(b, 0))
	return ok && Space(b, i) == len(b)
}

var cases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+3`, `-12.0E-7`, `true`, `false`, `null`, ` {"a" : [1, 2, {"b": null}] } `,
	`{"a":"\u00e9\n\t\"\\\/\b\f\r"}`, "\"\xff\xfe\"", `"é"`, `[1,2,]`, `{"a":1,}`, `{"a"}`, `{1:2}`, `01`, `-`, `1.`,
	`1e`, `.5`, `+1`, `"\u12"`, `"\x"`, "\"a\tb\"", `"`, `[`, `{"a":`, `tru`, `nul`, `[1 2]`, `{"a":1 "b":2}`,
	`"\u00E9"`, `1 2`, ``, ` `, `[[[]]]`, `{"":""}`, `-01`, `1.5.3`, `[-]`, "\"\x7f\"",
	`"abcdefgh\"ijklmnop"`, `["abcdefghijk","é"]`, `"0123456789abcdef"é`, "\"abcdefghij\x01k\"", `"abcdefg\\"`,
	`{"key":"a long value, longer than a word","k2":"ünïcödé in the middle of a long string"}`,
}

func TestValueMatchesEncodingJSON(t *testing.T) {
	for _, c := range cases {
		if got, want := valid([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("%q: valid %v, encoding/json says %v", c, got, want)
		}
	}
}

func TestMembersMatchesEncodingJSON(t *testing.T) {
	for _, c := range cases {
		b := []byte(c)
		var keys []string
		got := Members(b, func(k []byte, _ bool, v int) (int, bool) {
			keys = append(keys, string(k))
			return Value(b, v)
		})
		i := Space(b, 0)
		if want := json.Valid(b) && i < len(b) && b[i] == '{'; got != want {
			t.Errorf("%q: Members %v, want %v (keys %q)", c, got, want, keys)
		}
	}
	b := []byte(` {"a" : 1, "b\u0041": [2], "c": 3} `)
	var seen []string
	Members(b, func(k []byte, plain bool, v int) (int, bool) {
		seen = append(seen, fmt.Sprintf("%s:%v", k, plain))
		return Value(b, v)
	})
	if strings.Join(seen, " ") != `"a":true "b\u0041":false "c":true` {
		t.Errorf("keys %v", seen)
	}
}

func TestDepthLimit(t *testing.T) {
	for _, n := range []int{MaxDepth, MaxDepth + 1} {
		b := []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
		if got, want := valid(b), json.Valid(b); got != want || got != (n <= MaxDepth) {
			t.Errorf("depth %d: valid %v, encoding/json says %v", n, got, want)
		}
	}
}

func TestTokens(t *testing.T) {
	if end, integer, ok := Number([]byte("-120,"), 0); end != 4 || !integer || !ok {
		t.Errorf("Number(-120,) = %d %v %v", end, integer, ok)
	}
	if end, integer, ok := Number([]byte("3.25]"), 0); end != 4 || integer || !ok {
		t.Errorf("Number(3.25]) = %d %v %v", end, integer, ok)
	}
	if end, esc, high, ok := String([]byte(`"a\"é" x`), 0); end != 7 || !esc || !high || !ok {
		t.Errorf("String = %d %v %v %v", end, esc, high, ok)
	}
	if end, esc, high, ok := String([]byte(`"plain",`), 0); end != 7 || esc || high || !ok {
		t.Errorf("String = %d %v %v %v", end, esc, high, ok)
	}
}

// FuzzValue: this package accepts exactly what encoding/json accepts.
func FuzzValue(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := valid(b), json.Valid(b); got != want {
			t.Fatalf("%q: valid %v, encoding/json says %v", b, got, want)
		}
		i := Space(b, 0)
		isObject := Members(b, func(_ []byte, _ bool, v int) (int, bool) { return Value(b, v) })
		if want := json.Valid(b) && i < len(b) && b[i] == '{'; isObject != want {
			t.Fatalf("Members(%q) = %v, want %v", b, isObject, want)
		}
		if i < len(b) && b[i] == '"' {
			end, esc, high, ok := String(b, i)
			if ok != json.Valid(b[i:end]) {
				t.Fatalf("String(%q) = %d %v, encoding/json disagrees", b, end, ok)
			}
			if ok && (esc != strings.Contains(string(b[i:end]), `\`) || high != strings.ContainsFunc(string(b[i:end]), func(r rune) bool { return r >= 0x80 })) {
				t.Fatalf("String(%q): escaped %v high %v", b, esc, high)
			}
		}
	})
}
