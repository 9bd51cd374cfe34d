package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/output"
)

var instanceColumns = []output.Column{
	{Header: "ID", Path: "id"},
	{Header: "NAME", Path: "name"},
	{Header: "STATUS", Path: "status"},
	{Header: "ENV", Path: "environment"},
	{Header: "FAMILY", Path: "family"},
	{Header: "CPU", Path: "cpu"},
	{Header: "RAM", Path: "ram"},
	{Header: "IP", Path: "ipAddress"},
	{Header: "AZ", Path: "labelAvailabilityZone"},
	{Header: "TYPE", Path: "type", Wide: true},
	{Header: "SERVICE", Path: "serviceId", Wide: true},
	{Header: "REGION", Path: "labelRegion", Wide: true},
	{Header: "VLAN", Path: "vlan", Wide: true},
	{Header: "CREATED", Path: "creationTime", Kind: output.Date, Wide: true},
	{Header: "TAGS", Path: "tags", Kind: output.Tags, Wide: true},
}

func newInstancesCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "instances <command>",
		Aliases: []string{"instance", "vm"},
		Short:   "List, inspect, start, stop, reset and delete instances (VMs)",
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newInstancesListCmd(f), newInstancesGetCmd(f))
	for _, op := range []struct{ name, short, long string }{
		{"start", "Start an inactive instance", "Starts an instance (PATCH operation \"start\"; inferred, see docs/api-assumptions.md)."},
		{"stop", "Stop an active instance", "Stops an instance (PATCH operation \"stop\", documented)."},
		{"reset", "Reset (hard reboot) an active instance", "Resets an instance (PATCH operation \"reset\"; inferred, see docs/api-assumptions.md)."},
	} {
		cmd.AddCommand(newInstanceOperationCmd(f, op.name, op.short, op.long))
	}
	cmd.AddCommand(newInstancesDeleteCmd(f))
	return cmd
}

type instancesListOptions struct {
	Filter api.InstanceFilter
	Page   api.PageOptions
}

func newInstancesListCmd(f *Factory) *cobra.Command {
	opts := &instancesListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List instances",
		Long: `Lists instances, filtered on the server with the documented query parameters.
Repeat a filter flag, or separate values with commas, to match any of them.

Without --all one page is fetched (pages are numbered from 0). With --all every
page is fetched and merged.`,
		Example: `  itcare instances list
  itcare instances list --env PRODUCTION --status ACTIVE --family DEBIAN
  itcare instances list --name web01 --name '!web02' --tag application:itcare
  itcare instances list --all --sort name,desc -o json --jq '.[].name'
  itcare instances list -o columns=ID,NAME,IP --no-header`,
		Aliases: []string{"ls"},
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Filter.Validate(); err != nil {
				return &UsageError{Err: err}
			}
			if err := validatePaging(opts.Page); err != nil {
				return err
			}
			p, err := f.Printer()
			if err != nil {
				return err
			}
			if err := output.ValidateColumns(p.Opts.Format, instanceColumns); err != nil {
				return err
			}
			c, err := f.API()
			if err != nil {
				return err
			}
			f.IO.StartProgress(" fetching instances")
			page, err := c.Instances.List(cmd.Context(), opts.Filter, opts.Page)
			f.IO.StopProgress()
			if err != nil {
				return err
			}
			if err := p.PrintList(page.Content, instanceColumns, "instances"); err != nil {
				return err
			}
			pageFooter(f, p, opts.Page, page.Number, page.TotalPages, page.TotalElements, len(page.Content))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.Filter.Names, "name", nil, "instance name; prefix with ! to exclude (repeatable)")
	fl.StringSliceVar(&opts.Filter.Statuses, "status", nil, "status, e.g. ACTIVE, INACTIVE (repeatable)")
	fl.StringSliceVar(&opts.Filter.Environments, "env", nil, "environment, e.g. PRODUCTION, DEVELOPMENT (repeatable)")
	fl.StringSliceVar(&opts.Filter.Types, "type", nil, "type: LINUX, WINDOWS, AIX (repeatable)")
	fl.StringSliceVar(&opts.Filter.Families, "family", nil, "family, e.g. DEBIAN, RHEL, CENTOS (repeatable)")
	fl.StringSliceVar(&opts.Filter.Services, "service", nil, "service id (repeatable)")
	fl.StringSliceVar(&opts.Filter.Tags, "tag", nil, "tag as key:value (repeatable)")
	fl.StringSliceVar(&opts.Filter.AZ, "az", nil, "availability zone, e.g. EB-A (repeatable)")
	fl.StringSliceVar(&opts.Filter.IP, "ip", nil, "IP address (repeatable)")
	registerPageFlags(cmd, &opts.Page)
	return cmd
}

