package isodate

import (
	"testing"
	"time"
)

func TestParseDocumentedForms(t *testing.T) {
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
		got, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(%q): %v", s, err)
			continue
		}
		if !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParseKeepsMillis(t *testing.T) {
	got, err := Parse("2025-07-06T11:01:21.263Z")
	if err != nil || got.Nanosecond() != 263e6 {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, s := range []string{"", "yesterday", "2016-13-01T00:00:00Z", "2016-06-01T12:27:19+2", "12:27"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2016-06-01T12:27:19.000+0200", "2016-06-01T10:27:19Z", "2016-06-01T12:27:19+02:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		// Whatever parses must survive a write and a read at the same instant
		// (to the millisecond, the precision of the documented form).
		back, err := Parse(Format(d))
		if err != nil {
			t.Fatalf("Format(%v) = %q does not parse: %v", d, Format(d), err)
		}
		if !back.Equal(d.Truncate(time.Millisecond)) && d.Year() >= 0 && d.Year() <= 9999 {
			t.Fatalf("%q: %v != %v", s, back, d)
		}
	})
}
