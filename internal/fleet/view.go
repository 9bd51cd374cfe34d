package fleet

import (
	"errors"
	"fmt"

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
