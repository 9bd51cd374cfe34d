package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/itcare-cli/itcare/internal/isodate"
)

// Date is a point in time that reads and writes the API's ISO-8601 forms.
// The zero Date marshals as null.
type Date struct{ time.Time }

// MarshalJSON writes the documented form, or null for the zero value.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(isodate.Format(d.Time))
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
	t, err := isodate.Parse(s)
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
	return isodate.Format(d.Time)
}
