package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/isodate"
	"github.com/itcare-cli/itcare/internal/output"
	"github.com/itcare-cli/itcare/internal/watch"
)

// metricsOptions are the argument and flags of `instances metrics`.
type metricsOptions struct {
	Arg        string // the instance, by id or name
	Graph      string
	Since      time.Duration
	SinceGiven bool // --since was on the command line
	Start, End string
	Points     int
	Watch      bool          // --watch
	Interval   time.Duration // of --watch
}

// window is the period to chart: --start/--end, else the --since before
// --end (or now).
func (o *metricsOptions) window(now time.Time) (start, end time.Time, err error) {
	end = now.Truncate(time.Second)
	if o.End != "" {
		if end, err = isodate.Parse(o.End); err != nil {
			return start, end, usageErrorf("invalid --end %q: want a date such as 2026-06-01T12:00:00Z", o.End)
		}
	}
	start = end.Add(-o.Since)
	if o.Start != "" {
		if start, err = isodate.Parse(o.Start); err != nil {
			return start, end, usageErrorf("invalid --start %q: want a date such as 2026-06-01T06:00:00Z", o.Start)
		}
	}
	if !end.After(start) {
		return start, end, usageErrorf("the period is empty: --end must be after --start")
	}
	return start, end, nil
}

func (o *metricsOptions) validate() error {
	if o.SinceGiven && o.Start != "" {
		return usageErrorf("--since and --start cannot be used together")
	}
	if o.Since <= 0 {
		return usageErrorf("invalid --since %s: must be positive", o.Since)
	}
	if o.Points < 2 || o.Points > api.MaxChartRequestPoints {
		return usageErrorf("invalid --points %d: from 2 to %d", o.Points, api.MaxChartRequestPoints)
	}
	_, _, err := o.window(time.Now())
	return err
}

func newInstancesMetricsCmd(f *Factory, s *familySpec) *cobra.Command {
	o := &metricsOptions{}
	var w watchFlag
	cmd := &cobra.Command{
		Use:   "metrics <instance>",
		Short: "Draw the CPU or memory use of an instance",
		Long: `Draws a monitoring graph of an instance as a line chart sized to the terminal,
with values, unit and local times on the axes. -o json, yaml or csv print the
series instead (csv: TIME,SERIES,VALUE,UNIT, one line per point).

--graph cpu and --graph memory pick the instance type's graph
(SYS_LNX_CPU_USAGE, SYS_LNX_MEMORY_USAGE, SYS_WIN_CPU_USAGE,
SYS_WIN_PHYSICAL_MEMORY); any other value is sent as the graph name.
The period is the last --since (default 6h), or --start to --end (dates such
as 2026-06-01T06:00:00Z; --end defaults to now).

` + inferredNote + `

With --watch[=INTERVAL] the chart is redrawn every 5 s (or INTERVAL) until
Ctrl-C, over a period that slides with the time; piped or with -o json, each
refresh is one JSON line.`,
		Example: `  itcare instances metrics pdeb12web01
  itcare instances metrics pdeb12web01 --graph memory --since 24h
  itcare instances metrics pdeb12web01 --start 2026-06-01T06:00:00Z --end 2026-06-01T12:00:00Z -o csv
  itcare instances metrics pdeb12web01 --since 1h --watch=10s`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Interval, o.Watch, err = w.interval(cmd); err != nil {
				return err
			}
			o.Arg, o.SinceGiven = args[0], cmd.Flags().Changed("since")
			return s.runMetrics(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Graph, "graph", "cpu", "cpu, memory, or a graph name such as SYS_LNX_CPU_USAGE")
	fl.DurationVar(&o.Since, "since", 6*time.Hour, "chart this last period, e.g. 1h, 24h")
	fl.StringVar(&o.Start, "start", "", "start of the period (a date, e.g. 2026-06-01T06:00:00Z)")
	fl.StringVar(&o.End, "end", "", "end of the period (a date; default now)")
	fl.IntVar(&o.Points, "points", 120, "number of points to ask for")
	w.register(cmd)
	return cmd
}

// runMetrics checks the options (usage errors before anything is sent),
// finds the instance and its graph, then draws the chart once or, with
// --watch, until interrupted.
func (s *familySpec) runMetrics(ctx context.Context, f *Factory, o *metricsOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	ss, err := f.Session(nil)
	if err != nil {
		return err
	}
	if o.Watch {
		if err := checkWatchFormat(ss.P); err != nil {
			return err
		}
	}
	f.IO.StartProgress(" finding " + o.Arg)
	m, err := api.MonitoredInstance(ctx, s.client(ss.C), ss.C.Family(family.Resources), o.Arg)
	f.IO.StopProgress()
	if err != nil {
		return err
	}
	graph, err := api.GraphName(o.Graph, m.Type)
	if err != nil {
		return &UsageError{Err: err}
	}
	fetch := func(ctx context.Context, now time.Time) (output.Chart, error) {
		start, end, _ := o.window(now)
		ch, err := ss.C.Chart(ctx, api.ChartQuery{ResourceID: m.ResourceID, Graph: graph, Start: start, End: end, Points: o.Points})
		if err != nil {
			return output.Chart{}, err
		}
		return chartView(m, ch, start, end), nil
	}
	if !o.Watch {
		f.IO.StartProgress(" fetching " + graph)
		c, err := fetch(ctx, time.Now())
		f.IO.StopProgress()
		if err != nil {
			return err
		}
		return ss.P.PrintChart(c)
	}
	view := ss.P.NewChartWatch(fmt.Sprintf("itcare instances metrics %s --graph %s", m.Name, graph), o.Interval)
	defer view.Close()
	return watch.Every(ctx, f.watchOptions(o.Interval), func(ctx context.Context, at, next time.Time) error {
		c, err := fetch(ctx, at)
		if err != nil {
			return err
		}
		return view.Update(c, at, next)
	}, view.Error)
}

// chartView is the chart as output draws it.
func chartView(m *api.Monitored, ch *api.Chart, start, end time.Time) output.Chart {
	c := output.Chart{Title: m.Name, Graph: ch.Graph, Unit: ch.Unit, Start: start, End: end, Series: []output.ChartSeries{}}
	for _, s := range ch.Series {
		cs := output.ChartSeries{Name: s.Name, Unit: s.Unit, Points: make([]output.ChartPoint, len(s.Points))}
		for i, p := range s.Points {
			cs.Points[i] = output.ChartPoint{Time: p.Time, Value: p.Value}
		}
		c.Series = append(c.Series, cs)
	}
	return c
}
