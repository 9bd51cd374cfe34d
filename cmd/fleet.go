package cmd

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/fleet"
	"github.com/itcare-cli/itcare/internal/output"
)

// changeSpec is one change command of a family, run on one target or many
// by the fleet engine.
type changeSpec struct {
	Op          string     // "stop"
	Done        string     // "stopped", for the summary line
	Rule        fleet.Rule // status required, status it leads to
	Destructive bool       // confirm even a single target
	Send        func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error)
	// Kind and Plural name the targets when they are not the family's
	// resources (the nodes of a cluster).
	Kind, Plural string
	// Resolve, when set, replaces the family's resolution of args.
	Resolve func(ctx context.Context, fam *api.Family, args []string) ([]fleet.Target, []fleet.Problem, error)
}

func (ch *changeSpec) defaults(s *familySpec) {
	if ch.Kind == "" {
		ch.Kind, ch.Plural = s.Noun.Singular, s.Noun.Plural
	}
	if ch.Done == "" {
		ch.Done = pastTense(ch.Op)
	}
}

// pastTense is the word of the summary line for a success: "12 stopped".
func pastTense(op string) string {
	switch {
	case op == "reset":
		return op
	case strings.HasSuffix(op, "e"):
		return op + "d"
	case strings.HasSuffix(op, "op"):
		return op + "ped"
	case strings.Contains(op, "_") || strings.Contains(op, "-"):
		return "done"
	}
	return op + "ed"
}

// operationRule is what the table says an operation requires and leads to.
func operationRule(op family.Operation) fleet.Rule {
	r := fleet.Rule{Leads: op.After}
	if op.Requires != "" {
		r.Requires = []string{op.Requires}
	}
	return r
}

// deleteRule is what the table says a deletion requires.
func deleteRule(d *family.Delete) fleet.Rule {
	if d.Requires == "" {
		return fleet.Rule{}
	}
	return fleet.Rule{Requires: []string{d.Requires}}
}

// fleetHelp is the part of the help every change command shares.
func fleetHelp(singular string) string {
	return fmt.Sprintf(`

Targets are %[1]s ids or names, several at once, or a selection by the list
filters (every page): not both, and not neither. Names are looked up together
in one list request. A target already in the state the change leads to is
skipped; one whose status does not allow the change is not sent.

With more than one target, or a selection, the plan is shown first and, on a
terminal, confirmed (elsewhere --yes is required). Changes run --max-parallel at
a time; a live board shows each target (plain lines when stderr is not a
terminal), then one summary line. With --no-wait the action ids are printed
and nothing is waited on; with --dry-run the API validates each change and
nothing changes. -o json|yaml prints one result per target (docs/results.md);
the exit code is that of the most severe outcome (docs/exit-codes.md).`, singular)
}

// fleetFlags are the flags of every change command.
type fleetFlags struct {
	waitFlags
	MaxParallel int
	FailFast    bool
	filters     []family.Filter // the selection flags
	values      [][]string
}

func (s *familySpec) registerFleet(cmd *cobra.Command, fl *fleetFlags, selectors bool) {
	fl.register(cmd)
	fl.registerYes(cmd)
	cmd.Flags().IntVar(&fl.MaxParallel, "max-parallel", fleet.DefaultMaxParallel, "at most this many changes in progress, and requests in flight, at a time")
	cmd.Flags().BoolVar(&fl.FailFast, "fail-fast", false, "after the first failure send nothing more (changes in progress are still waited for)")
	if !selectors {
		return
	}
	fl.filters = s.flagFilters()
	fl.values = make([][]string, len(fl.filters))
	for i, fs := range fl.filters {
		cmd.Flags().StringSliceVar(&fl.values[i], fs.Flag, nil, "select by "+fs.Usage+" (repeatable)")
	}
}

// resultColumns are the table columns of the results of a change.
var resultColumns = []output.Column{
	{Header: "ID", Path: "id"},
	{Header: "NAME", Path: "name"},
	{Header: "OUTCOME", Path: "outcome"},
	{Header: "ACTION", Path: "actionId"},
	{Header: "MESSAGE", Path: "message"},
	{Header: "OPERATION", Path: "operation", Wide: true},
}

// maxParallelLimit bounds --max-parallel.
const maxParallelLimit = 200

