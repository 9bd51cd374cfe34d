package cmd

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/output"
)

// refFlags are the flags of a destructive change on a sub-resource: the
// wait flags, --yes and --change-ref.
type refFlags struct {
	waitFlags
	changeRef string
}

func (r *refFlags) register(cmd *cobra.Command) {
	r.waitFlags.register(cmd)
	r.registerYes(cmd)
	cmd.Flags().StringVar(&r.changeRef, "change-ref", "", "change reference (e.g. an RFC number)")
}

// changeRefBody is the optional {"changeReference": ref} body (no body at
// all without a reference).
func changeRefBody(ref string) any {
	if ref == "" {
		return nil
	}
	return map[string]any{"changeReference": ref}
}

func newSnapshotRestoreCmd(f *Factory, s *familySpec) *cobra.Command {
	var w refFlags
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
			return s.change(cmd.Context(), f, w.waitFlags, args[0], fmt.Sprintf("restore snapshot %s of", snap), true, func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
				return fam.Create(ctx, id, changeRefBody(w.changeRef), "snapshots", url.PathEscape(snap), "restore")
			})
		},
	}
	w.register(cmd)
	return cmd
}

func newSnapshotDeleteCmd(f *Factory, s *familySpec) *cobra.Command {
	var w refFlags
	cmd := &cobra.Command{
		Use:   "delete <instance> <snapshot>...",
		Short: "Delete snapshots of an instance (irreversible)",
		Long: `Deletes snapshots of an instance, one action per snapshot, then waits
for them. A snapshot is given by its id (see 'itcare instances snapshots
list'). On a terminal you are asked to confirm; elsewhere --yes is required.

Inferred: the ITCare documentation describes deleting a snapshot but not
its request (see docs/api-assumptions.md).`,
		Example: `  itcare instances snapshots delete 10008 10008-snap-1 --yes`,
		Aliases: []string{"rm"},
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := w.validate(); err != nil {
				return err
			}
			if err := requireYes(f, w.Yes); err != nil {
				return err
			}
			t, err := s.resolve(cmd.Context(), f, args[0], nil)
			if err != nil {
				return err
			}
			snaps := args[1:]
			what := describeResource(s.Noun.Singular, t.id, args[0])
			if err := confirm(f, w.Yes, fmt.Sprintf("Delete snapshot %s of %s?", strings.Join(snaps, ", "), what)); err != nil {
				return err
			}
			for _, snap := range snaps {
				err := runChange(cmd.Context(), f, t.Session, w.waitFlags, change{Change: output.Change{Verb: "delete snapshot " + snap + " of", Resource: what},
					Do: func(ctx context.Context) (*api.Accepted, error) {
						return t.fam.Delete(ctx, t.id, w.changeRef, "snapshots", url.PathEscape(snap))
					}})
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
	w.register(cmd)
	return cmd
}

func newResizeCmd(f *Factory, s *familySpec) *cobra.Command {
	var (
		w  waitFlags
		bf *bodyFlags
	)
	cmd := &cobra.Command{
		Use:   "resize <instance> --cpu N --ram GB",
		Short: "Change the number of CPUs and the memory of an instance",
		Long: `Changes the number of virtual CPUs (--cpu) and the memory in GB (--ram)
of an instance, then waits for the action. On a terminal a missing value is
asked for.

Inferred: the ITCare documentation describes resizing but not its request
(see docs/api-assumptions.md).`,
		Example: `  itcare instances resize pdeb12web01 --cpu 4 --ram 8
  itcare instances resize 10001 --cpu 2 --ram 4 --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			options, err := bf.build(f)
			if err != nil {
				return err
			}
			return s.change(cmd.Context(), f, w, args[0], "resize", false, func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
				return fam.Operate(ctx, id, "resize", options)
			})
		},
	}
	w.register(cmd)
	op, _ := s.Operation("resize")
	bf = registerBodyFlags(cmd.Flags(), op.Options, false)
	return cmd
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
	urls := &cobra.Command{
		Use:   "urls <command>",
		Short: "List, add and delete the URLs a load balancer serves",
		Args:  cobra.NoArgs,
	}
	urls.AddCommand(
		subListCmd(f, s, "list <load-balancer>", "List the URLs a load balancer serves", "urls", urlColumns,
			"  itcare loadbalancers urls list plbweb01", "urls"),
		newURLAddCmd(f, s),
		newURLDeleteCmd(f, s),
	)
	return []*cobra.Command{urls}
}

func newURLAddCmd(f *Factory, s *familySpec) *cobra.Command {
	var (
		w  waitFlags
		bf *bodyFlags
	)
	cmd := &cobra.Command{
		Use:   "add <load-balancer> --name URL",
		Short: "Add a URL to a load balancer",
		Long: `Adds a URL to a load balancer, with DNS, monitoring and on-call
supervision as asked, then waits for the action. The API checks the name
against a naming rule it does not publish.`,
		Example: `  itcare loadbalancers urls add plbweb01 --name api.example.com --monitoring-enabled --set-up-dns-enabled`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := bf.build(f)
			if err != nil {
				return err
			}
			return s.change(cmd.Context(), f, w, args[0], fmt.Sprintf("add URL %v to", b["name"]), false, func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
				return fam.Create(ctx, id, b, "urls")
			})
		},
	}
	w.register(cmd)
	urls, _ := s.Sub("urls")
	bf = registerBodyFlags(cmd.Flags(), urls.Body, true)
	return cmd
}

func newURLDeleteCmd(f *Factory, s *familySpec) *cobra.Command {
	var w refFlags
	cmd := &cobra.Command{
		Use:   "delete <load-balancer> <url-id|url>",
		Short: "Delete a URL of a load balancer (irreversible)",
		Long: `Deletes a URL of a load balancer, given by its id or its name (see
'itcare loadbalancers urls list'), then waits for the action. On a terminal
you are asked to confirm; elsewhere --yes is required.`,
		Example: `  itcare loadbalancers urls list plbweb01
  itcare loadbalancers urls delete plbweb01 itcare-web.cegedim.cloud --yes`,
		Aliases: []string{"rm"},
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := args[1]
			return s.change(cmd.Context(), f, w.waitFlags, args[0], fmt.Sprintf("delete URL %s of", arg), true, func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
				urlID, err := resolveSubItem(ctx, fam, id, "URL", arg, "urls")
				if err != nil {
					return nil, err
				}
				return fam.Delete(ctx, id, w.changeRef, "urls", strconv.FormatInt(urlID, 10))
			})
		},
	}
	w.register(cmd)
	return cmd
}

// resolveSubItem turns an id or a name into the id of an item of a
// sub-collection (GET {family}/{id}/{sub...}).
func resolveSubItem(ctx context.Context, fam *api.Family, id int64, kind, arg string, sub ...string) (int64, error) {
	return api.Resolve(ctx, kind, arg, func(ctx context.Context, name string) ([]api.Named, error) {
		raw, err := fam.GetSub(ctx, id, sub...)
		if err != nil {
			return nil, err
		}
		return api.NamedItems(raw)
	})
}
