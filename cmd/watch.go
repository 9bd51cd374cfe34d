package cmd

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/output"
	"github.com/itcare-cli/itcare/internal/watch"
)

// watchFlag is --watch[=INTERVAL] of list, get and actions list.
type watchFlag struct {
	value string
}

const watchHelp = `With --watch the command polls again every 5 s (or --watch=INTERVAL, at
least 1s; write it with "=") until Ctrl-C, which ends it with exit status 0.
On a terminal the table is redrawn in place, with the time of the last and
next refresh, and rows added (+) or changed (~) by the last refresh marked.
Piped, or with -o json, each change is printed as one JSON line:
{"event":"added|changed|removed","at":"...","item":{...}} (every item is
"added" at first; nothing is printed for unchanged items). A failed refresh
(API unavailable, connection lost) is reported on stderr and retried; an
authentication failure ends the watch (exit 4).`

func (w *watchFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&w.value, "watch", "", "refresh every INTERVAL (default 5s) until Ctrl-C: redrawn on a terminal, JSON lines of changes otherwise")
	cmd.Flags().Lookup("watch").NoOptDefVal = watch.DefaultInterval.String()
}

// interval is the watch interval; on is false without --watch.
func (w *watchFlag) interval(cmd *cobra.Command) (d time.Duration, on bool, err error) {
	if !cmd.Flags().Changed("watch") {
		return 0, false, nil
	}
	d, err = watch.ParseInterval(w.value)
	if err != nil {
		return 0, false, &UsageError{Err: err}
	}
	return d, true, nil
}

// checkWatchFormat refuses the output formats a watch cannot follow.
func checkWatchFormat(p *output.Printer) error {
	switch p.Opts.Format.Kind {
	case output.YAML, output.Template, output.CSV:
		return usageErrorf("--watch prints a table on a terminal and JSON lines otherwise; -o %s cannot follow changes (use -o json)", p.Opts.Format.Kind)
	}
	return nil
}

// runWatch polls fetch every interval and shows the changes until Ctrl-C
// (exit 0), an error that retrying cannot fix, or f.WatchPolls polls.
func runWatch(ctx context.Context, f *Factory, p *output.Printer, title string, cols []output.Column, interval time.Duration,
	fetch func(context.Context) (any, error)) error {
	if err := checkWatchFormat(p); err != nil {
		return err
	}
	view := p.NewWatchView(title, cols, interval)
	defer view.Close()
	return watch.Run(ctx, func(ctx context.Context) ([]watch.Item, error) {
		v, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		return watch.ItemsOf(v)
	}, f.watchOptions(interval), view)
}

// watchOptions polls every interval, retrying what may pass, and stops
// after f.WatchPolls polls when set (tests).
func (f *Factory) watchOptions(interval time.Duration) watch.Options {
	opts := watch.Options{Interval: interval, Retry: api.Retryable}
	if f.WatchPolls > 0 {
		opts.Stop = func(n int) bool { return n >= f.WatchPolls }
	}
	return opts
}

// watchList is `<family> list --watch`: the list (every page with --all)
// fetched each interval.
func (s *familySpec) watchList(ctx context.Context, f *Factory, ss *Session, q url.Values, page api.PageOptions, interval time.Duration) error {
	fam := s.client(ss.C)
	return runWatch(ctx, f, ss.P, "itcare "+s.Name+" list", s.Columns, interval, func(ctx context.Context) (any, error) {
		res, err := fam.List(ctx, q, page)
		if err != nil {
			return nil, err
		}
		return res.Content, nil
	})
}

// watchGet is `<family> get --watch`: one resource fetched each interval,
// shown as a one-row table; once seen, its disappearance (404) is reported
// as removed and the watch goes on.
func (s *familySpec) watchGet(ctx context.Context, f *Factory, t *target, interval time.Duration) error {
	seen := false
	return runWatch(ctx, f, t.P, fmt.Sprintf("itcare %s get %d", s.Name, t.id), s.GetColumns, interval, func(ctx context.Context) (any, error) {
		obj, err := t.fam.Get(ctx, t.id)
		if seen && api.IsNotFound(err) {
			return []any{}, nil
		}
		if err != nil {
			return nil, err
		}
		seen = true
		return []any{obj}, nil
	})
}
