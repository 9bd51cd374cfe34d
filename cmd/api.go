package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/output"
)

type apiOptions struct {
	Path        string
	Method      string
	RawFields   []string
	TypedFields []string
	Headers     []string
	Input       string
	Paginate    bool
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
when it points at the configured API: the token is never sent anywhere else.

Fields: -f key=value adds a string; -F key=value adds a typed value (true,
false, null and numbers become JSON values; @file reads the value from a file,
@- from standard input). Keys can be nested (options[nodes][]=...). For GET and
DELETE the fields become query parameters (arrays repeated, as Spring expects);
otherwise they form a JSON object body. --input sends a file (or - for stdin) as
the body, and the fields then go to the query string.

The method is GET, or POST when fields or --input are given, unless -X says.

--paginate follows Spring pages (page=0,1,... until the last) and prints one
merged JSON array. A 202 answer with an action id is followed with --wait.
Errors: a non-2xx answer prints its body on stdout and the error on stderr, and
exits 1 (4 for 401/403).`,
		Example: `  # list Kubernetes clusters, every page
  itcare api /compute/containers/kubernetes --paginate --jq '.[].name'

  # stop an Overdrive volume and wait for the action
  itcare api -X PATCH /storage/overdrive/1234 -f operation=stop --wait

  # read the actions of a resource
  itcare api -X GET /actions -f resourceName=pdeb12web01 -f statuses[]=SUCCESS -f statuses[]=ERROR

  # a date in a query string keeps its + sign
  itcare api -X GET /changes -f start=2016-06-01T12:27:19.000+0200 -f maintenanceTypes[]=PATCH_PARTY

  # a body from a file, validated but not applied
  itcare api -X POST /compute/instances --input instance.json --dry-run -i`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = args[0]
			return runAPI(cmd, f, opts)
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

func runAPI(cmd *cobra.Command, f *Factory, opts *apiOptions) error {
	ctx := cmd.Context()
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	base, err := api.ParseBaseURL(cfg.APIURL)
	if err != nil {
		return &UsageError{Err: err}
	}
	path, err := apiPath(base, opts.Path)
	if err != nil {
		return err
	}
	params, err := api.ParseFields(opts.RawFields, opts.TypedFields, f.IO.In)
	if err != nil {
		return &UsageError{Err: err}
	}
	header, err := parseHeaders(opts.Headers)
	if err != nil {
		return err
	}
	method := strings.ToUpper(opts.Method)
	if method == "" {
		method = http.MethodGet
		if len(params) > 0 || opts.Input != "" {
			method = http.MethodPost
		}
	}
	if opts.Paginate && (method != http.MethodGet || opts.Input != "") {
		return usageErrorf("--paginate works only with GET requests without --input")
	}
	req := &api.Request{Method: method, Path: path, Header: header}
	switch {
	case opts.Input != "":
		body, err := readInput(f.IO.In, opts.Input)
		if err != nil {
			return err
		}
		if header.Get("Content-Type") == "" && !json.Valid(body) {
			return usageErrorf("--input %s is not valid JSON (set -H 'Content-Type: ...' to send something else)", opts.Input)
		}
		req.Body = body
		req.Query = api.FieldsToQuery(params)
	case method == http.MethodGet || method == http.MethodDelete || method == http.MethodHead:
		req.Query = api.FieldsToQuery(params)
	case len(params) > 0:
		req.Body = params
	}
	ss, err := f.Session(nil)
	if err != nil {
		return err
	}
	p, c := ss.P, ss.C
	if opts.Paginate {
		pg, err := c.PaginateRaw(ctx, req)
		if opts.Include && pg != nil && pg.First != nil {
			printResponseHead(f.IO.Out, pg.First)
		}
		if err != nil {
			return apiFailure(f, p, pg.First, err)
		}
		if opts.Silent {
			return nil
		}
		if pg.Items == nil {
			return p.PrintRaw(pg.First.Body)
		}
		merged, err := json.Marshal(pg.Items)
		if err != nil {
			return err
		}
		return p.PrintRaw(merged)
	}
	resp, err := c.Do(ctx, req)
	if opts.Include && resp != nil {
		printResponseHead(f.IO.Out, resp)
	}
	if err != nil {
		return apiFailure(f, p, resp, err)
	}
	if !opts.Silent && len(bytes.TrimSpace(resp.Body)) > 0 {
		if err := p.PrintRaw(resp.Body); err != nil {
			return err
		}
	}
	if c.DryRun() {
		if !resp.DryRunConfirmed() {
			f.IO.Warnf("%s", api.ErrDryRunUnconfirmed)
			return &SilentError{Code: ExitError}
		}
		fmt.Fprintln(f.IO.ErrOut, "dry run confirmed by the server (ITCare-DryRun: true): nothing was changed")
		return nil
	}
	if resp.StatusCode != http.StatusAccepted {
		return nil
	}
	acc, err := api.ParseAccepted(resp)
	if mm := (*api.MismatchError)(nil); errors.As(err, &mm) {
		return err
	}
	if err != nil || acc.ActionID == 0 {
		if opts.Wait {
			f.IO.Warnf("the answer is 202 but carries no action id to wait for")
		}
		return nil
	}
	if !opts.Wait {
		fmt.Fprintf(f.IO.ErrOut, "action %d started; follow it with: %s\n", acc.ActionID, api.ResumeHint([]int64{acc.ActionID}))
		return nil
	}
	_, err = waitActions(ctx, f, c, []int64{acc.ActionID}, opts.WaitTimeout, 0)
	return err
}

// apiPath turns the PATH argument into a path relative to the API base,
// refusing a full URL on any other host before anything is sent.
func apiPath(base *url.URL, arg string) (string, error) {
	if strings.Contains(arg, "://") {
		u, err := url.Parse(arg)
		if err != nil {
			return "", usageErrorf("invalid URL %q: %v", arg, err)
		}
		rel, ok := api.RelativeTo(base, u)
		if !ok {
			return "", usageErrorf("refusing to send credentials to %s: only URLs under the configured API %s are allowed (use a path such as /compute/instances)", u.Scheme+"://"+u.Host, base)
		}
		return rel, nil
	}
	if arg == "" {
		return "", usageErrorf("empty path")
	}
	return "/" + strings.TrimPrefix(arg, "/"), nil
}

func parseHeaders(hs []string) (http.Header, error) {
	h := http.Header{}
	for _, s := range hs {
		k, v, ok := strings.Cut(s, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, usageErrorf("invalid header %q: want 'Name: value'", s)
		}
		h.Add(k, strings.TrimSpace(v))
	}
	return h, nil
}

func readInput(stdin io.Reader, name string) ([]byte, error) {
	var (
		data []byte
		err  error
	)
	if name == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, usageErrorf("reading --input: %v", err)
	}
	return data, nil
}

// printResponseHead prints the status line and headers, as curl -i does.
func printResponseHead(w io.Writer, r *api.Response) {
	fmt.Fprintf(w, "%s %s\n", r.Proto, r.Status)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.Header[k] {
			fmt.Fprintf(w, "%s: %s\n", k, v)
		}
	}
	fmt.Fprintln(w)
}

// apiFailure prints a non-2xx body on stdout, like gh api, then returns the
// error for stderr and the exit code.
func apiFailure(f *Factory, p *output.Printer, resp *api.Response, err error) error {
	var he *api.HTTPError
	if errors.As(err, &he) && resp != nil && len(bytes.TrimSpace(resp.Body)) > 0 {
		if json.Valid(resp.Body) {
			_ = p.PrintRaw(resp.Body)
		} else {
			f.IO.Out.Write(resp.Body)
			if !bytes.HasSuffix(resp.Body, []byte("\n")) {
				fmt.Fprintln(f.IO.Out)
			}
		}
	}
	return err
}
