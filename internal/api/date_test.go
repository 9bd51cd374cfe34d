package api

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseDateDocumentedForms(t *testing.T) {
	want := time.Date(2016, 6, 1, 10, 27, 19, 0, time.UTC)
	for _, s := range []string{
		"2016-06-01T12:27:19.000+0200", // documented form
		"2016-06-01T12:27:19+0200",     // without millis
		"2016-06-01T12:27:19.000+02:00",
		"2016-06-01T12:27:19+02:00",
		"2016-06-01T10:27:19.000Z", // generated samples
		"2016-06-01T10:27:19Z",
		"2016-06-01T10:27:19.000000Z",
		"2016-06-01T06:27:19.000-0400",
	} {
		got, err := ParseDate(s)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", s, err)
			continue
		}
		if !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParseDateKeepsMillis(t *testing.T) {
	got, err := ParseDate("2025-07-06T11:01:21.263Z")
	if err != nil || got.Nanosecond() != 263e6 {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestParseDateRejectsGarbage(t *testing.T) {
	for _, s := range []string{"", "yesterday", "2016-13-01T00:00:00Z", "2016-06-01T12:27:19+2", "12:27"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
}

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

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2016-06-01T12:27:19.000+0200", "2016-06-01T10:27:19Z", "2016-06-01T12:27:19+02:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		// Whatever parses must survive a write and a read at the same instant
		// (to the millisecond, the precision of the documented form).
		back, err := ParseDate(FormatDate(d))
		if err != nil {
			t.Fatalf("FormatDate(%v) = %q does not parse: %v", d, FormatDate(d), err)
		}
		if !back.Equal(d.Truncate(time.Millisecond)) && d.Year() >= 0 && d.Year() <= 9999 {
			t.Fatalf("%q: %v != %v", s, back, d)
		}
	})
}
