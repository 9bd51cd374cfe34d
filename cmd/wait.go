package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/output"
)

func validateDurations(named map[string]time.Duration) error {
	for name, d := range named {
		if d < 0 {
			return usageErrorf("invalid --%s %s: must not be negative", name, d)
		}
	}
	return nil
}

var actionColumns = []output.Column{
	{Header: "ID", Path: "id"},
	{Header: "STATUS", Path: "status"},
	{Header: "PROCESS", Path: "process"},
	{Header: "RESOURCE", Path: "resourceName"},
	{Header: "TYPE", Path: "resourceType"},
	{Header: "SUBMITTED", Path: "submittedAt", Kind: output.Date},
	{Header: "COMPLETED", Path: "completedAt", Kind: output.Date},
	{Header: "MESSAGE", Path: "message"},
	{Header: "FAMILY", Path: "family", Wide: true},
	{Header: "BY", Path: "submittedBy", Wide: true},
	{Header: "UPDATED", Path: "lastUpdatedAt", Kind: output.Date, Wide: true},
}

// waitActions waits on ids with the spinner (terminal) or plain lines
// (piped) and returns the final actions.
func waitActions(ctx context.Context, f *Factory, c *api.Client, ids []int64, timeout, interval time.Duration) ([]*api.Action, error) {
	ui := output.NewWaitUI(f.IO, ids)
	ui.Start()
	defer ui.Stop()
	return c.Actions.Wait(ctx, ids, f.waitOptions(timeout, interval), func(u api.ActionUpdate) {
		a := u.Action
		ui.Update(output.WaitItem{ID: a.ID, Resource: a.ResourceName, Process: a.Process, Status: a.Status, Message: a.Message})
	})
}

// reportActions prints final actions: in json/yaml/jq/template modes as data
// on stdout; in table mode the wait display already said everything.
func reportActions(p *output.Printer, actions []*api.Action) error {
	if p.Opts.Format.Kind == output.Table && p.Opts.JQ == "" {
		return nil
	}
	var done []*api.Action
	for _, a := range actions {
		if a != nil {
			done = append(done, a)
		}
	}
	return p.PrintList(done, actionColumns, "actions")
}

// change is one mutating call on a resource, described for messages.
type change struct {
	Verb     string // "stop"
	Resource string // "instance 10001 (pdeb12web01)"
	Do       func(ctx context.Context) (*api.Accepted, error)
	// Done, when set, prints the outcome of a successful wait instead of
	// the final actions (create prints the new resource).
	Done func(ctx context.Context, acc *api.Accepted) error
}

// runChange sends a change and handles dry-run, --no-wait and waiting, the
// same way for every resource family.
func runChange(ctx context.Context, f *Factory, ss *Session, w waitFlags, ch change) error {
	p, c := ss.P, ss.C
	f.IO.StartProgress(fmt.Sprintf(" %s %s", ch.Verb, ch.Resource))
	acc, err := ch.Do(ctx)
	f.IO.StopProgress()
	if c.DryRun() {
		if errors.Is(err, api.ErrDryRunUnconfirmed) {
			f.IO.Warnf("%s", err)
			return &SilentError{Code: ExitError}
		}
		if err != nil {
			return err
		}
		if p.Opts.Format.Kind == output.Table && p.Opts.JQ == "" {
			fmt.Fprintf(f.IO.Out, "dry run: %s %s was validated by the server; nothing was changed\n", ch.Verb, ch.Resource)
			return nil
		}
		return p.PrintObject(acc, nil)
	}
	if err != nil {
		return err
	}
	if acc.ActionID == 0 {
		f.IO.Warnf("the API accepted %s %s (HTTP %d) without an action id to follow", ch.Verb, ch.Resource, acc.StatusCode)
		if p.Opts.Format.Kind != output.Table || p.Opts.JQ != "" {
			return p.PrintObject(acc, nil)
		}
		return nil
	}
	if w.NoWait {
		if p.Opts.Format.Kind == output.Table && p.Opts.JQ == "" {
			fmt.Fprintln(f.IO.Out, acc.ActionID)
			fmt.Fprintf(f.IO.ErrOut, "%s %s: action %d started; follow it with: %s\n", ch.Verb, ch.Resource, acc.ActionID, api.ResumeHint([]int64{acc.ActionID}))
			return nil
		}
		return p.PrintObject(acc, nil)
	}
	actions, err := waitActions(ctx, f, c, []int64{acc.ActionID}, w.Timeout, 0)
	if err == nil && ch.Done != nil {
		return ch.Done(ctx, acc)
	}
	if perr := reportActions(p, actions); err == nil {
		err = perr
	}
	return err
}
