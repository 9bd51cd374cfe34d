package output

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/guptarohit/asciigraph"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// Chart is a set of time series to draw or print (monitoring metrics).
type Chart struct {
	Title  string        `json:"title,omitempty"` // e.g. the resource's name
	Graph  string        `json:"graph"`           // e.g. SYS_LNX_CPU_USAGE
	Unit   string        `json:"unit,omitempty"`  // e.g. "%"
	Start  time.Time     `json:"start"`
	End    time.Time     `json:"end"`
	Series []ChartSeries `json:"series"`
}

// ChartSeries is one named series of a chart.
type ChartSeries struct {
	Name   string       `json:"name"`
	Unit   string       `json:"unit,omitempty"`
	Points []ChartPoint `json:"points"`
}

// ChartPoint is one value at one time.
type ChartPoint struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// chartPointColumns are the columns of -o csv (and table formats of the
// points, when a chart cannot be drawn).
var chartPointColumns = []Column{
	{Header: "TIME", Path: "time", Kind: Date},
	{Header: "SERIES", Path: "series"},
	{Header: "VALUE", Path: "value"},
	{Header: "UNIT", Path: "unit"},
}

// PrintChart prints a chart: drawn on a terminal with a table format (and
// as a table format when piped), as data with json, yaml, template and
// --jq, and one line per point (TIME,SERIES,VALUE,UNIT) with -o csv.
func (p *Printer) PrintChart(c Chart) error {
	if c.Series == nil {
		c.Series = []ChartSeries{}
	}
	if p.Opts.Format.Kind == CSV {
		rows := []map[string]any{}
		for _, s := range c.Series {
			unit := s.Unit
			if unit == "" {
				unit = c.Unit
			}
			for _, pt := range s.Points {
				rows = append(rows, map[string]any{"time": pt.Time.UTC().Format(time.RFC3339), "series": s.Name,
					"value": strconv.FormatFloat(pt.Value, 'f', -1, 64), "unit": unit})
			}
		}
		return p.PrintList(rows, chartPointColumns, "points")
	}
	v, err := toGeneric(c)
	if err != nil {
		return err
	}
	if handled, err := p.printData(v); handled {
		return err
	}
	p.beforeData()
	return RenderChart(p.IO.Out, c, p.IO.TerminalWidth(), p.IO.TerminalHeight(), p.IO.ColorEnabled())
}

// ChartWatch shows a chart refreshed by a watch: redrawn in place under a
// status line on a terminal with a table format; otherwise one compact JSON
// object per refresh (with --jq, the expression's results).
type ChartWatch struct {
	p        *Printer
	title    string
	interval time.Duration
	liveScreen
}

// NewChartWatch prepares the view of a chart refreshed every interval.
func (p *Printer) NewChartWatch(title string, interval time.Duration) *ChartWatch {
	return &ChartWatch{p: p, title: title, interval: interval, liveScreen: newLiveScreen(p)}
}

