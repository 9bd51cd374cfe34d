package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/fleet"
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

var snapshotColumns = []output.Column{
	{Header: "ID", Path: "id"},
	{Header: "LABEL", Path: "label"},
	{Header: "DESCRIPTION", Path: "description"},
	{Header: "CREATED", Path: "creationDate", Kind: output.Date},
	{Header: "EXPIRES", Path: "expirationDate", Kind: output.Date},
	{Header: "SIZE-GB", Path: "size"},
	{Header: "CREATOR", Path: "creator", Wide: true},
	{Header: "CHANGE-REF", Path: "changeReference", Wide: true},
	{Header: "RECOVERED", Path: "recoveryDate", Kind: output.Date, Wide: true},
}

var networkColumns = []output.Column{
	{Header: "NETWORK", Path: "technicalID"},
	{Header: "IP", Path: "ipAddress"},
	{Header: "CIDR", Path: "cidr"},
	{Header: "SCOPE", Path: "scope"},
	{Header: "GATEWAY", Path: "gateway"},
	{Header: "DNS", Path: "dns", Value: func(o map[string]any) string {
		var names []string
		for _, d := range asList(o["dns"]) {
			m, _ := d.(map[string]any)
			names = append(names, fmt.Sprintf("%v.%v", m["alias"], m["domain"]))
		}
		return strings.Join(names, ",")
	}},
}

var storageColumns = []output.Column{
	{Header: "DISKS-GB", Path: "totalSizeDisks"},
	{Header: "FILESYSTEMS-GB", Path: "totalSizeFileSystems"},
	{Header: "FILESYSTEMS", Path: "fileSystems", Value: func(o map[string]any) string {
		var fs []string
		for _, f := range asList(o["fileSystems"]) {
			m, _ := f.(map[string]any)
			fs = append(fs, fmt.Sprintf("%v %v %vGB (%vGB free)", m["mountingPoint"], m["type"], m["sizeOf"], m["free"]))
		}
		return strings.Join(fs, "; ")
	}},
}

func asList(v any) []any { l, _ := v.([]any); return l }

var instancesSpec = &familySpec{
	Use:     "instances",
	Aliases: []string{"instance", "vm"},
	Short:   "List, inspect, start, stop, reset and delete instances (VMs)",
	Kind:    "instance",
	Plural:  "instances",
	Family:  func(c *api.Client) *api.Family { return c.Instances },
	Columns: instanceColumns,
	Filters: []filterSpec{
		{"name", "instance name; prefix with ! to exclude", api.Filter{Param: "names", Kind: api.FilterName}},
		{"status", "status, e.g. ACTIVE, INACTIVE", api.Filter{Param: "statuses", Kind: api.FilterEnum}},
		{"env", "environment, e.g. PRODUCTION, DEVELOPMENT", api.Filter{Param: "environments", Kind: api.FilterEnum}},
		{"type", "type: LINUX, WINDOWS, AIX", api.Filter{Param: "types", Kind: api.FilterEnum}},
		{"family", "family, e.g. DEBIAN, RHEL, CENTOS", api.Filter{Param: "families", Kind: api.FilterEnum}},
		{"service", "service id", api.Filter{Param: "services", Kind: api.FilterInt}},
		{"tag", "tag as key:value", api.Filter{Param: "tags", Kind: api.FilterTag}},
		{"az", "availability zone, e.g. EB-A", api.Filter{Param: "az", Kind: api.FilterText}},
		{"ip", "IP address", api.Filter{Param: "ip", Kind: api.FilterText}},
	},
	ListExample: `  itcare instances list
  itcare instances list --env PRODUCTION --status ACTIVE --family DEBIAN
  itcare instances list --name web01 --name '!web02' --tag application:itcare
  itcare instances list --all --sort name,desc -o json --jq '.[].name'
  itcare instances list -o columns=ID,NAME,IP --no-header`,
	GetExample: `  itcare instances get 10042
  itcare instances get pdeb12web01 -o yaml`,
	Operations: []operationSpec{
		{Name: "start", Short: "Start an inactive instance", Note: `Sends PATCH {"operation": "start"} (inferred, see docs/api-assumptions.md).`,
			Done: "started", Rule: fleet.Rule{Requires: []string{"INACTIVE"}, Leads: "ACTIVE"}},
		{Name: "stop", Short: "Stop an active instance", Note: `Sends PATCH {"operation": "stop"} (documented).`,
			Done: "stopped", Rule: fleet.Rule{Requires: []string{"ACTIVE"}, Leads: "INACTIVE"}},
		{Name: "reset", Short: "Reset (hard reboot) an active instance", Note: `Sends PATCH {"operation": "reset"} (inferred, see docs/api-assumptions.md).`,
			Done: "reset", Rule: fleet.Rule{Requires: []string{"ACTIVE"}, Leads: "ACTIVE"}},
	},
	Delete: &deleteSpec{
		Requires: []string{"INACTIVE"},
		Long:     "Deletes an instance. The API only deletes INACTIVE instances: stop it first.",
		Example: `  itcare instances stop pdeb12web01 && itcare instances delete pdeb12web01
  itcare instances delete 10042 --yes --change-ref RFC_1234`,
	},
	Sub: instanceSubcommands,
}

