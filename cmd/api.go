package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
)

// apiOptions are the flags of `itcare api`: the request (built and sent by
// internal/api) and how to show its answer.
type apiOptions struct {
	api.CallOptions
	Include     bool
	Silent      bool
	Wait        bool
	WaitTimeout time.Duration
}

func newAPICmd(f *Factory) *cobra.Command {
	opts := &apiOptions{}
	cmd := &cobra.Command{
		Use:   "api <path>",
		Short: "Make an authenticated request to any ITCare API endpoint",
		Long: `Calls any endpoint of the ITCare API with the profile's login, token cache,
dry-run, error handling, paging and output, and prints the answer.

PATH is relative to --api-url (/compute/instances). A full URL is accepted only
when it points at the configured API: the token is never sent anywhere else. A
path that would leave the API (another host, //host/..., or .. segments, also
written %2e%2e) is refused before anything is sent (exit 2).

Fields: -f key=value adds a string; -F key=value adds a typed value (true,
false, null and numbers become JSON values; @file reads the value from a file,
@- from standard input). Keys can be nested (options[nodes][]=...). For GET and
DELETE the fields become query parameters (arrays repeated, as Spring expects);
otherwise they form a JSON object body. --input sends a file (or - for stdin) as
the body, and the fields then go to the query string.

The method is GET, or POST when fields or --input are given, unless -X says.

--paginate follows Spring pages (page=0,1,... until the last) and prints one
merged JSON array. A 202 answer starts an action: its id is printed on stderr;
with --wait the command follows the action to its end and prints the finished
action instead of the 202 answer (exit 3 if it ended in ERROR).
Errors: a non-2xx answer prints its body on stdout and the error on stderr, and
exits 1 (4 for 401/403).`,
		Example: `  # list Kubernetes clusters, every page
  itcare api /compute/containers/kubernetes --paginate --jq '.[].name'

  # stop an Overdrive volume and wait for the action
  itcare api -X PATCH /storage/overdrive/5103 -f operation=stop --wait

  # read the actions of a resource
  itcare api -X GET /actions -f resourceName=pdeb12web01 -f statuses[]=SUCCESS -f statuses[]=ERROR

  # a date in a query string keeps its + sign
  itcare api -X GET /changes -f start=2026-06-01T12:27:19.000+0200 -f end=2026-06-30T00:00:00.000+0200 -f maintenanceTypes[]=PATCH_PARTY

  # a body from a file, validated but not applied
  itcare api -X POST /compute/instances --input instance.json --dry-run -i`,
		Args:        cobra.ExactArgs(1),
		Annotations: map[string]string{questionAnnotation: "which API path to call (such as /compute/instances)?"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = args[0]
			return runAPI(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Method, "method", "X", "", "HTTP method (default GET, or POST with fields or --input)")
	fl.StringArrayVarP(&opts.RawFields, "raw-field", "f", nil, "add a string parameter key=value")
	fl.StringArrayVarP(&opts.TypedFields, "field", "F", nil, "add a typed parameter key=value (true, false, null, numbers, @file, @-)")
	fl.StringArrayVarP(&opts.Headers, "header", "H", nil, "add a request header 'Name: value'")
	fl.StringVar(&opts.Input, "input", "", "file to send as the request body (- for standard input)")
	fl.BoolVar(&opts.Paginate, "paginate", false, "fetch every page of a Spring page answer and print one JSON array")
	fl.BoolVarP(&opts.Include, "include", "i", false, "print the status line and the response headers first")
	fl.BoolVar(&opts.Silent, "silent", false, "do not print the response body")
	fl.BoolVar(&opts.Wait, "wait", false, "when the answer is 202 with an action id, wait for the action")
	fl.DurationVar(&opts.WaitTimeout, "wait-timeout", 30*time.Minute, "give up waiting after this long (exit 5)")
	return cmd
}

// runAPI checks the command line (usage errors need no server), sends the
// request and shows the answer; with --wait it follows a 202 to the end
// and prints the final action instead of the 202 answer.
func runAPI(ctx context.Context, f *Factory, opts *apiOptions) error {
	if err := validateDurations(map[string]time.Duration{"wait-timeout": opts.WaitTimeout}); err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	base, err := api.ParseBaseURL(cfg.APIURL)
	if err != nil {
		return &UsageError{Err: err}
	}
	opts.Stdin = f.IO.In
	req, err := api.BuildCall(base, opts.CallOptions)
	if err != nil {
		return err
	}
	ss, err := f.Session(nil)
	if err != nil {
		return err
	}
	p, c := ss.P, ss.C
	res, err := c.Call(ctx, req, opts.Paginate)
	if opts.Include && res != nil && res.Head != nil {
		p.PrintResponseHead(res.Head.Proto, res.Head.Status, res.Head.Header)
	}
	if err != nil {
		var he *api.HTTPError
		if res != nil && (errors.As(err, &he) || errors.Is(err, api.ErrDryRunUnconfirmed)) {
			p.PrintFailureBody(res.Body)
		}
		return err
	}
	follow := opts.Wait && res.ActionID > 0
	if !opts.Silent && !follow {
		if err := p.PrintRaw(res.Body); err != nil {
			return err
		}
	}
	switch {
	case c.DryRun():
		fmt.Fprintln(f.IO.ErrOut, "dry run confirmed by the server (ITCare-DryRun: true): nothing was changed")
		return nil
	case !res.Accepted:
		return nil
	case res.ActionID == 0:
		if opts.Wait {
			f.IO.Warnf("the answer is 202 but carries no action id to wait for")
		}
		return nil
	case !opts.Wait:
		fmt.Fprintf(f.IO.ErrOut, "action %d started; follow it with: %s\n", res.ActionID, api.ResumeHint([]int64{res.ActionID}))
		return nil
	}
	actions, err := waitActions(ctx, f, c, []int64{res.ActionID}, opts.WaitTimeout, 0)
	if done := finished(actions); len(done) == 1 && !opts.Silent {
		// The action as the API last answered it.
		if perr := p.PrintRaw(done[0].Raw); err == nil {
			err = perr
		}
	}
	return err
}
