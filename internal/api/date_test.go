package api

import (
	"encoding/json"
	"testing"
)

func TestDateRoundTrip(t *testing.T) {
	for _, s := range []string{
		"2016-06-01T12:27:19.000+0200",
		"2016-06-01T12:27:19.123+0200",
		"2016-06-01T12:27:19.000-0530",
	} {
		var d Date
		if err := json.Unmarshal([]byte(`"`+s+`"`), &d); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != `"`+s+`"` {
			t.Errorf("round trip of %s gave %s", s, out)
		}
	}
	// Other forms are written in the documented form, same instant.
	for in, want := range map[string]string{
		"2016-06-01T12:27:19+02:00":    "2016-06-01T12:27:19.000+0200",
		"2016-06-01T10:27:19.5Z":       "2016-06-01T10:27:19.500+0000",
		"2016-06-01T12:27:19.000+0200": "2016-06-01T12:27:19.000+0200",
	} {
		var d Date
		if err := json.Unmarshal([]byte(`"`+in+`"`), &d); err != nil {
			t.Fatal(err)
		}
		out, _ := json.Marshal(d)
		if string(out) != `"`+want+`"` {
			t.Errorf("%s written as %s, want %s", in, out, want)
		}
		var back Date
		if err := json.Unmarshal(out, &back); err != nil || !back.Equal(d.Time) {
			t.Errorf("%s did not round-trip: %v %v", in, back, err)
		}
	}
}

func TestDateNull(t *testing.T) {
	var d Date
	if err := json.Unmarshal([]byte(`null`), &d); err != nil || !d.IsZero() {
		t.Fatal(d, err)
	}
	if err := json.Unmarshal([]byte(`""`), &d); err != nil || !d.IsZero() {
		t.Fatal(d, err)
	}
	out, _ := json.Marshal(Date{})
	if string(out) != "null" {
		t.Fatal(string(out))
	}
	if err := json.Unmarshal([]byte(`"soon"`), &d); err == nil {
		t.Fatal("accepted a bad date")
	}
}
