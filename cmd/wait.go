package cmd

import (
	"context"
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
		ui.Update(output.WaitItem{ID: a.ID, Resource: a.ResourceName, Process: a.Process, Status: a.Status, Message: a.Message, Took: a.Took()})
	})
}

// finished drops the actions a wait never read.
func finished(actions []*api.Action) []*api.Action {
	done := []*api.Action{}
	for _, a := range actions {
		if a != nil {
			done = append(done, a)
		}
	}
	return done
}
