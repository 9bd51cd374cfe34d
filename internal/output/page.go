package output

import "fmt"

// PageShown is one page of a list as fetched: its number, how many pages
// and items there are in all, and how many it holds.
type PageShown struct {
	Number, TotalPages, Total, Shown int
}

// PrintPageFooter says on stderr, when a table shows one page of several,
// how many items exist in all, on a terminal and piped alike (where one page
// through grep or wc -l is easily taken for the whole list). JSON, YAML,
// --jq and templates are read by programs that chose their page: silent.
func (p *Printer) PrintPageFooter(pg PageShown) {
	if pg.TotalPages <= 1 || pg.Total <= pg.Shown || !p.ForPeople() {
		return
	}
	fmt.Fprintf(p.IO.ErrOut, "showing page %d (pages 0-%d, %d of %d items); --page %d for the next one, --all for every page\n",
		pg.Number, pg.TotalPages-1, pg.Shown, pg.Total, pg.Number+1)
}
