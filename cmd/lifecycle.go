package cmd

import (
	"context"
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/fleet"
	"github.com/itcare-cli/itcare/internal/output"
)

// changeRefBody is the optional {"changeReference": ref} body (no body at
// all without a reference).
func changeRefBody(ref string) any {
	if ref == "" {
		return nil
	}
	return map[string]any{"changeReference": ref}
}

// oneAtATime makes the sub-items of one resource change one after the
// other by default: the API runs one action per resource at a time.
func oneAtATime(cmd *cobra.Command, fl *fleetFlags) {
	fl.MaxParallel = 1
	cmd.Flags().Lookup("max-parallel").DefValue = "1"
}

// registerChangeRef adds --change-ref.
func registerChangeRef(cmd *cobra.Command, ref *string) {
	cmd.Flags().StringVar(ref, "change-ref", "", "change reference (e.g. an RFC number)")
}

func newSnapshotRestoreCmd(f *Factory, s *familySpec) *cobra.Command {
	var (
		fl        fleetFlags
		changeRef string
	)
	cmd := &cobra.Command{
		Use:   "restore <instance> <snapshot>",
		Short: "Restore an instance from one of its snapshots (its disks go back in time)",
		Long: `Restores an instance from one of its snapshots, then waits for the
action. What was written since the snapshot is lost: on a terminal you are
asked to confirm; elsewhere --yes is required.

Inferred: the ITCare documentation describes restoring a snapshot but not
its request (see docs/api-assumptions.md).`,
		Example: `  itcare instances snapshots list 10008
  itcare instances snapshots restore 10008 10008-snap-1 --yes --change-ref RFC_42`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			snap := args[1]
			return s.runFleet(cmd.Context(), f, &fl, args[:1], changeSpec{Op: "restore snapshot " + snap + " of", Done: "restored", Destructive: true,
				Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
					return fam.Create(ctx, id, changeRefBody(changeRef), "snapshots", url.PathEscape(snap), "restore")
				}})
		},
	}
	s.registerFleet(cmd, &fl, false)
	registerChangeRef(cmd, &changeRef)
	return cmd
}

func newSnapshotDeleteCmd(f *Factory, s *familySpec) *cobra.Command {
	return subItemDeleteCmd(f, s, "snapshot", "snapshots", &cobra.Command{
		Use:   "delete <instance> <snapshot>...",
		Short: "Delete snapshots of an instance (irreversible)",
		Long: `Deletes snapshots of an instance, one action per snapshot, then waits
for them. A snapshot is given by its id (see 'itcare instances snapshots
list'). On a terminal you are asked to confirm; elsewhere --yes is required.

Inferred: the ITCare documentation describes deleting a snapshot but not
its request (see docs/api-assumptions.md).`,
		Example: `  itcare instances snapshots delete 10008 10008-snap-1 --yes`,
	})
}

// subItemDeleteCmd completes cmd into `delete <resource> <item>...` for
// the items of the sub-collection sub: confirmed, one at a time by default,
// with --change-ref.
func subItemDeleteCmd(f *Factory, s *familySpec, kind, sub string, cmd *cobra.Command) *cobra.Command {
	var (
		fl        fleetFlags
		changeRef string
	)
	cmd.Aliases = []string{"rm"}
	cmd.Args = cobra.MinimumNArgs(2)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return s.runFleet(cmd.Context(), f, &fl, args[1:], subItemDelete(args[0], kind, sub, changeRef))
	}
	s.registerFleet(cmd, &fl, false)
	oneAtATime(cmd, &fl)
	registerChangeRef(cmd, &changeRef)
	return cmd
}

// subItemDelete is the change that deletes items of the sub-collection sub
// of the resource named parent (DELETE {family}/{id}/{sub}/{item}), the
// items named by id or name.
func subItemDelete(parent, kind, sub, changeRef string) changeSpec {
	var (
		id  int64
		ids map[int64]string
	)
	return changeSpec{Op: "delete", Done: "deleted", Destructive: true, Kind: kind, Plural: kind + "s",
		Resolve: func(ctx context.Context, fam *api.Family, items []string) ([]fleet.Target, []fleet.Problem, error) {
			var err error
			if id, err = fam.Resolve(ctx, parent); err != nil {
				return nil, nil, err
			}
			list, err := fam.SubItems(ctx, id, kind, sub)
			if err != nil {
				return nil, nil, err
			}
			var targets []fleet.Target
			var problems []fleet.Problem
			targets, problems, ids = fleet.PickItems(list, kind, items)
			return targets, problems, nil
		},
		Send: func(ctx context.Context, fam *api.Family, item int64) (*api.Accepted, error) {
			return fam.Delete(ctx, id, changeRef, sub, url.PathEscape(ids[item]))
		}}
}

