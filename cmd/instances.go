package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/output"
)

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

func instanceSubcommands(f *Factory, s *familySpec) []*cobra.Command {
	snapshots := subGroup("snapshots", "List, create, restore and delete snapshots of an instance",
		subListCmd(f, s, "list <instance>", "List the snapshots of an instance", "snapshots", snapshotColumns,
			"  itcare instances snapshots list pdeb12web01", "snapshots"),
		newSnapshotCreateCmd(f, s),
		newSnapshotRestoreCmd(f, s),
		newSnapshotDeleteCmd(f, s),
	)
	return []*cobra.Command{
		snapshots,
		newResizeCmd(f, s),
		subObjectCmd(f, s, "networks <instance>", "Show the network interfaces of an instance", networkColumns,
			"  itcare instances networks pdeb12web01 -o json", "networks", false),
		subObjectCmd(f, s, "storage <instance>", "Show the disks and file systems of an instance", storageColumns,
			"  itcare instances storage pdeb12web01", "storage", false),
		newInstancesMetricsCmd(f, s),
	}
}

// snapshotCreateOptions are the flags of `instances snapshots create`.
type snapshotCreateOptions struct {
	fleetFlags
	Description string
	ChangeRef   string
}

func newSnapshotCreateCmd(f *Factory, s *familySpec) *cobra.Command {
	opts := &snapshotCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create <instance>... | --FILTER VALUE...",
		Short: "Take a snapshot of instances",
		Long: `Takes a snapshot of instances, with a description and an optional change
reference, and waits for the actions.
` + inferredNote + fleetHelp(s.Noun.Singular),
		Example: `  itcare instances snapshots create pdeb12web01 --description "before upgrade" --change-ref RFC_42
  itcare instances snapshots create --env QA --tag owner:team-web --description "before upgrade" --yes`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.runSnapshotCreate(cmd.Context(), f, args, opts)
		},
	}
	s.registerFleet(cmd, &opts.fleetFlags, true)
	cmd.Flags().StringVar(&opts.Description, "description", "", "what the snapshot is for (required)")
	registerChangeRef(cmd, &opts.ChangeRef)
	return cmd
}

// runSnapshotCreate checks the description (a usage error before anything
// is sent), then snapshots each instance of args or of the selection.
func (s *familySpec) runSnapshotCreate(ctx context.Context, f *Factory, args []string, opts *snapshotCreateOptions) error {
	if strings.TrimSpace(opts.Description) == "" {
		return usageErrorf("--description is required")
	}
	body := map[string]any{"description": opts.Description}
	if opts.ChangeRef != "" {
		body["changeReference"] = opts.ChangeRef
	}
	return s.runFleet(ctx, f, &opts.fleetFlags, args, changeSpec{Op: "snapshot", Done: "snapshotted",
		Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
			return fam.Create(ctx, id, body, "snapshots")
		}})
}

func registerPageFlags(cmd *cobra.Command, o *api.PageOptions) {
	fl := cmd.Flags()
	fl.StringVar(&o.Sort, "sort", "", "sort by property[,asc|desc], e.g. name,desc")
	fl.IntVar(&o.Page, "page", 0, "page to fetch, from 0")
	fl.IntVar(&o.Size, "size", 0, "page size (default: the server's; 200 with --all)")
	fl.BoolVar(&o.All, "all", false, "fetch every page and merge them")
	cmd.MarkFlagsMutuallyExclusive("all", "page")
}

// validatePaging checks the paging flags; sizeGiven: --size was on the
// command line (0 there is refused like any size below 1).
func validatePaging(o api.PageOptions, sizeGiven bool) error {
	if o.Page < 0 {
		return usageErrorf("invalid --page %d: pages are numbered from 0", o.Page)
	}
	if o.Size < 0 || (sizeGiven && o.Size == 0) {
		return usageErrorf("invalid --size %d: must be at least 1", o.Size)
	}
	if err := api.ValidateSort(o.Sort); err != nil {
		return &UsageError{Err: err}
	}
	return nil
}

// describeResource names a resource for messages: "instance 42 (web01)".
func describeResource(kind string, id int64, arg string) string {
	if arg != fmt.Sprint(id) {
		return fmt.Sprintf("%s %d (%s)", kind, id, arg)
	}
	return fmt.Sprintf("%s %d", kind, id)
}
