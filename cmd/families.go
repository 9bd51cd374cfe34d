package cmd

import (
	"context"
	"regexp"
	"strconv"
	"sync"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/fleet"
	"github.com/itcare-cli/itcare/internal/output"
)

// The command-line side of the families: examples and family-specific
// subcommands. Everything else comes from the table (internal/family).
var familyHelps = map[string]familyHelp{
	family.Instances.Name: {
		ListExample: `  itcare instances list
  itcare instances list --env PRODUCTION --status ACTIVE --family DEBIAN
  itcare instances list --name web01 --name '!web02' --tag application:itcare
  itcare instances list --all --sort name,desc -o json --jq '.[].name'
  itcare instances list -o columns=ID,NAME,IP --no-header`,
		GetExample: `  itcare instances get 10042
  itcare instances get pdeb12web01 -o yaml`,
		DeleteExample: `  itcare instances stop pdeb12web01 && itcare instances delete pdeb12web01
  itcare instances delete 10004 --yes --change-ref RFC_1234`,
		CreateExample: `  itcare instances create --name pdeb12web09 --service-id 2101 --resource-id 2cpu4gb \
    --product-code deb12 --area EB-QA --az EB-A --dry-run
  echo '{"name": "pdeb12web10", "serviceId": 2101, "resourceId": "2cpu4gb", "area": "EB-QA", "az": "EB-A"}' | \
    itcare instances create --from-file - --product-code deb12 --set backupPolicy=DAILY-30D`,
		Subcommands: instanceSubcommands,
	},
	family.Resources.Name: {
		ListExample: `  itcare resources list
  itcare resources list --resource-type KUBERNETES --env PRODUCTION
  itcare resources list --all -o json --jq 'group_by(.resourceType) | map({(.[0].resourceType): length}) | add'`,
		GetExample: `  itcare resources get 20001 -o yaml`,
		Subcommands: func(f *Factory, s *familySpec) []*cobra.Command {
			return []*cobra.Command{newResourcesHistoryCmd(f, s)}
		},
	},
	family.Kubernetes.Name: {
		ListExample: `  itcare kubernetes list
  itcare kubernetes list --topology HA --region EB -o wide`,
		GetExample: `  itcare kubernetes get pk8sapp01 -o yaml`,
		CreateExample: `  itcare kubernetes create --name pk8sapp09 --product-code k8s128 --network-id EB_1125_DMZ8 \
    --node-sizing 4cpu16gb --area EB-QA --az EB-A --topology HA --dry-run`,
		DeleteExample: `  itcare kubernetes delete dk8slab01 --yes --change-ref RFC_1234`,
		Subcommands:   kubernetesSubcommands,
	},
	family.LoadBalancers.Name: {
		ListExample: `  itcare loadbalancers list --protocol HTTPS
  itcare lb list --env PRODUCTION -o wide`,
		GetExample: `  itcare loadbalancers get plbweb01 -o yaml`,
		CreateExample: `  itcare loadbalancers create --url shop.example.com --domain example.com --service-id 2101 \
    --area EB-QA --network-id EB_1125_DMZ8 --profile-name HTTPS --port-members 8443 \
    --members pdeb12web01,pdeb12web02 --healthcheck /health --persistence cookie --redirect-to-https --dry-run`,
		Subcommands: loadBalancerSubcommands,
	},
	family.Overdrive.Name: {
		ListExample: `  itcare overdrive list`,
		GetExample:  `  itcare overdrive get podshare01`,
		CreateExample: `  itcare overdrive create --name podshare09 --region EB --sizing M --service-id 2101 \
    --drive-site-uri https://drive.cegedim.cloud/sites/podshare09 --password-stdin < volume-password.txt
  ITCARE_OVERDRIVE_PASSWORD="$(cat volume-password.txt)" itcare overdrive create --name podshare10 \
    --region EB --sizing S --service-id 2101 --drive-site-uri https://drive.cegedim.cloud/sites/podshare10 --dry-run`,
		DeleteExample: `  itcare overdrive delete podarchive01 --yes`,
	},
	family.PostgreSQL.Name: {
		CreateExample: `  itcare postgresql create --name pgorders01 --product-code deb12pg16 --service-id 2101 \
    --node-sizing 2cpu4gb --network-id EB_1125_DMZ8 --area EB-QA --az EB-A --disk-size 40 \
    --topology HA --node-prefix PGORD --password-stdin --dry-run < admin-password.txt`,
	},
}

var nodeColumns = []output.Column{
	{Header: "ID", Path: "id"},
	{Header: "NAME", Path: "name"},
	{Header: "STATUS", Path: "status"},
	{Header: "ROLE", Path: "role"},
	{Header: "SIZING", Path: "sizing"},
	{Header: "AZ", Path: "az"},
	{Header: "IP", Path: "ipAddress", Wide: true},
	{Header: "CREATED", Path: "creationTime", Kind: output.Date, Wide: true},
}

var sizingRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+cpu[0-9]+gb$`) })

// createNodes is the table's operation behind `kubernetes nodes add`.
var createNodes, _ = family.Kubernetes.Operation("create_nodes")

func kubernetesSubcommands(f *Factory, s *familySpec) []*cobra.Command {
	nodes := subGroup("nodes", "List, add and delete the nodes of a Kubernetes cluster",
		subListCmd(f, s, "list <cluster>", "List the nodes of a cluster", "nodes", nodeColumns,
			"  itcare kubernetes nodes list pk8sapp01", "nodes"),
		subObjectCmd(f, s, "get <cluster> <node>", "Show one node of a cluster", nodeColumns,
			"  itcare kubernetes nodes get pk8sapp01 pk8sapp01-worker-01\n  itcare kubernetes nodes get pk8sapp01 61007 -o yaml", "nodes", true),
		newNodesAddCmd(f, s),
		newNodesDeleteCmd(f, s),
	)
	return []*cobra.Command{nodes}
}

// nodesAddOptions are the flags of `kubernetes nodes add`.
type nodesAddOptions struct {
	fleetFlags
	Count  int
	Sizing string // CPUs and GB of RAM: 2cpu4gb
	AZ     string
}

func newNodesAddCmd(f *Factory, s *familySpec) *cobra.Command {
	opts := &nodesAddOptions{}
	cmd := &cobra.Command{
		Use:   "add <cluster>...",
		Short: "Add worker nodes to clusters in one availability zone",
		Long: `Adds --count worker nodes of one size (--sizing, CPUs and GB of RAM such as
2cpu4gb) to clusters in one availability zone (--az), then waits for the
actions. Several clusters may be given: they are changed --max-parallel at a
time under a live board, as 'itcare instances stop --help' describes.`,
		Example: `  itcare kubernetes nodes add pk8sapp01 --count 2 --sizing 2cpu4gb --az EB-A`,
		Args:    cobra.MinimumNArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return s.runNodesAdd(cmd.Context(), f, args, opts) },
	}
	s.registerFleet(cmd, &opts.fleetFlags, false)
	cmd.Flags().IntVar(&opts.Count, "count", 1, "number of nodes to add")
	cmd.Flags().StringVar(&opts.Sizing, "sizing", "", "node sizing, e.g. 2cpu4gb (required)")
	cmd.Flags().StringVar(&opts.AZ, "az", "", "availability zone of the new nodes, e.g. EB-A (required)")
	return cmd
}

// runNodesAdd checks the nodes asked for (usage errors before anything is
// sent), then adds them to each cluster of args.
func (s *familySpec) runNodesAdd(ctx context.Context, f *Factory, args []string, opts *nodesAddOptions) error {
	if opts.Count < 1 {
		return usageErrorf("invalid --count %d: at least 1", opts.Count)
	}
	if !sizingRE().MatchString(opts.Sizing) {
		return usageErrorf("invalid --sizing %q: want CPUcpuRAMgb, e.g. 2cpu4gb", opts.Sizing)
	}
	if opts.AZ == "" {
		return usageErrorf("--az is required, e.g. EB-A")
	}
	options := map[string]any{"nodes": []any{map[string]any{"nodesNb": opts.Count, "nodeSizing": opts.Sizing, "az": opts.AZ}}}
	return s.runFleet(ctx, f, &opts.fleetFlags, args, changeSpec{Op: "add-nodes", Done: "grown", Rule: operationRule(createNodes),
		Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
			return fam.Operate(ctx, id, "create_nodes", options)
		}})
}

func newNodesDeleteCmd(f *Factory, s *familySpec) *cobra.Command {
	var fl fleetFlags
	cmd := &cobra.Command{
		Use:   "delete <cluster> <node>...",
		Short: "Delete nodes of a cluster (irreversible)",
		Long: `Deletes nodes of one cluster, given by id or name. The API refuses to delete
the last worker or the last ingress node. On a terminal you are asked to
confirm; elsewhere --yes is required. The cluster's nodes are read once: an
unknown or ambiguous node sends nothing.`,
		Example: `  itcare kubernetes nodes delete pk8sapp01 pk8sapp01-worker-06 --yes
  itcare kubernetes nodes delete pk8sapp01 61011 --yes`,
		Aliases: []string{"rm"},
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.runFleet(cmd.Context(), f, &fl, args[1:], nodesDelete(args[0]))
		},
	}
	s.registerFleet(cmd, &fl, false)
	return cmd
}

// nodesDelete is the change that deletes nodes of the cluster named
// cluster (DELETE {family}/{id}/nodes/{node}): the cluster's nodes are read
// once, and the nodes are named by id or name among them.
func nodesDelete(cluster string) changeSpec {
	var id int64
	return changeSpec{Op: "delete", Done: "deleted", Destructive: true, Kind: "node", Plural: "nodes",
		Resolve: func(ctx context.Context, fam *api.Family, nodes []string) ([]fleet.Target, []fleet.Problem, error) {
			var err error
			if id, err = fam.Resolve(ctx, cluster); err != nil {
				return nil, nil, err
			}
			items, err := fam.SubItems(ctx, id, "node", "nodes")
			if err != nil {
				return nil, nil, err
			}
			return fleet.Resolve(ctx, fleet.Items(items), "node", fam.NameParam, nodes, 1)
		},
		Send: func(ctx context.Context, fam *api.Family, node int64) (*api.Accepted, error) {
			return fam.Delete(ctx, id, "", "nodes", strconv.FormatInt(node, 10))
		}}
}
