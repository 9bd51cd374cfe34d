package cmd

import (
	"context"
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
		Long: `Lists the organisation's actions (GET /actions), filtered on the server by
resource, service, status and request. --since keeps the actions submitted in
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
			if err := filter.Validate(); err != nil {
				return &UsageError{Err: err}
			}
			if err := validateDurations(map[string]time.Duration{"since": since}); err != nil {
				return err
			}
			interval, watching, err := w.interval(cmd)
			if err != nil {
				return err
			}
			ss, err := f.Session(actionColumns)
			if err != nil {
				return err
			}
			feed := ss.C.Actions.Feed(filter, since)
			if watching {
				return runWatch(cmd.Context(), f, ss.P, "itcare actions list", actionColumns, interval,
					func(ctx context.Context) (any, error) { return feed.Next(ctx) })
			}
			f.IO.StartProgress(" fetching actions")
			actions, err := feed.Next(cmd.Context())
			f.IO.StopProgress()
			if err != nil {
				return err
			}
			return ss.P.PrintList(actions, actionColumns, "actions")
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

func parseActionIDs(args []string) ([]int64, error) {
	ids := make([]int64, 0, len(args))
	for _, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return nil, usageErrorf("invalid action id %q: want a positive number", a)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func newActionsGetCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "get <id>",
		Short:   "Show one action",
		Example: `  itcare actions get 5012 -o json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseActionIDs(args)
			if err != nil {
				return err
			}
			ss, err := f.Session(actionColumns)
			if err != nil {
				return err
			}
			a, err := ss.C.Actions.Get(cmd.Context(), ids[0])
			if err != nil {
				return err
			}
			return ss.P.PrintObject(a, actionColumns)
		},
	}
}

func newActionsWaitCmd(f *Factory) *cobra.Command {
	var timeout, interval time.Duration
	cmd := &cobra.Command{
		Use:   "wait <id>...",
		Short: "Wait until actions end in SUCCESS or ERROR",
		Long: `Polls one or many actions until each ends. Polling starts every 0.5 s and
backs off to every 5 s (or every --interval). On a terminal a spinner shows each
running action; otherwise one line is printed per status change, on stderr.

Exit status: 0 when all succeeded, 3 when any ended in ERROR, 5 when --timeout
passed (the actions go on; the command to resume is printed), 130 on Ctrl-C.`,
		Example: `  itcare actions wait 5012
  itcare actions wait 5012 5013 5014 --timeout 10m
  id=$(itcare instances start web01 --no-wait) && itcare actions wait "$id"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseActionIDs(args)
			if err != nil {
				return err
			}
			if err := validateDurations(map[string]time.Duration{"timeout": timeout, "interval": interval}); err != nil {
				return err
			}
			ss, err := f.Session(actionColumns)
			if err != nil {
				return err
			}
			actions, err := waitActions(cmd.Context(), f, ss.C, ids, timeout, interval)
			// Scripts get the final state of every action, failed ones included.
			if perr := reportActions(ss.P, actions); err == nil {
				err = perr
			}
			return err
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Minute, "give up after this long (exit 5); the actions go on")
	cmd.Flags().DurationVar(&interval, "interval", 0, "poll at this fixed interval instead of backing off from 0.5s to 5s")
	return cmd
}
