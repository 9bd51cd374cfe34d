package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DateLayout is the form the ITCare documentation gives for dates:
// milliseconds and a numeric zone without a colon (2016-06-01T12:27:19.000+0200).
const DateLayout = "2006-01-02T15:04:05.000-0700"

// dateLayouts are every form the API is known to write (itcare-api.md §3):
// the documented +0200 form, the UTC "Z" form of generated samples, and the
// RFC 3339 +02:00 form, each with or without fractional seconds.
var dateLayouts = []string{
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04:05-0700",
	time.RFC3339Nano, // covers Z and +02:00, with or without fraction
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// ParseDate reads any ISO-8601 form the API uses. A date without a zone is read as UTC.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty date")
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date %q: want ISO-8601 such as 2016-06-01T12:27:19.000+0200", s)
}

// FormatDate writes t in the documented API form, keeping its zone offset.
func FormatDate(t time.Time) string { return t.Format(DateLayout) }

// Date is a point in time that reads and writes the API's ISO-8601 forms.
// The zero Date marshals as null.
type Date struct{ time.Time }

// MarshalJSON writes the documented form, or null for the zero value.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(FormatDate(d.Time))
}

// UnmarshalJSON accepts null, "" and every known ISO-8601 form.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		d.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: %w", err)
	}
	if s == "" {
		d.Time = time.Time{}
		return nil
	}
	t, err := ParseDate(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// String returns the documented form.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return FormatDate(d.Time)
}
