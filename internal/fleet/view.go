package fleet

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/output"
)

// Row is what the live board shows of s.
func (s State) Row() output.BoardRow {
	return output.BoardRow{Name: s.Target.Label(), ActionID: s.ActionID, State: s.Phase, Message: s.Message, Started: s.Started, Done: s.Done}
}

// PlanView is the plan shown before anything is sent.
func PlanView(op, noun string, send []Target, settled []Result, problems []Problem) output.Plan {
	p := output.Plan{Operation: op, Noun: noun}
	for _, t := range send {
		p.Send = append(p.Send, t.Label())
	}
	for _, r := range settled {
		it := output.PlanItem{Name: Target{ID: r.ID, Name: r.Name}.Label(), Why: r.Message}
		if r.Outcome == Skipped {
			p.Skip = append(p.Skip, it)
		} else {
			p.Fail = append(p.Fail, it)
		}
	}
	for _, pr := range problems {
		why := pr.Err.Error()
		var re *api.ResolveError
		if errors.As(pr.Err, &re) && re.Ambiguous {
			why = fmt.Sprintf("matches %d %ss; use an id", len(re.Candidates), re.Kind)
		} else if errors.As(pr.Err, &re) {
			why = "no " + re.Kind + " of that name"
		}
		p.Unknown = append(p.Unknown, output.PlanItem{Name: fmt.Sprintf("%q", pr.Arg), Why: why})
	}
	return p
}

// Summary counts the outcomes for the last line: done is the word for a
// success ("stopped").
func Summary(results []Result, done string) []output.SummaryPart {
	n := map[Outcome]int{}
	for _, r := range results {
		n[r.Outcome]++
	}
	return []output.SummaryPart{
		{Count: n[Success], Word: done},
		{Count: n[Validated], Word: "validated"},
		{Count: n[Submitted], Word: "submitted"},
		{Count: n[Error] + n[Failed], Word: "failed"},
		{Count: n[Timeout], Word: "timed out"},
		{Count: n[Skipped], Word: "skipped"},
	}
}

// Running returns the action ids still in progress: waits that timed out
// or were interrupted.
func Running(results []Result) []int64 {
	var ids []int64
	for _, r := range results {
		var intr *api.WaitInterruptedError
		var timeout *api.WaitTimeoutError
		if r.ActionID != nil && (errors.As(r.Err, &intr) || errors.As(r.Err, &timeout)) {
			ids = append(ids, *r.ActionID)
		}
	}
	return ids
}

// Describe names a target for messages: "instance 42 (web01)".
func Describe(kind string, t Target) string {
	name := t.Name
	if name == "" {
		name = t.Arg
	}
	if name != "" && name != strconv.FormatInt(t.ID, 10) {
		return fmt.Sprintf("%s %d (%s)", kind, t.ID, name)
	}
	return fmt.Sprintf("%s %d", kind, t.ID)
}

// Report says how to print the results of a change.
type Report struct {
	Op   string // "stop"
	Kind string // "instance"
	Many bool   // several targets or a selection
}

// PrintResults writes the results on stdout (docs/results.md): every format
// but the table ones prints the results array, the same for one target or
// many. In a table format: --no-wait's action ids one per line (and on
// stderr the command that follows them); several targets, a results table;
// one target, only its dry-run confirmation (or, on stderr, why it was
// skipped), the board and summary having said the rest.
func PrintResults(p *output.Printer, cols []output.Column, r Report, results []Result) error {
	if !p.ForPeople() {
		return p.PrintList(results, cols, "results")
	}
	var submitted []int64
	for _, res := range results {
		if res.Outcome == Submitted && res.ActionID != nil && res.Err == nil {
			submitted = append(submitted, *res.ActionID)
		}
	}
	if len(submitted) == 1 && len(results) == 1 {
		res := results[0]
		return p.PrintStarted(r.change(res), *res.ActionID, api.ResumeHint(submitted), nil)
	}
	if len(submitted) > 0 {
		for _, id := range submitted {
			fmt.Fprintln(p.IO.Out, id)
		}
		fmt.Fprintf(p.IO.ErrOut, "%s: follow with: %s\n", r.Op, api.ResumeHint(submitted))
		return nil
	}
	if r.Many && len(results) > 1 {
		return p.PrintList(results, cols, "results")
	}
	for _, res := range results {
		switch res.Outcome {
		case Validated:
			if err := p.PrintDryRun(r.change(res), nil); err != nil {
				return err
			}
		case Skipped:
			fmt.Fprintf(p.IO.ErrOut, "%s is %s: nothing to do\n", r.change(res).Resource, output.Sanitize(res.Message))
		}
	}
	return nil
}

// change names the change made to one target, for output's messages.
func (r Report) change(res Result) output.Change {
	return output.Change{Verb: r.Op, Resource: output.Sanitize(Describe(r.Kind, Target{ID: res.ID, Name: res.Name}))}
}

// PrintRunning tells, on stderr, which actions are still in progress (waits
// that timed out or were interrupted) and the command that resumes waiting.
func PrintRunning(s *output.IOStreams, results []Result, interrupted bool) {
	running := Running(results)
	switch {
	case len(running) > 0 && interrupted:
		fmt.Fprintf(s.ErrOut, "interrupted: nothing more was sent; %d action(s) still in progress\n", len(running))
		fmt.Fprintf(s.ErrOut, "to keep waiting, run: %s\n", api.ResumeHint(running))
	case len(running) > 0:
		fmt.Fprintf(s.ErrOut, "to keep waiting, run: %s\n", api.ResumeHint(running))
	case interrupted:
		fmt.Fprintln(s.ErrOut, "interrupted: nothing more was sent")
	}
}
