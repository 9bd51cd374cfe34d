package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/netfault"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// sandboxOptions are the flags of `itcare sandbox`.
type sandboxOptions struct {
	Addr    string
	Server  sandbox.Options
	Latency time.Duration
	Faults  []string // as typed: [METHOD /path=]KIND[:ARG][xCOUNT]
}

func newSandboxCmd(f *Factory) *cobra.Command {
	opts := &sandboxOptions{}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the built-in ITCare simulator on this machine",
		Long: `Serves an in-memory ITCare simulator on one local port: the OIDC realm
(discovery and token endpoint) and the API (health, actions and every family,
with realistic seeded data). It prints the environment variables that point
itcare at it, then runs until interrupted. Nothing leaves the machine.

Families served:
` + sandboxFamilies() + `
The sandbox follows what is known of the real API; where the real behaviour is
unknown it makes the most likely choice, the same one itcare assumes.

--churn makes the sandbox change by itself: every 5 s (or --churn=DURATION) one
of the first development or test instances is stopped or started, so that
'itcare instances list --watch' and 'itcare actions list --watch' show changes.

--latency and --fault inject failures, to see how scripts cope with a slow or
flaky API. A fault is [METHOD /path=]KIND[:ARG][xCOUNT]: the path is the full
URL path (a * matches one segment), KIND is a status code (ARG: Retry-After in
seconds) or one of html, truncate, cut, huge, drop, drop-after, hang, latency,
revoke, revoke-all; without xCOUNT it applies to every matching request.

--rate-limit N answers 429 with Retry-After once a client (an access token's
client id) sends more than N API requests in a second, so that back-off can be
watched. GET /sandbox/stats shows what was received: API and token requests,
the most requests in flight at once, requests per resource (its actions'
polls included); DELETE /sandbox/stats resets the counters.`,
		Example: `  itcare sandbox --addr 127.0.0.1:8080 &
  export ITCARE_API_URL=http://127.0.0.1:8080/itcare \
         ITCARE_AUTH_URL=http://127.0.0.1:8080/auth/realms/cloud
  printf sandbox-secret | itcare login --client-id sandbox-client --client-secret-stdin
  itcare instances list

  # two 503s then normal answers; every stop loses its answer (applied once)
  itcare sandbox --fault 'GET /itcare/compute/instances=503x2' \
                 --fault 'PATCH /itcare/compute/instances/*=drop-after' --latency 200ms`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runSandbox(cmd.Context(), f, opts) },
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "address to listen on (loopback by default)")
	fl.DurationVar(&opts.Server.ActionDuration, "action-duration", 3*time.Second, "how long actions stay IN_PROGRESS")
	fl.IntVar(&opts.Server.Instances, "instances", 300, "number of seeded instances")
	fl.DurationVar(&opts.Server.AccessTokenLifetime, "token-lifetime", 1200*time.Second, "access token lifetime")
	fl.DurationVar(&opts.Server.RefreshTokenLifetime, "refresh-lifetime", 7200*time.Second, "refresh token lifetime")
	fl.DurationVar(&opts.Latency, "latency", 0, "delay every request by this long")
	fl.IntVar(&opts.Server.RateLimit, "rate-limit", 0, "answer 429 with Retry-After past this many API requests per second per client (0: no limit)")
	fl.DurationVar(&opts.Server.Churn, "churn", 0, "stop or start a development or test instance on its own every DURATION, e.g. 5s, so that --watch has something to show")
	cmd.Flags().Lookup("churn").NoOptDefVal = "5s"
	fl.StringArrayVar(&opts.Faults, "fault", nil, "inject a fault, e.g. 'GET /itcare/compute/instances=503x2' (repeatable)")
	return cmd
}

// runSandbox checks the options (usage errors before the port is opened),
// serves the sandbox and prints how to point itcare at it, until ctx ends.
func runSandbox(ctx context.Context, f *Factory, opts *sandboxOptions) error {
	if opts.Server.RateLimit < 0 {
		return usageErrorf("invalid --rate-limit %d: must not be negative", opts.Server.RateLimit)
	}
	if opts.Latency < 0 {
		return usageErrorf("invalid --latency %s: must not be negative", opts.Latency)
	}
	var armed []netfault.Fault
	if opts.Latency > 0 {
		armed = append(armed, netfault.Fault{Kind: netfault.Latency, Latency: opts.Latency})
	}
	for _, spec := range opts.Faults {
		fault, err := netfault.Parse(spec)
		if err != nil {
			return &UsageError{Err: err}
		}
		armed = append(armed, fault)
	}
	serverGC()
	s := sandbox.New(opts.Server)
	if err := s.Faults().Set(armed...); err != nil {
		return &UsageError{Err: err}
	}
	base, err := s.Start(opts.Addr)
	if err != nil {
		return fmt.Errorf("starting the sandbox on %s: %w", opts.Addr, err)
	}
	defer s.Close()
	fmt.Fprintf(f.IO.Out, "export ITCARE_API_URL=%s\n", s.APIURL())
	fmt.Fprintf(f.IO.Out, "export ITCARE_AUTH_URL=%s\n", s.AuthURL())
	fmt.Fprintln(f.IO.Out, "export ITCARE_PROFILE=sandbox") // its own login: never the real default one
	fmt.Fprintf(f.IO.ErrOut, "ITCare sandbox listening on %s (client id sandbox-client, secret sandbox-secret); Ctrl-C to stop\n", base)
	if opts.Server.RateLimit > 0 {
		fmt.Fprintf(f.IO.ErrOut, "rate limit: %d API requests per second per client, then 429\n", opts.Server.RateLimit)
	}
	if len(armed) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "injecting faults: %s\n", describeFaults(opts.Latency, opts.Faults))
	}
	<-ctx.Done()
	fmt.Fprintln(f.IO.ErrOut, "sandbox stopped")
	return nil
}

func describeFaults(latency time.Duration, specs []string) string {
	var parts []string
	if latency > 0 {
		parts = append(parts, "latency "+latency.String())
	}
	return strings.Join(append(parts, specs...), "; ")
}

// sandboxFamilies lists the families of the table with their paths.
func sandboxFamilies() string {
	var b strings.Builder
	for _, fam := range family.All {
		fmt.Fprintf(&b, "  %-15s %s\n", fam.Name, fam.Path)
	}
	return b.String()
}