func newResizeCmd(f *Factory, s *familySpec) *cobra.Command {
	op, _ := s.Operation("resize")
	return s.bodyChangeCmd(f, &cobra.Command{
		Use:   "resize <instance>... | --FILTER VALUE... --cpu N --ram GB",
		Short: "Change the number of CPUs and the memory of instances",
		Long: `Changes the number of virtual CPUs (--cpu) and the memory in GB (--ram)
of an instance, then waits for the action. On a terminal a missing value is
asked for.

Inferred: the ITCare documentation describes resizing but not its request
(see docs/api-assumptions.md).` + fleetHelp(s.Noun.Singular),
		Example: `  itcare instances resize pdeb12web01 --cpu 4 --ram 8
  itcare instances resize 10001 --cpu 2 --ram 4 --dry-run`,
		Args: cobra.ArbitraryArgs,
	}, op.Options, false, true, func(options map[string]any) changeSpec {
		return changeSpec{Op: "resize", Rule: operationRule(op),
			Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
				return fam.Operate(ctx, id, "resize", options)
			}}
	})
}

// bodyChangeOptions are the flags of a change command that sends a
// declared body (resize, urls add).
type bodyChangeOptions struct {
	fleetFlags
	Body *bodyFlags
}

// bodyChangeCmd completes cmd into a change command that sends the body
// spec declares (withFile: --from-file and --set too; selectors: the
// family's filters select targets); change makes the change from the body.
func (s *familySpec) bodyChangeCmd(f *Factory, cmd *cobra.Command, spec family.Fields, withFile, selectors bool, change func(body map[string]any) changeSpec) *cobra.Command {
	opts := &bodyChangeOptions{}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return s.runBodyChange(cmd.Context(), f, args, opts, change)
	}
	s.registerFleet(cmd, &opts.fleetFlags, selectors)
	opts.Body = registerBodyFlags(cmd.Flags(), spec, withFile)
	return cmd
}

// runBodyChange assembles and checks the body (usage errors before anything
// is sent; on a terminal a missing value is asked for), then runs the
// change it makes on each target.
func (s *familySpec) runBodyChange(ctx context.Context, f *Factory, args []string, opts *bodyChangeOptions, change func(body map[string]any) changeSpec) error {
	b, err := opts.Body.build(f)
	if err != nil {
		return err
	}
	return s.runFleet(ctx, f, &opts.fleetFlags, args, change(b))
}

var urlColumns = []output.Column{
	{Header: "ID", Path: "id"},
	{Header: "NAME", Path: "name"},
	{Header: "SSL-PROFILE", Path: "sslProfile"},
	{Header: "DNS", Path: "dnsEnabled"},
	{Header: "MONITORING", Path: "monitoringEnabled"},
	{Header: "ON-CALL", Path: "onCallSupervision"},
}

func loadBalancerSubcommands(f *Factory, s *familySpec) []*cobra.Command {
	urls := subGroup("urls", "List, add and delete the URLs a load balancer serves",
		subListCmd(f, s, "list <load-balancer>", "List the URLs a load balancer serves", "urls", urlColumns,
			"  itcare loadbalancers urls list plbweb01", "urls"),
		newURLAddCmd(f, s),
		newURLDeleteCmd(f, s),
	)
	return []*cobra.Command{urls}
}

func newURLAddCmd(f *Factory, s *familySpec) *cobra.Command {
	urls, _ := s.Sub("urls")
	return s.bodyChangeCmd(f, &cobra.Command{
		Use:   "add <load-balancer> --name URL",
		Short: "Add a URL to a load balancer",
		Long: `Adds a URL to a load balancer, with DNS, monitoring and on-call
supervision as asked, then waits for the action. The API checks the name
against a naming rule it does not publish.`,
		Example: `  itcare loadbalancers urls add plbweb01 --name api.example.com --monitoring-enabled --set-up-dns-enabled`,
		Args:    cobra.ExactArgs(1),
	}, urls.Body, true, false, func(b map[string]any) changeSpec {
		return changeSpec{Op: fmt.Sprintf("add URL %v to", b["name"]), Done: "added",
			Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
				return fam.Create(ctx, id, b, "urls")
			}}
	})
}

func newURLDeleteCmd(f *Factory, s *familySpec) *cobra.Command {
	return subItemDeleteCmd(f, s, "URL", "urls", &cobra.Command{
		Use:   "delete <load-balancer> <url-id|url>...",
		Short: "Delete URLs of a load balancer (irreversible)",
		Long: `Deletes a URL of a load balancer, given by its id or its name (see
'itcare loadbalancers urls list'), then waits for the action. On a terminal
you are asked to confirm; elsewhere --yes is required.`,
		Example: `  itcare loadbalancers urls list plbweb01
  itcare loadbalancers urls delete plbweb01 itcare-web.cegedim.cloud --yes`,
	})
}
