// Package isodate is the one reader and writer of the API's ISO-8601 dates,
// used by the API client's models and by the output layer alike.
package isodate

import (
	"fmt"
	"strings"
	"time"
)

// Layout is the form the ITCare documentation gives for dates:
// milliseconds and a numeric zone without a colon (2016-06-01T12:27:19.000+0200).
const Layout = "2006-01-02T15:04:05.000-0700"

// layouts are every form the API is known to write: the documented +0200
// form, the UTC "Z" form of generated samples, and the RFC 3339 +02:00 form,
// each with or without fractional seconds.
var layouts = []string{
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04:05-0700",
	time.RFC3339Nano, // covers Z and +02:00, with or without fraction
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// Parse reads any ISO-8601 form the API uses. A date without a zone is read as UTC.
func Parse(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty date")
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date %q: want ISO-8601 such as 2016-06-01T12:27:19.000+0200", s)
}

// Format writes t in the documented API form, keeping its zone offset.
func Format(t time.Time) string { return t.Format(Layout) }
