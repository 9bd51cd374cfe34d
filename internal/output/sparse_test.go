package output

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// wholeThenPicked is what sparseObject must equal: the object decoded whole,
// then only keys kept.
func wholeThenPicked(raw []byte, keys []string) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return nil, false
	}
	if _, err := dec.Token(); err == nil {
		return nil, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out := map[string]any{}
	for _, k := range keys {
		if x, found := obj[k]; found {
			out[k] = x
		}
	}
	return out, true
}

var sparseSeeds = []string{
	`{"id":10001,"name":"web01","status":"ACTIVE","tags":[{"key":"a","value":"b"}],"cpu":2.50,"x":{"y":[1,2,{}]}}`,
	` { "name" : "a" , "name" : "b" } `,
	`{"n\u0061me":"escaped key","id":1e3}`,
	`{}`, `[]`, `{"name":}`, `{"name":"a",}`, `{"name":"a"} x`, `{"name":"\ud800"}`, "{\"na\xffme\":1}",
	`{"id":null,"name":true,"status":false}`,
}

func TestSparseObjectDecodesAsAWholeDecodeWould(t *testing.T) {
	keys := []string{"id", "name", "status", "tags", "cpu"}
	for _, s := range sparseSeeds {
		got, ok := sparseObject([]byte(s), keys)
		want, wantOK := wholeThenPicked([]byte(s), keys)
		if ok != wantOK || ok && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v %v, want %v %v", s, got, ok, want, wantOK)
		}
	}
	if _, ok := sparseObject([]byte(`{"id":1}`), nil); ok {
		t.Error("no keys must mean: decode whole")
	}
}

func FuzzSparseObject(f *testing.F) {
	for _, s := range sparseSeeds {
		f.Add(s)
	}
	keys := []string{"id", "name", "status", "tags"}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := sparseObject([]byte(s), keys)
		want, wantOK := wholeThenPicked([]byte(s), keys)
		if ok && (!wantOK || !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q: got %v, want %v %v", s, got, want, wantOK)
		}
	})
}