// runFleet resolves args (ids or names) or the selector flags into
// targets, shows the plan and asks for confirmation when there is more than
// one, then runs the change on each and reports one result per target.
func (s *familySpec) runFleet(ctx context.Context, f *Factory, fl *fleetFlags, args []string, ch changeSpec) error {
	ch.defaults(s)
	if err := fl.validate(); err != nil {
		return err
	}
	if fl.MaxParallel < 1 || fl.MaxParallel > maxParallelLimit {
		return usageErrorf("invalid --max-parallel %d: from 1 to %d", fl.MaxParallel, maxParallelLimit)
	}
	q := url.Values{}
	for i, vals := range fl.values {
		if err := (api.Filter{Param: fl.filters[i].Param, Kind: fl.filters[i].Kind}).Add(q, vals); err != nil {
			return &UsageError{Err: err}
		}
	}
	selector := len(q) > 0
	switch {
	case selector && len(args) > 0:
		return usageErrorf("give %s ids or names, or selection flags, not both", ch.Kind)
	case !selector && len(args) == 0 && len(fl.filters) > 0:
		return usageErrorf("missing <id|name>: which %s to %s? Name them (ids or names), or select them with filters such as %s",
			ch.Plural, ch.Op, cmp.Or(exampleSelector(fl.filters, ch.Rule.First()), "--"+fl.filters[0].Flag))
	case !selector && len(args) == 0:
		return usageErrorf("missing <id|name>: which %s to %s?", ch.Plural, ch.Op)
	}
	many := selector || len(args) > 1
	// Off a terminal nothing is asked: refuse before anything is sent.
	if (many || ch.Destructive) && !fl.Yes && !f.IO.CanPrompt() && !f.DryRun() {
		what := ch.Op
		if many {
			what += " several " + ch.Plural
		}
		return usageErrorf("refusing to %s without confirmation: pass --yes", what)
	}
	// -o columns= picks among the results' columns, which only a change on
	// many targets prints; one target prints no table.
	cols := resultColumns
	if !many {
		cols = nil
	}
	ss, err := f.Session(cols)
	if err != nil {
		return err
	}
	fam := s.client(ss.C)

	f.IO.StartProgress(" finding the " + ch.Plural)
	var targets []fleet.Target
	var problems []fleet.Problem
	switch {
	case ch.Resolve != nil:
		targets, problems, err = ch.Resolve(ctx, fam, args)
	case selector:
		targets, err = fleet.Select(ctx, fam, q, fl.MaxParallel)
	default:
		targets, problems, err = fleet.Resolve(ctx, fam, ch.Kind, fam.NameParam, args, fl.MaxParallel)
	}
	f.IO.StopProgress()
	if err != nil {
		return err
	}
	if !many && len(problems) == 1 {
		return problems[0].Err
	}
	send, settled := fleet.Plan(ch.Op, ch.Rule, targets)
	if many {
		output.PrintPlan(f.IO, fleet.PlanView(ch.Op, ch.Plural, send, settled, problems))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d of the %s named did not resolve; nothing was sent", len(problems), ch.Plural)
	}
	if len(send) > 0 && !fl.Yes && !f.DryRun() && (many || ch.Destructive) {
		question := fmt.Sprintf("%s %d %s?", capitalize(ch.Op), len(send), ch.Plural)
		if !many {
			question = capitalize(ch.Op) + " " + fleet.Describe(ch.Kind, send[0]) + "?"
		}
		if ch.Destructive {
			question += " This cannot be undone."
		}
		ok, err := output.Confirm(f.IO, question)
		if err != nil {
			return err
		}
		if !ok {
			return errCancelled
		}
	}

	start := time.Now()
	rows := make([]output.BoardRow, len(send))
	for i, t := range send {
		rows[i] = fleet.State{Target: t, Phase: "QUEUED"}.Row()
	}
	board := output.NewBoard(f.IO, rows)
	if len(send) > 0 {
		board.Start()
	}
	op := fleet.Op{Name: ch.Op, Rule: ch.Rule, Send: func(ctx context.Context, t fleet.Target) (*api.Accepted, error) {
		return ch.Send(ctx, fam, t.ID)
	}}
	ran := fleet.Run(ctx, ss.C, op, send, fleet.Options{
		MaxParallel: fl.MaxParallel, NoWait: fl.NoWait, DryRun: ss.C.DryRun(), FailFast: fl.FailFast,
		Wait:    f.waitOptions(fl.Timeout, 0),
		Stops:   func(err error) bool { return ExitCode(err) == ExitAuth },
		OnState: func(i int, st fleet.State) { board.Update(i, st.Row()) },
	})
	board.Stop()
	results := orderResults(targets, settled, ran)
	output.PrintSummary(f.IO, fleet.Summary(results, ch.Done), time.Since(start))
	if err := fleet.PrintResults(ss.P, resultColumns, fleet.Report{Op: ch.Op, Kind: ch.Kind, Many: many}, results); err != nil {
		return err
	}
	return fleetExit(f, results, many)
}

// orderResults puts the settled and sent results back in target order.
func orderResults(targets []fleet.Target, parts ...[]fleet.Result) []fleet.Result {
	byID := map[int64]fleet.Result{}
	for _, p := range parts {
		for _, r := range p {
			byID[r.ID] = r
		}
	}
	out := make([]fleet.Result, 0, len(targets))
	for _, t := range targets {
		if r, ok := byID[t.ID]; ok {
			out = append(out, r)
		}
	}
	return out
}

// fleetExit is the exit of a change: for one target its error (printed by
// the caller with its hint), for several the most severe outcome's code,
// the outcomes having been shown already.
func fleetExit(f *Factory, results []fleet.Result, many bool) error {
	if !many {
		for _, r := range results {
			if r.Err != nil {
				return r.Err
			}
		}
		return nil
	}
	code := ExitOK
	var intr bool
	for _, r := range results {
		if r.Err != nil {
			c := ExitCode(r.Err)
			code = worseExit(code, c)
			intr = intr || c == ExitInterrupted
		}
	}
	fleet.PrintRunning(f.IO, results, intr)
	if code == ExitOK {
		return nil
	}
	return &SilentError{Code: code}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
