package cmd

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/isodate"
	"github.com/itcare-cli/itcare/internal/output"
)

var changeColumns = []output.Column{
	{Header: "ID", Path: "id"},
	{Header: "TYPE", Path: "maintenanceType"},
	{Header: "STATUS", Path: "status"},
	{Header: "START", Path: "start", Kind: output.Date},
	{Header: "END", Path: "end", Kind: output.Date},
	{Header: "ENV", Path: "environments", Kind: output.List},
	{Header: "GROUP", Path: "patchGroup"},
	{Header: "TITLE", Path: "title"},
	{Header: "REGION", Path: "region", Wide: true},
	{Header: "RESOURCES", Path: "impactedResources", Wide: true},
}

func newChangesCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "changes <command>",
		Aliases: []string{"change"},
		Short:   "The change calendar: patch parties and maintenance windows",
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newChangesListCmd(f))
	return cmd
}

// changesListOptions are the flags of `changes list`.
type changesListOptions struct {
	Since, Until string // dates, or durations back (--since) and ahead (--until) of now
	Filter       api.ChangeFilter
}

func newChangesListCmd(f *Factory) *cobra.Command {
	opts := &changesListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the changes of a period, earliest first",
		Long: `Lists the planned, running and past changes (patch parties, maintenance
windows) that overlap a period: by default from 7 days ago to 60 days ahead.
--since and --until take a date (2026-06-01 or 2026-06-01T12:00:00Z) or a
duration counted from now, back for --since and ahead for --until (30m, 12h, 7d).

` + inferredNote,
		Example: `  itcare changes list
  itcare changes list --type PATCH_PARTY --env PRODUCTION --until 30d
  itcare changes list --since 2026-06-01 --until 2026-07-01 -o json`,
		Aliases: []string{"ls"},
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return runChangesList(cmd.Context(), f, opts) },
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Since, "since", "7d", "start of the period: a date, or a duration back from now")
	fl.StringVar(&opts.Until, "until", "60d", "end of the period: a date, or a duration ahead of now")
	fl.StringSliceVar(&opts.Filter.Types, "type", nil, "change type, e.g. PATCH_PARTY (repeatable)")
	fl.StringSliceVar(&opts.Filter.Environments, "env", nil, "environment, e.g. PRODUCTION (repeatable)")
	return cmd
}

// runChangesList checks the period (usage errors before anything is sent),
// then lists the changes that overlap it.
func runChangesList(ctx context.Context, f *Factory, opts *changesListOptions) error {
	now, filter := time.Now(), opts.Filter
	var err error
	if filter.Start, err = parseWhen("since", opts.Since, now, -1); err != nil {
		return err
	}
	if filter.End, err = parseWhen("until", opts.Until, now, 1); err != nil {
		return err
	}
	if !filter.End.After(filter.Start) {
		return usageErrorf("the period is empty: --until must be after --since")
	}
	ss, err := f.Session(changeColumns)
	if err != nil {
		return err
	}
	f.IO.StartProgress(" fetching changes")
	changes, err := ss.C.Changes(ctx, filter)
	f.IO.StopProgress()
	if err != nil {
		return err
	}
	return ss.P.PrintList(changes, changeColumns, "changes")
}

// parseWhen reads --since or --until: a date (API forms, or 2006-01-02),
// or a duration from now (Go durations, and N d for days), counted in the
// direction sign (-1: back, 1: ahead).
func parseWhen(flag, s string, now time.Time, sign int) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := isodate.Parse(s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 3660 {
			return time.Time{}, usageErrorf("invalid --%s %q: want a date or a duration such as 12h or 7d", flag, s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil || d < 0 {
			return time.Time{}, usageErrorf("invalid --%s %q: want a date or a duration such as 12h or 7d", flag, s)
		}
	}
	return now.Add(time.Duration(sign) * d), nil
}

// newResourcesHistoryCmd is `itcare resources history NAME|ID`.
func newResourcesHistoryCmd(f *Factory, s *familySpec) *cobra.Command {
	return &cobra.Command{
		Use:   "history <id|name>",
		Short: "Show the actions of one resource, newest first",
		Long: `Shows the actions run on one resource (any family), newest first, with the
columns of 'itcare actions list'. The resource is an id or a name of
'itcare resources list'.

` + inferredNote,
		Example: `  itcare resources history pdeb12web01
  itcare resources history 20001 -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return s.runHistory(cmd.Context(), f, args[0]) },
	}
}

// runHistory prints the actions of the resource arg names.
func (s *familySpec) runHistory(ctx context.Context, f *Factory, arg string) error {
	t, err := s.resolve(ctx, f, arg, actionColumns)
	if err != nil {
		return err
	}
	items, err := t.C.ResourceHistory(ctx, t.id)
	if err != nil {
		return err
	}
	return t.P.PrintList(items, actionColumns, "actions")
}