func registerPageFlags(cmd *cobra.Command, o *api.PageOptions) {
	fl := cmd.Flags()
	fl.StringVar(&o.Sort, "sort", "", "sort by property[,asc|desc], e.g. name,desc")
	fl.IntVar(&o.Page, "page", 0, "page to fetch, from 0")
	fl.IntVar(&o.Size, "size", 0, "page size (default: the server's; 200 with --all)")
	fl.BoolVar(&o.All, "all", false, "fetch every page and merge them")
	cmd.MarkFlagsMutuallyExclusive("all", "page")
}

func validatePaging(o api.PageOptions) error {
	if o.Page < 0 {
		return usageErrorf("invalid --page %d: pages are numbered from 0", o.Page)
	}
	if o.Size < 0 {
		return usageErrorf("invalid --size %d: must be positive", o.Size)
	}
	if err := api.ValidateSort(o.Sort); err != nil {
		return &UsageError{Err: err}
	}
	return nil
}

// pageFooter tells a person on a terminal that more pages exist.
func pageFooter(f *Factory, p *output.Printer, o api.PageOptions, number, totalPages, total, shown int) {
	if o.All || !f.IO.IsStdoutTTY() || p.Opts.Format.Kind != output.Table || totalPages <= 1 {
		return
	}
	fmt.Fprintf(f.IO.ErrOut, "page %d of %d (%d of %d shown); use --page %d for the next one or --all for every page\n",
		number, totalPages-1, shown, total, number+1)
}

func newInstancesGetCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "get <id|name>",
		Short: "Show one instance",
		Example: `  itcare instances get 10042
  itcare instances get pdeb12web01 -o yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := f.Printer()
			if err != nil {
				return err
			}
			c, err := f.API()
			if err != nil {
				return err
			}
			id, err := c.Instances.Resolve(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			inst, err := c.Instances.Get(cmd.Context(), id)
			if err != nil {
				return err
			}
			return p.PrintObject(inst, instanceColumns)
		},
	}
}

func newInstanceOperationCmd(f *Factory, op, short, long string) *cobra.Command {
	var w waitFlags
	cmd := &cobra.Command{
		Use:   op + " <id|name>",
		Short: short,
		Long: long + `

The command waits for the action to end (spinner on a terminal). With --no-wait
it prints the action id and returns; follow it with 'itcare actions wait ID'.
With --dry-run the API validates the request and nothing changes.`,
		Example: fmt.Sprintf(`  itcare instances %[1]s pdeb12web01
  itcare instances %[1]s 10042 --no-wait
  itcare instances %[1]s 10042 --dry-run`, op),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validateDurations(map[string]time.Duration{"wait-timeout": w.Timeout}); err != nil {
				return err
			}
			c, err := f.API()
			if err != nil {
				return err
			}
			id, err := c.Instances.Resolve(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return runChange(cmd.Context(), f, c, w, change{Verb: op, Resource: describeResource("instance", id, args[0]),
				Do: func(ctx context.Context, c *api.Client) (*api.Accepted, error) {
					return c.Instances.Operate(ctx, id, op, nil)
				}})
		},
	}
	w.register(cmd)
	return cmd
}

func newInstancesDeleteCmd(f *Factory) *cobra.Command {
	var (
		w         waitFlags
		changeRef string
		yes       bool
	)
	cmd := &cobra.Command{
		Use:   "delete <id|name>",
		Short: "Delete an inactive instance (irreversible)",
		Long: `Deletes an instance. The API only deletes INACTIVE instances: stop it first.
This cannot be undone. On a terminal you are asked to confirm; elsewhere --yes is
required.`,
		Example: `  itcare instances stop pdeb12web01 && itcare instances delete pdeb12web01
  itcare instances delete 10042 --yes --change-ref RFC_1234`,
		Aliases: []string{"rm"},
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validateDurations(map[string]time.Duration{"wait-timeout": w.Timeout}); err != nil {
				return err
			}
			if !yes && !f.IO.CanPrompt() {
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				if !cfg.DryRun {
					return usageErrorf("refusing to delete without confirmation: pass --yes")
				}
			}
			c, err := f.API()
			if err != nil {
				return err
			}
			id, err := c.Instances.Resolve(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			what := describeResource("instance", id, args[0])
			if !yes && !c.DryRun() {
				ok, err := output.Confirm(f.IO, "Delete "+what+"? This cannot be undone.")
				if err != nil {
					return err
				}
				if !ok {
					return usageErrorf("deletion of %s not confirmed", what)
				}
			}
			return runChange(cmd.Context(), f, c, w, change{Verb: "delete", Resource: what,
				Do: func(ctx context.Context, c *api.Client) (*api.Accepted, error) {
					return c.Instances.Delete(ctx, id, changeRef)
				}})
		},
	}
	w.register(cmd)
	cmd.Flags().StringVar(&changeRef, "change-ref", "", "change reference (e.g. an RFC number) recorded with the deletion")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// describeResource names a resource for messages: "instance 42 (web01)".
func describeResource(kind string, id int64, arg string) string {
	if arg != fmt.Sprint(id) {
		return fmt.Sprintf("%s %d (%s)", kind, id, arg)
	}
	return fmt.Sprintf("%s %d", kind, id)
}
