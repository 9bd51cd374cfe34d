package output

import (
	"bytes"
	"encoding/json"
	"testing"
)

// genericIndent is the reference: decode with UseNumber, encode with
// sorted keys, no HTML escaping, the printer's indentation.
func genericIndent(t testing.TB, raw []byte) ([]byte, bool) {
	vals, err := decodeAll(raw)
	if err != nil || len(vals) != 1 {
		return nil, false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	if err := enc.Encode(vals[0]); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}

var canonCases = []string{
	`{}`, `[]`, `null`, `true`, `-1.5e3`, `"x"`,
	`{"b":1,"a":{"d":[1,2,{"z":null,"y":false}],"c":{}},"e":[]}`,
	`{"name":"a<b>&c","u":"\u00e9\u2028\n\t\"\\/","k\u00e9y":"v"}`,
	` { "id" : 10001 , "tags" : [ { "key" : "app" , "value" : "itcare" } ] } `,
	`{"b":"x","a":"y","A":"z","_":"w"}`,
	`{"n":0.10,"big":123456789012345678901234567890}`,
	`{"a":1,"a":2}`,
	`{"a":"\ud800"}`,
	"{\"bad\":\"\xff\"}",
}

func TestAppendCanonicalMatchesEncoder(t *testing.T) {
	for _, c := range canonCases {
		want, ok := genericIndent(t, []byte(c))
		if !ok {
			continue
		}
		got, err := appendCanonical(nil, []byte(c), "  ", "  ", 0)
		if err == errNotCanonical {
			continue // the generic path handles it
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s (%v)\nwant %s", c, got, err, want)
		}
	}
}

func FuzzAppendCanonical(f *testing.F) {
	for _, c := range canonCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := appendCanonical(nil, raw, "  ", "  ", 0)
		want, ok := genericIndent(t, raw)
		if err != nil {
			return // falls back to the generic path
		}
		if !ok {
			t.Fatalf("accepted invalid JSON %q as %q", raw, got)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", raw, got, want)
		}
	})
}

// Writing a list item by item gives the bytes of writing it whole.
func TestStreamedListsMatchWholeEncoding(t *testing.T) {
	list := json.RawMessage(`[{"b":1,"a":{"x":[1,{"k":"v"}],"e":[],"o":{}},"s":"yes"},{"n":null,"t":true,"z":"0123","q":"a: b"},[],"plain",12.5]`)
	whole, err := toGeneric(list)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "yaml"} {
		f, _ := ParseFormat(format)
		ios, _, out, _ := testStreams()
		p := &Printer{IO: ios, Opts: Options{Format: f}}
		if err := p.PrintList(list, nil, "items"); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if format == "json" {
			err = encodeJSON(&want, whole, true)
		} else {
			err = encodeYAML(&want, whole)
		}
		if err != nil {
			t.Fatal(err)
		}
		if out.String() != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", format, out, want.String())
		}
	}
}

// One canon re-indents value after value (the list stream keeps one) with
// the result of a fresh one, whatever the values before it were.
func TestCanonReusedMatchesFresh(t *testing.T) {
	c := canon{prefix: "  ", indent: "  "}
	for round := 0; round < 2; round++ {
		for _, in := range canonCases {
			want, wantErr := appendCanonical(nil, []byte(in), "  ", "  ", 0)
			got, err := c.append([]byte("x"), []byte(in), 0)
			if err != wantErr || (err == nil && string(got) != "x"+string(want)) {
				t.Errorf("%s: reused %q (%v), fresh %q (%v)", in, got, err, want, wantErr)
			}
		}
	}
}
