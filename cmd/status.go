package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/output"
)

var statusColumns = []output.Column{
	{Header: "API", Path: "apiUrl"},
	{Header: "ENDPOINT", Path: "endpoint"},
	{Header: "STATE", Path: "state"},
	{Header: "HTTP", Path: "httpStatus"},
	{Header: "RTT-MS", Path: "roundTripMs"},
	{Header: "REASON", Path: "reason", OmitEmpty: true},
}

func newStatusCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Check that the ITCare API is up (no credentials needed)",
		Long: `Asks the API's health endpoint, without credentials, whether the API is up and
prints its state and the round-trip time. Exits 0 when the API is up, 1 when it
is down or unreachable.`,
		Example: `  itcare status
  itcare status -o json --jq .state`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runStatus(cmd.Context(), f) },
	}
}

// runStatus checks the output options (usage errors before anything is
// sent), asks the API's health endpoint and prints the answer, up or not.
func runStatus(ctx context.Context, f *Factory) error {
	p, err := f.Printer()
	if err != nil {
		return err
	}
	if err := output.ValidateColumns(p.Opts.Format, statusColumns); err != nil {
		return err
	}
	c, err := f.AnonymousAPI()
	if err != nil {
		return err
	}
	h, herr := c.CheckHealth(ctx)
	if perr := p.PrintObject(h, statusColumns); perr != nil {
		return perr
	}
	return herr
}
