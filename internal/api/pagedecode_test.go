package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

var pageDecodeCases = []string{
	`{"content":[{"id":1,"name":"a"},{"id":2}],"totalElements":2,"totalPages":1,"number":0,"size":20,"numberOfElements":2,"first":true,"last":true,"empty":false}`,
	` { "content" : [ 1 , "x" , null , [] , {} ] , "pageable" : { "sort" : { "empty" : true } } , "number" : -0 } `,
	`{"content":null,"number":null,"last":null}`,
	`{"content":[],"content":[{"a":1}],"number":3,"number":null}`,
	`{"Content":[1]}`, `{"NUMBER":2}`, `{"number":"2"}`, `{"number":1.0}`, `{"number":1e2}`, `{"number":99999999999999999999}`,
	`{"number":-9223372036854775808}`, `{"number":123456789012345678}`, `{"size":true}`, `{"last":1}`, `{"content":{}}`,
	`{"content":[1,]}`, `{"content":[1 2]}`, `{"a":1,}`, `{}`, `[]`, `null`, `"page"`, `{"content":[{"k":"\u00e9"}]} x`,
	`{"\u0063ontent":[1]}`, `{"ſize":3}`, `{"unknown":[{"deep":[1,2,{"x":null}]}],"first":false}`, `{"content":[1]`,
}

// FuzzDecodeRawPage: whenever the one-pass decoder decodes a page, encoding/json
// decodes it too, to the same page; when encoding/json refuses it, so does
// the one-pass decoder (which then leaves the answer to encoding/json).
func FuzzDecodeRawPage(f *testing.F) {
	for _, c := range pageDecodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast Page[Object]
		ok := fast.decodeFast(body)
		var want Page[Object]
		err := json.Unmarshal(body, &want)
		var wantRaw Page[json.RawMessage]
		errRaw := json.Unmarshal(body, &wantRaw)
		var fastRaw Page[json.RawMessage]
		okRaw := fastRaw.decodeFast(body)
		if ok != okRaw {
			t.Fatalf("%q: Object page %v, RawMessage page %v", body, ok, okRaw)
		}
		if !ok {
			return
		}
		if err != nil || errRaw != nil {
			t.Fatalf("%q decoded, encoding/json says %v", body, err)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", body, fast, want)
		}
		if !reflect.DeepEqual(fastRaw, wantRaw) {
			t.Fatalf("%q:\n got %+v\nwant %+v", body, fastRaw, wantRaw)
		}
	})
}

func TestDecodeFastOnlyRawItems(t *testing.T) {
	var p Page[Candidate]
	if p.decodeFast([]byte(`{"content":[]}`)) {
		t.Fatal("a page of typed items must go through encoding/json")
	}
	var o Page[Object]
	if !o.decodeFast([]byte(pageDecodeCases[0])) || len(o.Content) != 2 || string(o.Content[1].Raw) != `{"id":2}` || !o.Last || o.Size != 20 {
		t.Fatalf("got %+v", o)
	}
}
