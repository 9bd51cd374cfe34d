package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

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
  itcare instances delete 10042 --yes --change-ref RFC_1234`,
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
		GetExample:  `  itcare kubernetes get pk8sapp01 -o yaml`,
		Subcommands: kubernetesSubcommands,
	},
	family.LoadBalancers.Name: {
		ListExample: `  itcare loadbalancers list --protocol HTTPS
  itcare lb list --env PRODUCTION -o wide`,
		GetExample: `  itcare loadbalancers get plbweb01 -o yaml`,
	},
	family.Overdrive.Name: {
		ListExample: `  itcare overdrive list`,
		GetExample:  `  itcare overdrive get podshare01`,
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

var sizingRE = regexp.MustCompile(`^[0-9]+cpu[0-9]+gb$`)

// createNodes is the table's operation behind `kubernetes nodes add`.
var createNodes, _ = family.Kubernetes.Operation("create_nodes")

func kubernetesSubcommands(f *Factory, s *familySpec) []*cobra.Command {
	nodes := &cobra.Command{
		Use:   "nodes <command>",
		Short: "List, add and delete the nodes of a Kubernetes cluster",
		Args:  cobra.NoArgs,
	}
	nodes.AddCommand(
		subListCmd(f, s, "list <cluster>", "List the nodes of a cluster", "nodes", nodeColumns,
			"  itcare kubernetes nodes list pk8sapp01", "nodes"),
		subObjectCmd(f, s, "get <cluster> <node>", "Show one node of a cluster", nodeColumns,
			"  itcare kubernetes nodes get pk8sapp01 7", "nodes", true),
		newNodesAddCmd(f, s),
		newNodesDeleteCmd(f, s),
	)
	return []*cobra.Command{nodes}
}

func newNodesAddCmd(f *Factory, s *familySpec) *cobra.Command {
	var (
		fl     fleetFlags
		count  int
		sizing string
		az     string
	)
	cmd := &cobra.Command{
		Use:   "add <cluster>...",
		Short: "Add worker nodes to clusters in one availability zone",
		Long: `Adds --count worker nodes of one size (--sizing, CPUs and GB of RAM such as
2cpu4gb) to clusters in one availability zone (--az), then waits for the
actions. Several clusters may be given: they are changed --max-parallel at a
time under a live board, as 'itcare instances stop --help' describes.`,
		Example: `  itcare kubernetes nodes add pk8sapp01 --count 2 --sizing 2cpu4gb --az EB-A`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if count < 1 {
				return usageErrorf("invalid --count %d: at least 1", count)
			}
			if !sizingRE.MatchString(sizing) {
				return usageErrorf("invalid --sizing %q: want CPUcpuRAMgb, e.g. 2cpu4gb", sizing)
			}
			if az == "" {
				return usageErrorf("--az is required, e.g. EB-A")
			}
			options := map[string]any{"nodes": []any{map[string]any{"nodesNb": count, "nodeSizing": sizing, "az": az}}}
			return s.runFleet(cmd.Context(), f, &fl, args, changeSpec{Op: "add-nodes", Done: "grown", Rule: operationRule(createNodes),
				Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
					return fam.Operate(ctx, id, "create_nodes", options)
				}})
		},
	}
	s.registerFleet(cmd, &fl, false)
	cmd.Flags().IntVar(&count, "count", 1, "number of nodes to add")
	cmd.Flags().StringVar(&sizing, "sizing", "", "node sizing, e.g. 2cpu4gb (required)")
	cmd.Flags().StringVar(&az, "az", "", "availability zone of the new nodes, e.g. EB-A (required)")
	return cmd
}

func newNodesDeleteCmd(f *Factory, s *familySpec) *cobra.Command {
	var fl fleetFlags
	cmd := &cobra.Command{
		Use:   "delete <cluster> <node>...",
		Short: "Delete nodes of a cluster (irreversible)",
		Long: `Deletes nodes of one cluster. The API refuses to delete the last worker or the
last ingress node. On a terminal you are asked to confirm; elsewhere --yes is
required. The cluster's nodes are read first for their names: an unknown node
id sends nothing.`,
		Example: `  itcare kubernetes nodes delete pk8sapp01 7 --yes
  itcare kubernetes nodes delete pk8sapp01 7 8 9 --yes --max-parallel 1`,
		Aliases: []string{"rm"},
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var cluster int64
			return s.runFleet(cmd.Context(), f, &fl, args[1:], changeSpec{Op: "delete", Done: "deleted", Destructive: true,
				Kind: "node", Plural: "nodes",
				Resolve: func(ctx context.Context, fam *api.Family, nodes []string) ([]fleet.Target, []fleet.Problem, error) {
					var err error
					if cluster, err = fam.Resolve(ctx, args[0]); err != nil {
						return nil, nil, err
					}
					return clusterNodes(ctx, fam, cluster, nodes)
				},
				Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
					return fam.Delete(ctx, cluster, "", "nodes", strconv.FormatInt(id, 10))
				}})
		},
	}
	s.registerFleet(cmd, &fl, false)
	return cmd
}

// clusterNodes reads the nodes of a cluster once and picks the ones named
// by their ids.
func clusterNodes(ctx context.Context, fam *api.Family, cluster int64, args []string) ([]fleet.Target, []fleet.Problem, error) {
	raw, err := fam.GetSub(ctx, cluster, "nodes")
	if err != nil {
		return nil, nil, err
	}
	list, err := api.ItemsOf(raw)
	if err != nil {
		return nil, nil, err
	}
	var items []api.Object
	if err := json.Unmarshal(list, &items); err != nil {
		return nil, nil, fmt.Errorf("reading the nodes of cluster %d: %w", cluster, err)
	}
	known := map[int64]fleet.Target{}
	for _, it := range items {
		n := it.Summary()
		known[n.ID] = fleet.Target{ID: n.ID, Name: n.Name, Status: n.Status}
	}
	var targets []fleet.Target
	var problems []fleet.Problem
	seen := map[int64]bool{}
	for _, a := range args {
		id, perr := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
		t, ok := known[id]
		switch {
		case perr != nil:
			problems = append(problems, fleet.Problem{Arg: a, Err: fmt.Errorf("node %q: node ids are numbers", a)})
		case !ok:
			problems = append(problems, fleet.Problem{Arg: a, Err: fmt.Errorf("no node %d in cluster %d", id, cluster)})
		case !seen[id]:
			seen[id] = true
			t.Arg = a
			targets = append(targets, t)
		}
	}
	return targets, problems, nil
}