// Update shows the chart of the poll made at at.
func (w *ChartWatch) Update(c Chart, at, next time.Time) error {
	if c.Series == nil {
		c.Series = []ChartSeries{}
	}
	if !w.live {
		if w.p.Opts.JQ != "" {
			v, err := toGeneric(c)
			if err != nil {
				return err
			}
			return w.p.printJQ(v)
		}
		return encodeJSON(w.p.IO.Out, c, false)
	}
	ios := w.p.IO
	ios.UpdateSize()
	var buf strings.Builder
	if err := RenderChart(&buf, c, ios.TerminalWidth(), ios.TerminalHeight()-2, ios.ColorEnabled()); err != nil {
		return err
	}
	lines := append([]string{statusLine(ios, w.title, w.interval, at, next), ""}, strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")...)
	return w.draw(lines)
}

// chartLayout is what a chart of a given terminal size looks like.
type chartLayout struct {
	plotWidth, height int
	yFormat           func(float64) string
	timeLayout        string
	ticks             int
}

// layoutChart fits a chart in width columns and height lines: the y labels
// (values with the unit) on the left, one column per sample, the time labels
// under the x axis, a caption and, for several series, a legend.
func layoutChart(c Chart, lo, hi float64, width, height int) chartLayout {
	l := chartLayout{yFormat: valueFormatter(lo, hi, c.Unit), timeLayout: "15:04"}
	if c.End.Sub(c.Start) > 24*time.Hour {
		l.timeLayout = "01-02 15:04"
	}
	labelW := max(len(l.yFormat(lo)), len(l.yFormat(hi)), len(l.yFormat((lo+hi)/2)))
	timeW := len(l.timeLayout)
	// 3 = asciigraph's offset (label gap and axis); the last time label is
	// centred on the last column and overhangs by half its width.
	l.plotWidth = max(width-3-labelW-(timeW-timeW/2)-1, 10)
	extra := 5 // axis, time labels, caption, blank line, prompt
	if len(c.Series) > 1 {
		extra += 2
	}
	l.height = min(max(height-extra-1, 4), 20)
	l.ticks = niceTicks(c.End.Sub(c.Start), min(max(l.plotWidth/(timeW+8), 2), 10))
	return l
}

// niceTicks is the largest number of time labels, at most most, whose
// spacing is a whole number of 5 minutes (so labels read 06:00, 06:40...);
// most when there is none.
func niceTicks(span time.Duration, most int) int {
	for n := most; n > 2; n-- {
		if step := span / time.Duration(n-1); step*time.Duration(n-1) == span && step%(5*time.Minute) == 0 {
			return n
		}
	}
	return most
}

// valueFormatter writes values with as many decimals as the range needs,
// and the unit.
func valueFormatter(lo, hi float64, unit string) func(float64) string {
	span := math.Max(math.Abs(hi), math.Abs(lo))
	decimals := 2
	switch {
	case span >= 100:
		decimals = 0
	case span >= 10:
		decimals = 1
	}
	sep := " "
	if unit == "%" || unit == "" {
		sep = ""
	}
	return func(v float64) string {
		if v == 0 {
			v = 0 // no "-0"
		}
		return strconv.FormatFloat(v, 'f', decimals, 64) + sep + unit
	}
}

// RenderChart draws c as a line chart, at most width columns wide and
// about height lines high, with the value axis (unit included), the time
// axis (local time) and a caption. The series are resampled on a regular
// time grid, one sample per column, so that the time axis is linear even
// when the API's points are not evenly spaced; between two points the value
// is interpolated, outside the points there is nothing.
func RenderChart(w io.Writer, c Chart, width, height int, color bool) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	start, end := c.Start, c.End
	for _, s := range c.Series {
		for _, p := range s.Points {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
				continue
			}
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
			if start.IsZero() || p.Time.Before(start) {
				start = p.Time
			}
			if end.IsZero() || p.Time.After(end) {
				end = p.Time
			}
		}
	}
	if math.IsInf(lo, 1) || !end.After(start) {
		_, err := fmt.Fprintf(w, "no data for %s between %s and %s\n", c.Graph,
			c.Start.In(time.Local).Format("2006-01-02 15:04"), c.End.In(time.Local).Format("2006-01-02 15:04"))
		return err
	}
	c.Start, c.End = start, end
	l := layoutChart(c, lo, hi, width, height)
	data := make([][]float64, 0, len(c.Series))
	var names []string
	for _, s := range c.Series {
		data = append(data, resample(s.Points, start, end, l.plotWidth))
		names = append(names, s.Name)
	}
	opts := []asciigraph.Option{
		asciigraph.Height(l.height),
		asciigraph.YAxisValueFormatter(l.yFormat),
		asciigraph.XAxisRange(float64(start.Unix()), float64(end.Unix())),
		asciigraph.XAxisTickCount(l.ticks),
		asciigraph.XAxisValueFormatter(func(v float64) string {
			return time.Unix(int64(math.Round(v)), 0).In(time.Local).Format(l.timeLayout)
		}),
	}
	if len(data) > 1 {
		opts = append(opts, asciigraph.SeriesLegends(names...))
	}
	if color {
		palette := []asciigraph.AnsiColor{asciigraph.Blue, asciigraph.Green, asciigraph.Yellow, asciigraph.Red, asciigraph.Magenta, asciigraph.Cyan}
		opts = append(opts, asciigraph.SeriesColors(palette[:min(len(data), len(palette))]...), asciigraph.AxisColor(asciigraph.Gray),
			asciigraph.LabelColor(asciigraph.Gray))
	}
	out := strings.TrimRight(asciigraph.PlotMany(data, opts...), "\n") + "\n"
	// The caption, centred under the plot, cut to the width.
	capt := truncateDisplay(caption(c), width-1)
	pad := max((width-1-twwidth.Width(capt))/2, 0)
	_, err := io.WriteString(w, out+strings.Repeat(" ", pad)+capt+"\n")
	return err
}

func caption(c Chart) string {
	parts := []string{}
	if c.Title != "" {
		parts = append(parts, c.Title)
	}
	g := c.Graph
	if c.Unit != "" {
		g += " (" + c.Unit + ")"
	}
	parts = append(parts, g)
	layout := "2006-01-02 15:04"
	from, to := c.Start.In(time.Local), c.End.In(time.Local)
	span := from.Format(layout) + " → " + to.Format("15:04")
	if from.YearDay() != to.YearDay() || from.Year() != to.Year() {
		span = from.Format(layout) + " → " + to.Format(layout)
	}
	zone, _ := from.Zone()
	return strings.Join(parts, " · ") + " · " + span + " " + zone
}

// resample gives n values of points at regular times from start to end:
// linear interpolation between the two points around each time, NaN where
// there is no point on one side.
func resample(points []ChartPoint, start, end time.Time, n int) []float64 {
	pts := make([]ChartPoint, 0, len(points))
	for _, p := range points {
		if !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
			pts = append(pts, p)
		}
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Time.Before(pts[j].Time) })
	out := make([]float64, n)
	step := end.Sub(start) / time.Duration(max(n-1, 1))
	j := 0
	for i := range out {
		t := start.Add(step * time.Duration(i))
		if i == n-1 {
			t = end
		}
		for j+1 < len(pts) && !pts[j+1].Time.After(t) {
			j++
		}
		switch {
		case len(pts) == 0 || t.Before(pts[0].Time) || t.After(pts[len(pts)-1].Time):
			out[i] = math.NaN()
		case pts[j].Time.Equal(t) || j+1 >= len(pts):
			out[i] = pts[j].Value
		default:
			a, b := pts[j], pts[j+1]
			f := float64(t.Sub(a.Time)) / float64(b.Time.Sub(a.Time))
			out[i] = a.Value + f*(b.Value-a.Value)
		}
	}
	return out
}
