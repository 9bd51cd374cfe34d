package output

import "encoding/csv"

// writeCSV writes a table as CSV (RFC 4180): the header line unless
// --no-header, then one record per row. Cells are the piped forms (dates
// RFC 3339 in UTC, nothing cut, missing values empty), whatever stdout is.
func (p *Printer) writeCSV(t tableSpec) error {
	p.beforeData()
	w := csv.NewWriter(p.IO.Out)
	if t.header != nil {
		if err := w.Write(t.header); err != nil {
			return err
		}
	}
	if err := w.WriteAll(t.rows); err != nil {
		return err
	}
	return w.Error()
}
