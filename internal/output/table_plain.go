package output

import (
	"bufio"
	"io"
)

// writePlainTable writes what tablewriter writes for our borderless,
// left-aligned tables (each cell padded to its column's width plus the
// gap, trailing spaces cut), for the common case of cells of printable
// ASCII only, where a character is one column wide. A listing of thousands
// of rows then costs a few copies instead of tablewriter's per-cell width
// cache. It reports false, writing nothing, for anything else.
func writePlainTable(w io.Writer, header []string, rows [][]string) (bool, error) {
	ncol := len(header)
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	widths := make([]int, ncol)
	measure := func(r []string) bool {
		for i, c := range r {
			for j := 0; j < len(c); j++ {
				if c[j] < 0x20 || c[j] > 0x7e {
					return false
				}
			}
			widths[i] = max(widths[i], len(c))
		}
		return true
	}
	if !measure(header) {
		return false, nil
	}
	for _, r := range rows {
		if len(r) != ncol || !measure(r) {
			return false, nil
		}
	}
	if header != nil && len(header) != ncol {
		return false, nil
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	line := make([]byte, 0, 256)
	write := func(r []string) {
		line = line[:0]
		for i, c := range r {
			line = append(line, c...)
			if i < len(r)-1 {
				for n := len(c); n < widths[i]+columnGap; n++ {
					line = append(line, ' ')
				}
			}
		}
		for len(line) > 0 && line[len(line)-1] == ' ' {
			line = line[:len(line)-1]
		}
		line = append(line, '\n')
		bw.Write(line)
	}
	if header != nil {
		write(header)
	}
	for _, r := range rows {
		write(r)
	}
	return true, bw.Flush()
}
