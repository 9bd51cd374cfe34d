package cmd

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
)

func newActionsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "actions <command>",
		Aliases: []string{"action"},
		Short:   "List, inspect and wait on asynchronous actions",
		Long: `Changes in ITCare run as asynchronous actions: the API answers 202 with an
action id, and the action goes from IN_PROGRESS to SUCCESS or ERROR.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newActionsListCmd(f), newActionsGetCmd(f), newActionsWaitCmd(f))
	return cmd
}

func newActionsListCmd(f *Factory) *cobra.Command {
	var (
		filter api.ActionFilter
		since  time.Duration
		w      watchFlag
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List actions, filtered by resource, service, status, request or age",
		Long: `Lists the organisation's actions, filtered on the server by resource,
service, status and request. --since keeps the actions submitted in
that last period; the API has no such filter, so it is applied here.

` + watchHelp + `

With --watch --status IN_PROGRESS it is an activity feed: actions appear as they
start, and when one finishes it is shown once more with its final status
(changed) before it leaves the list (removed).`,
		Example: `  itcare actions list --resource-name pdeb12web01
  itcare actions list --status IN_PROGRESS -o json
  itcare actions list --since 2h
  itcare actions list --watch --status IN_PROGRESS
  itcare actions list --resource-id 10042 --status SUCCESS --status ERROR`,
		Aliases: []string{"ls"},
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			interval, watching, err := w.interval(cmd)
			if err != nil {
				return err
			}
			return runActionsList(cmd.Context(), f, &actionsListOptions{Filter: filter, Since: since, Watch: watching, Interval: interval})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&filter.ResourceName, "resource-name", "", "name of the resource")
	fl.StringVar(&filter.ResourceID, "resource-id", "", "id of the resource")
	fl.StringVar(&filter.ServiceID, "service-id", "", "id of the service")
	fl.StringVar(&filter.RequestID, "request-id", "", "id of the request")
	fl.StringSliceVar(&filter.Statuses, "status", nil, "status: IN_PROGRESS, SUCCESS, ERROR (repeatable)")
	fl.DurationVar(&since, "since", 0, "only actions submitted in this last period, e.g. 2h, 30m")
	w.register(cmd)
	return cmd
}

// actionsListOptions are the flags of `actions list`.
type actionsListOptions struct {
	Filter   api.ActionFilter
	Since    time.Duration
	Watch    bool
	Interval time.Duration // of --watch
}

// runActionsList checks the filter, then lists the actions once or, with
// --watch, until interrupted.
func runActionsList(ctx context.Context, f *Factory, opts *actionsListOptions) error {
	if err := opts.Filter.Validate(); err != nil {
		return &UsageError{Err: err}
	}
	if err := validateDurations(map[string]time.Duration{"since": opts.Since}); err != nil {
		return err
	}
	ss, err := f.Session(actionColumns)
	if err != nil {
		return err
	}
	feed := ss.C.Actions.Feed(opts.Filter, opts.Since)
	if opts.Watch {
		return runWatch(ctx, f, ss.P, "itcare actions list", actionColumns, opts.Interval,
			func(ctx context.Context) (any, error) { return feed.Next(ctx) })
	}
	f.IO.StartProgress(" fetching actions")
	actions, err := feed.Next(ctx)
	f.IO.StopProgress()
	if err != nil {
		return err
	}
	return ss.P.PrintList(actions, actionColumns, "actions")
}

// parseActionIDs reads action ids, each once whatever the repeats.
func parseActionIDs(args []string) ([]int64, error) {
	ids := make([]int64, 0, len(args))
	for _, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return nil, usageErrorf("invalid action id %q: want a positive number", a)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func newActionsGetCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:         "get <id>",
		Short:       "Show one action",
		Example:     `  itcare actions get 50012 -o json`,
		Args:        cobra.ExactArgs(1),
		Annotations: map[string]string{questionAnnotation: "which action to show?"},
		RunE:        func(cmd *cobra.Command, args []string) error { return runActionsGet(cmd.Context(), f, args[0]) },
	}
}

// runActionsGet checks the id (a usage error before anything is sent) and
// prints the action.
func runActionsGet(ctx context.Context, f *Factory, arg string) error {
	ids, err := parseActionIDs([]string{arg})
	if err != nil {
		return err
	}
	ss, err := f.Session(actionColumns)
	if err != nil {
		return err
	}
	a, err := ss.C.Actions.Get(ctx, ids[0])
	if err != nil {
		return err
	}
	return ss.P.PrintObject(a, actionColumns)
}

// actionsWaitOptions are the arguments and flags of `actions wait`.
type actionsWaitOptions struct {
	Args     []string // action ids as typed
	Timeout  time.Duration
	Interval time.Duration
}

func newActionsWaitCmd(f *Factory) *cobra.Command {
	opts := &actionsWaitOptions{}
	cmd := &cobra.Command{
		Use:   "wait <id>...",
		Short: "Wait until actions end in SUCCESS or ERROR",
		Long: `Polls one or many actions until each ends. Polling starts every 0.5 s and
backs off to every 5 s (or every --interval). On a terminal a spinner shows each
running action; otherwise one line is printed per status change, on stderr.

Exit status: 0 when all succeeded, 3 when any ended in ERROR, 5 when --timeout
passed (the actions go on; the command to resume is printed), 130 on Ctrl-C.`,
		Example: `  itcare actions wait 50012
  itcare actions wait 50008 50009 50010 --timeout 10m
  id=$(itcare instances start pdeb12log02 --no-wait) && itcare actions wait "$id"`,
		Args:        cobra.MinimumNArgs(1),
		Annotations: map[string]string{questionAnnotation: "which action(s) to wait for?"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			return runActionsWait(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 30*time.Minute, "give up after this long (exit 5); the actions go on")
	cmd.Flags().DurationVar(&opts.Interval, "interval", 0, "poll at this fixed interval instead of backing off from 0.5s to 5s")
	return cmd
}

// runActionsWait checks the ids and durations, waits, and prints the final
// state of every action for scripts, failed ones included.
func runActionsWait(ctx context.Context, f *Factory, opts *actionsWaitOptions) error {
	ids, err := parseActionIDs(opts.Args)
	if err != nil {
		return err
	}
	if err := validateDurations(map[string]time.Duration{"timeout": opts.Timeout, "interval": opts.Interval}); err != nil {
		return err
	}
	ss, err := f.Session(actionColumns)
	if err != nil {
		return err
	}
	actions, err := waitActions(ctx, f, ss.C, ids, opts.Timeout, opts.Interval)
	if perr := ss.P.PrintFinalActions(finished(actions), actionColumns); err == nil {
		err = perr
	}
	return err
}
