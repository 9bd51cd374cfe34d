package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

func newSandboxCmd(f *Factory) *cobra.Command {
	var (
		addr string
		opts sandbox.Options
	)
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the built-in ITCare simulator on this machine",
		Long: `Serves an in-memory ITCare simulator: the OIDC realm (discovery and token
endpoint) and the API (health, instances, actions) on one local port, with
realistic seeded data. It prints the environment variables that point itcare at
it, then runs until interrupted. Nothing leaves the machine.

The sandbox follows what is known of the real API; where the real behaviour is
unknown it makes a documented choice (internal/sandbox/README.md).`,
		Example: `  itcare sandbox --addr 127.0.0.1:8080 &
  export ITCARE_API_URL=http://127.0.0.1:8080/itcare \
         ITCARE_AUTH_URL=http://127.0.0.1:8080/auth/realms/cloud
  printf sandbox-secret | itcare login --client-id sandbox-client --client-secret-stdin
  itcare instances list`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s := sandbox.New(opts)
			base, err := s.Start(addr)
			if err != nil {
				return fmt.Errorf("starting the sandbox on %s: %w", addr, err)
			}
			defer s.Close()
			fmt.Fprintf(f.IO.Out, "export ITCARE_API_URL=%s\n", s.APIURL())
			fmt.Fprintf(f.IO.Out, "export ITCARE_AUTH_URL=%s\n", s.AuthURL())
			fmt.Fprintf(f.IO.ErrOut, "ITCare sandbox listening on %s (client id sandbox-client, secret sandbox-secret); Ctrl-C to stop\n", base)
			<-cmd.Context().Done()
			fmt.Fprintln(f.IO.ErrOut, "sandbox stopped")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (loopback by default)")
	fl.DurationVar(&opts.ActionDuration, "action-duration", 3*time.Second, "how long actions stay IN_PROGRESS")
	fl.IntVar(&opts.Instances, "instances", 300, "number of seeded instances")
	fl.DurationVar(&opts.AccessTokenLifetime, "token-lifetime", 1200*time.Second, "access token lifetime")
	fl.DurationVar(&opts.RefreshTokenLifetime, "refresh-lifetime", 7200*time.Second, "refresh token lifetime")
	return cmd
}
