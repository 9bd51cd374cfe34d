package api

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseFieldsNestedAndTyped(t *testing.T) {
	got, err := ParseFields(
		[]string{"name=web01", "n=12", "options[nodes][]=a"},
		[]string{"count=3", "ok=false", "x=null", "f=1.5", "s=abc", "options[nodes][]=2", "options[az]=EB-A"},
		strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(got)
	want := `{"count":3,"f":1.5,"n":"12","name":"web01","ok":false,"options":{"az":"EB-A","nodes":["a",2]},"s":"abc","x":null}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
}

func TestFieldsToQueryKeepsPlusAndRepeatsArrays(t *testing.T) {
	p, _ := ParseFields([]string{"start=2016-06-01T12:27:19.000+0200", "names[]=a", "names[]=b", "o[k]=v"}, nil, nil)
	q := FieldsToQuery(p)
	enc := q.Encode()
	if !strings.Contains(enc, "start=2016-06-01T12%3A27%3A19.000%2B0200") || !strings.Contains(enc, "names=a&names=b") || !strings.Contains(enc, "o.k=v") {
		t.Fatalf("encoded %s", enc)
	}
}

func FuzzParseFields(f *testing.F) {
	f.Add("a=b", "c[d][]=1")
	f.Add("x[=1", "@-")
	f.Add("a[b]=1", "a=2")
	f.Fuzz(func(t *testing.T, raw, typed string) {
		if _, v, _ := strings.Cut(typed, "="); strings.HasPrefix(v, "@") && v != "@-" {
			t.Skip("reads files of the machine")
		}
		p, err := ParseFields([]string{raw}, []string{typed}, strings.NewReader("stdin"))
		if err != nil {
			if _, ok := err.(*FieldError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if _, err := json.Marshal(p); err != nil {
			t.Fatalf("unmarshalable params: %v", err)
		}
		_ = FieldsToQuery(p)
	})
}

func TestParseFieldsRejectsMalformedKeys(t *testing.T) {
	for _, f := range []string{"a[=1", "a]=1", "a[b=1", "a[b]c=1", "a[][b]=1", "[a]=1"} {
		var fe *FieldError
		if _, err := ParseFields(nil, []string{f}, nil); !errors.As(err, &fe) {
			t.Errorf("-F %s accepted (%v)", f, err)
		}
	}
}

func TestParseFieldsKeepsNonJSONNumbersAsStrings(t *testing.T) {
	got, err := ParseFields(nil, []string{"zip=01", "neg=-07", "plus=+1", "hex=0x10", "zero=0", "m=-3", "e=1e3", "big=12345678901234567890"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(got)
	want := `{"big":"12345678901234567890","e":1000,"hex":"0x10","m":-3,"neg":"-07","plus":"+1","zero":0,"zip":"01"}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
}
