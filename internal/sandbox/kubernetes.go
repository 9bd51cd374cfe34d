package sandbox

// Kubernetes clusters and their nodes: /compute/containers/kubernetes.

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

const (
	firstClusterID = 3101
	firstNodeID    = 61001
	maxNodesNb     = 20
)

var sortableClusterFields = []string{"id", "name", "status", "environment", "serviceId", "serviceKey", "cloudId",
	"topology", "version", "region", "area", "nodesCount", "vlan", "ipAddress", "creationTime", "creationUser",
	"backupStatus", "recoveryStatus", "includedInPatchParty"}

var (
	k8sVersions  = []string{"v1.26.15", "v1.27.16", "v1.28.13", "v1.29.8"}
	regionAZs    = map[string][]string{"EB": {"EB-A", "EB-B", "EB-C"}, "ET": {"ET-A", "ET-B"}}
	nodeSizingRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([1-9][0-9]{0,2})cpu([1-9][0-9]{0,3})gb$`) })
)

type fixedCluster struct {
	name, env, topology, version, status string
	service                              int64
	region                               string
	workers, ingress                     int
}

// fixedClusters open the seed so that tests can rely on them: an HA
// cluster, a cluster with a single worker and a single ingress node, an
// INACTIVE one.
var fixedClusters = []fixedCluster{
	{"pk8sapp01", "PRODUCTION", "HA", "v1.28.13", "ACTIVE", 2101, "EB", 6, 3},
	{"qk8sapp01", "QA", "STANDARD", "v1.28.13", "ACTIVE", 2101, "EB", 2, 1},
	{"dk8slab01", "DEVELOPMENT", "STANDARD", "v1.26.15", "ACTIVE", 2108, "EB", 1, 1},
	{"ek8stest01", "TEST", "STANDARD", "v1.27.16", "INACTIVE", 2103, "ET", 2, 1},
}

const seededClusters = 12

func init() {
	register(family.Kubernetes, &familyImpl{seed: (*Server).seedKubernetes, rngSeed: 0x6B3855EED, sortable: sortableClusterFields,
		product: func(m map[string]any) string { return "Kubernetes " + sval(m, "version") },
		operate: (*Server).patchCluster, sub: (*Server).nodesSub})
}

// seedKubernetes creates the clusters and their nodes.
func (s *Server) seedKubernetes(r *rng) {
	for i, f := range seedRecords(seededClusters, fixedClusters, func(f fixedCluster) string { return f.name }, func(names *nameGen) fixedCluster {
		env := randomEnv(r)
		name := names.next(env.letter + "k8s" + pick(r, []string{"app", "web", "data", "api", "ci", "tools", "ml"}))
		f := fixedCluster{name: name, env: env.name, topology: "STANDARD", version: pick(r, k8sVersions),
			service: pick(r, services).id}
		f.region, f.status = randomPlacement(r, 25, 10)
		if env.name == "PRODUCTION" && r.percent(70) || r.percent(15) {
			f.topology = "HA"
		}
		if f.topology == "HA" {
			f.workers, f.ingress = 3+r.intn(4), 2+r.intn(2)
		} else {
			f.workers, f.ingress = 1+r.intn(4), 1+r.intn(2)
		}
		return f
	}) {
		s.genCluster(r, int64(firstClusterID+i), f)
	}
}

func (s *Server) genCluster(r *rng, id int64, f fixedCluster) {
	svc, _ := serviceByID(f.service)
	env := envByName(f.env)
	vl := vlanFor(f.region, f.env, false)
	azs := regionAZs[f.region]
	if f.topology == "STANDARD" {
		azs = []string{pick(r, azs)}
	}
	created := seedDate(r, 365, 5*365)
	prod := f.env == "PRODUCTION"
	tags := seedTags(r, svc.app, []string{"team-infra", "team-data", "team-web", "team-platform"})
	cl := seedBase(id, f.name, f.status, f.env, svc)
	maps.Copy(cl, map[string]any{
		"topology":             f.topology,
		"version":              f.version,
		"region":               f.region,
		"area":                 f.region + "-" + env.area,
		"availabilityZones":    azs,
		"nodesCount":           0,
		"vlan":                 vl.name,
		"ipAddress":            s.famIPLocked(vl.prefix, 3),
		"apiServerUrl":         fmt.Sprintf("https://%s.k8s.%s.hosting.cegedim.cloud:6443", f.name, strings.ToLower(f.region)),
		"creationTime":         formatDate(created),
		"creationUser":         pick(r, creators),
		"tags":                 tags,
		"backupStatus":         prod || r.percent(30),
		"recoveryStatus":       prod && f.topology == "HA",
		"includedInPatchParty": r.percent(80),
	})
	s.fam.items[typeKubernetes][id] = mustNormalize(cl)
	nodeStatus := "ACTIVE"
	if f.status != "ACTIVE" {
		nodeStatus = "INACTIVE"
	}
	workerSizing := pick(r, []string{"4cpu16gb", "8cpu32gb", "4cpu8gb", "8cpu16gb"})
	masters := 1
	if f.topology == "HA" {
		masters = 3
	}
	when := created.Add(10 * time.Minute)
	for _, g := range []struct {
		role, sizing string
		n            int
	}{{"master", "4cpu8gb", masters}, {"ingress", "2cpu4gb", f.ingress}, {"worker", workerSizing, f.workers}} {
		for i := range g.n {
			s.addNodeLocked(id, g.role, g.sizing, azs[i%len(azs)], nodeStatus, when)
			when = when.Add(time.Duration(1+r.intn(5)) * time.Minute)
		}
	}
}

// addNodeLocked appends a node to cluster id and refreshes the cluster.
func (s *Server) addNodeLocked(clusterID int64, role, sizing, az, status string, created time.Time) map[string]any {
	cl := s.fam.items[typeKubernetes][clusterID]
	if s.fam.nodeSeq[clusterID] == nil {
		s.fam.nodeSeq[clusterID] = map[string]int{}
	}
	s.fam.nodeSeq[clusterID][role]++
	cpu, ram := 0, 0
	if m := nodeSizingRE().FindStringSubmatch(sizing); m != nil {
		cpu, _ = strconv.Atoi(m[1])
		ram, _ = strconv.Atoi(m[2])
	}
	vl, _ := find(vlanSpecs, vlanSpec{prefix: "10.99.0"}, func(v vlanSpec) bool { return v.name == sval(cl, "vlan") })
	node := mustNormalize(map[string]any{
		"id":           s.fam.nextNodeID,
		"name":         fmt.Sprintf("%s-%s-%02d", sval(cl, "name"), role, s.fam.nodeSeq[clusterID][role]),
		"status":       status,
		"role":         role,
		"sizing":       sizing,
		"cpu":          cpu,
		"ram":          ram,
		"az":           az,
		"ipAddress":    s.famIPLocked(vl.prefix, 4),
		"clusterId":    clusterID,
		"creationTime": formatDate(created),
	})
	s.fam.nextNodeID++
	s.fam.nodes[clusterID] = append(s.fam.nodes[clusterID], node)
	s.refreshClusterLocked(clusterID)
	return node
}

// refreshClusterLocked recomputes nodesCount and availabilityZones (the
// zones of its nodes) from the nodes of a cluster.
func (s *Server) refreshClusterLocked(clusterID int64) {
	cl := s.fam.items[typeKubernetes][clusterID]
	if cl == nil {
		return
	}
	var azs []any
	for _, n := range s.fam.nodes[clusterID] {
		if az := sval(n, "az"); !slices.Contains(azs, any(az)) {
			azs = append(azs, az)
		}
	}
	slices.SortFunc(azs, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	cl["availabilityZones"] = azs
	cl["nodesCount"] = jsonInt(int64(len(s.fam.nodes[clusterID])))
}

// nodesSub serves the nodes of a cluster: GET .../nodes, GET and DELETE
// .../nodes/{nodeId}.
func (s *Server) nodesSub(c *call, cl map[string]any, _, item string) reply {
	id, _ := ival(cl, "id")
	if item == "" {
		return jsonReply(http.StatusOK, append([]map[string]any{}, s.fam.nodes[id]...)) // in id order, [] for none
	}
	nodeID, rep := pathID(item, "nodeId", "node")
	if rep != nil {
		return *rep
	}
	i, rep := s.nodeLocked(id, nodeID)
	switch {
	case rep != nil:
		return *rep
	case c.is(http.MethodGet):
		return jsonReply(http.StatusOK, s.fam.nodes[id][i])
	}
	return s.deleteNode(c, cl, s.fam.nodes[id][i])
}

func (s *Server) nodeLocked(clusterID, nodeID int64) (int, *reply) {
	for i, n := range s.fam.nodes[clusterID] {
		if id, _ := ival(n, "id"); id == nodeID {
			return i, nil
		}
	}
	rep := apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "nodeId",
		fmt.Sprintf("no such node %d in Kubernetes cluster %d", nodeID, clusterID))
	return 0, &rep
}

type nodeRequest struct {
	n      int
	sizing string
	az     string
}

// patchCluster answers PATCH /compute/containers/kubernetes/{id}
// {"operation":"create_nodes","options":{"nodes":[{"nodesNb","nodeSizing","az"}]}}
// (documented).
func (s *Server) patchCluster(c *call, cl map[string]any, _ string, options map[string]any) reply {
	id, _ := ival(cl, "id")
	raw, ok := options["nodes"].([]any)
	if !ok || len(raw) == 0 {
		return badValue("options.nodes", "options.nodes must be a non-empty array of {nodesNb, nodeSizing, az}")
	}
	region := sval(cl, "region")
	var reqs []nodeRequest
	total := 0
	for i, x := range raw {
		field := fmt.Sprintf("options.nodes[%d]", i)
		e, ok := x.(map[string]any)
		if !ok {
			return badValue(field, "%s must be an object {nodesNb, nodeSizing, az}", field)
		}
		n, ok := ival(e, "nodesNb")
		if _, isNum := e["nodesNb"].(string); isNum || !ok || n < 1 || n > maxNodesNb {
			return badValue(field+".nodesNb", "%s.nodesNb must be an integer from 1 to %d", field, maxNodesNb)
		}
		sizing, rep := optionalString(e, "nodeSizing")
		if rep != nil {
			return badValue(field+".nodeSizing", "%s.nodeSizing must be a string", field)
		}
		sizing = strings.ToLower(strings.TrimSpace(sizing))
		if !nodeSizingRE().MatchString(sizing) {
			return badValue(field+".nodeSizing", "%s.nodeSizing %q is not a sizing like 2cpu4gb", field, sizing)
		}
		az, rep := optionalString(e, "az")
		if rep != nil {
			return badValue(field+".az", "%s.az must be a string", field)
		}
		az = strings.ToUpper(strings.TrimSpace(az))
		if !slices.Contains(regionAZs[region], az) {
			return badValue(field+".az", "%s.az %q is not an availability zone of region %s (%s)", field, az, region,
				strings.Join(regionAZs[region], ", "))
		}
		reqs = append(reqs, nodeRequest{int(n), sizing, az})
		total += int(n)
	}
	name := sval(cl, "name")
	return s.changeLocked(c, change{fam: family.Kubernetes, m: cl, op: "create_nodes", process: "create-nodes", requires: "ACTIVE",
		what:    fmt.Sprintf("addition of %d node(s)", total),
		running: fmt.Sprintf("Adding %d node(s) to Kubernetes cluster %s", total, name),
		done:    fmt.Sprintf("%d node(s) added to Kubernetes cluster %s", total, name),
		onSuccess: func(when time.Time) {
			for _, r := range reqs {
				for range r.n {
					s.addNodeLocked(id, "worker", r.sizing, r.az, "ACTIVE", when)
				}
			}
		},
	})
}

// deleteNode answers DELETE /compute/containers/kubernetes/{id}/nodes/{nodeId}
// (documented); the last worker and the last ingress node cannot be deleted
// (documented: BAD_REQUEST), nor can master nodes (sandbox choice).
func (s *Server) deleteNode(c *call, cl, node map[string]any) reply {
	if rep := changeRefBody(c); rep != nil {
		return *rep
	}
	id, _ := ival(cl, "id")
	nodeID, _ := ival(node, "id")
	role, nodeName, name := sval(node, "role"), sval(node, "name"), sval(cl, "name")
	if role == "master" {
		return apiError(http.StatusBadRequest, "NODE_DELETION_REFUSED", "nodeId",
			fmt.Sprintf("node %d (%s) is a master node of Kubernetes cluster %s; master nodes cannot be deleted", nodeID, nodeName, name))
	}
	same := 0
	for _, n := range s.fam.nodes[id] {
		if sval(n, "role") == role {
			same++
		}
	}
	if same <= 1 {
		return apiError(http.StatusBadRequest, "NODE_DELETION_REFUSED", "nodeId",
			fmt.Sprintf("node %d (%s) is the last %s node of Kubernetes cluster %s; a cluster keeps at least one worker and one ingress node",
				nodeID, nodeName, role, name))
	}
	prev := sval(node, "status")
	return s.changeLocked(c, change{fam: family.Kubernetes, m: cl, op: "delete-node", process: "delete-node", requires: "ACTIVE",
		what:    fmt.Sprintf("deletion of node %d (%s)", nodeID, nodeName),
		running: fmt.Sprintf("Deleting node %s of Kubernetes cluster %s", nodeName, name),
		done:    fmt.Sprintf("Node %s of Kubernetes cluster %s deleted", nodeName, name),
		started: func() { node["status"] = "DELETING" },
		onSuccess: func(time.Time) {
			s.fam.nodes[id] = slices.DeleteFunc(s.fam.nodes[id], func(n map[string]any) bool {
				nid, _ := ival(n, "id")
				return nid == nodeID
			})
			s.refreshClusterLocked(id)
		},
		onError: func() { node["status"] = prev },
	})
}