func newInstancesCmd(f *Factory) *cobra.Command { return instancesSpec.command(f) }

func instanceSubcommands(f *Factory, s *familySpec) []*cobra.Command {
	snapshots := &cobra.Command{
		Use:   "snapshots <command>",
		Short: "List and create snapshots of an instance",
		Args:  cobra.NoArgs,
	}
	snapshots.AddCommand(
		subListCmd(f, s, "list <instance>", "List the snapshots of an instance", "snapshots", snapshotColumns,
			"  itcare instances snapshots list pdeb12web01", "snapshots"),
		newSnapshotCreateCmd(f, s),
	)
	return []*cobra.Command{
		snapshots,
		subObjectCmd(f, s, "networks <instance>", "Show the network interfaces of an instance", networkColumns,
			"  itcare instances networks pdeb12web01 -o json", "networks", false),
		subObjectCmd(f, s, "storage <instance>", "Show the disks and file systems of an instance", storageColumns,
			"  itcare instances storage pdeb12web01", "storage", false),
	}
}

func newSnapshotCreateCmd(f *Factory, s *familySpec) *cobra.Command {
	var (
		fl          fleetFlags
		description string
		changeRef   string
	)
	cmd := &cobra.Command{
		Use:   "create <instance>... | --FILTER VALUE...",
		Short: "Take a snapshot of instances",
		Long: `Takes a snapshot (POST /compute/instances/{id}/snapshots with a description and
an optional change reference; the path is inferred, see docs/api-assumptions.md)
and waits for the action.` + fleetHelp(s),
		Example: `  itcare instances snapshots create pdeb12web01 --description "before upgrade" --change-ref RFC_42
  itcare instances snapshots create --env QA --tag owner:team-web --description "before upgrade" --yes`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(description) == "" {
				return usageErrorf("--description is required")
			}
			body := map[string]any{"description": description}
			if changeRef != "" {
				body["changeReference"] = changeRef
			}
			return s.runFleet(cmd, f, &fl, args, changeSpec{Op: "snapshot", Done: "snapshotted", Selectors: true,
				Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
					return fam.Create(ctx, id, body, "snapshots")
				}})
		},
	}
	s.registerFleet(cmd, &fl, true)
	cmd.Flags().StringVar(&description, "description", "", "what the snapshot is for (required)")
	cmd.Flags().StringVar(&changeRef, "change-ref", "", "change reference (e.g. an RFC number)")
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
	fmt.Fprintf(f.IO.ErrOut, "showing page %d (pages 0-%d, %d of %d items); --page %d for the next one, --all for every page\n",
		number, totalPages-1, shown, total, number+1)
}

// describeResource names a resource for messages: "instance 42 (web01)".
func describeResource(kind string, id int64, arg string) string {
	if arg != fmt.Sprint(id) {
		return fmt.Sprintf("%s %d (%s)", kind, id, arg)
	}
	return fmt.Sprintf("%s %d", kind, id)
}
