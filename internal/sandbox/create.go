package sandbox

// Creation of resources: POST on a family's collection. The body is checked
// against its declaration in internal/family (the documented fields and
// constraints): the first broken rule is a 400 naming the field. A name
// already taken is a 409. The resource appears at once with status
// CREATING (sandbox choice) and becomes ACTIVE when its action succeeds; it
// is removed when the action fails.

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

const statusCreating = "CREATING"

// builder makes the new resource from a checked body.
type builder func(s *Server, c *call, id int64, b map[string]any) map[string]any

// builders are the families the sandbox can create, by family name.
var builders = map[string]builder{
	family.Instances.Name:     buildInstance,
	family.Kubernetes.Name:    buildCluster,
	family.LoadBalancers.Name: buildLoadBalancer,
	family.Overdrive.Name:     buildOverdrive,
	family.PostgreSQL.Name:    buildPostgreSQL,
}

// checkBody is the 400 for the first rule body breaks.
func checkBody(fields family.Fields, b map[string]any) *reply {
	vs := fields.Check(b)
	if len(vs) == 0 {
		return nil
	}
	rep := badValue(vs[0].Field, "%s", vs[0].String())
	return &rep
}

// nextIDLocked is one more than every id the family has had (deleted
// resources keep their /compute/resources key, so ids are not reused).
func (s *Server) nextIDLocked(typ string) int64 {
	next := int64(1)
	for id := range s.itemsLocked(typ) {
		next = max(next, id+1)
	}
	for k := range s.fam.resourceIDs {
		if k.typ == typ {
			next = max(next, k.id+1)
		}
	}
	return next
}

// createLocked answers POST {path} with the family's declared body.
func (s *Server) createLocked(c *call, f *family.Family) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	b, rep := jsonBody(c, true)
	if rep != nil {
		return *rep
	}
	if rep := checkBody(f.Create.Fields, b); rep != nil {
		return *rep
	}
	unique := f.Create.NameKey() // no two resources of a family share it
	want := sval(b, unique)
	items := s.itemsLocked(f.ResourceType)
	for _, m := range s.orderedLocked(f.ResourceType) {
		if strings.EqualFold(sval(m, unique), want) {
			id, _ := ival(m, "id")
			return apiError(http.StatusConflict, "ALREADY_EXISTS", unique,
				fmt.Sprintf("%s with %s %q already exists (id %d)", upperFirst(f.Noun.Singular), unique, want, id))
		}
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: creation of %s %q is valid; nothing was done", f.Noun.A(), want))
	}
	id := s.nextIDLocked(f.ResourceType)
	m := builders[f.Name](s, c, id, b)
	m["status"] = statusCreating
	items[id] = m
	s.syncResourceIDsLocked()
	name, noun := sval(m, "name"), f.Noun.Singular
	return s.startFamilyActionLocked(c, familyAction{
		key: resKey{f.ResourceType, id}, m: m, op: "create", process: f.Create.Process,
		running:   fmt.Sprintf("Creating %s %s", noun, name),
		done:      fmt.Sprintf("%s %s created", upperFirst(noun), name),
		onSuccess: func(time.Time) { m["status"] = "ACTIVE" },
		onError:   func() { delete(items, id) },
	})
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// serviceOf is the seeded service with that id, or a made-up one.
func serviceOf(b map[string]any) service {
	sid, ok := ival(b, "serviceId")
	if svc, known := serviceByID(sid); known {
		return svc
	}
	if !ok {
		return services[len(services)-1]
	}
	return service{id: sid, key: fmt.Sprintf("SVC%d", sid), app: fmt.Sprintf("svc%d", sid), cloud: 300}
}

// regionOf reads the region from an az or area such as EB-A or EB-QA.
func regionOf(b map[string]any) string {
	for _, k := range []string{"region", "az", "area"} {
		if v, _, _ := strings.Cut(sval(b, k), "-"); v != "" {
			return strings.ToUpper(v)
		}
	}
	return "EB"
}

// sizingOf reads 2cpu4gb-style sizings.
func sizingOf(sizing string) (cpu, ram int64, ok bool) {
	m := nodeSizingRE().FindStringSubmatch(sizing)
	if m == nil {
		return 0, 0, false
	}
	cpu, _ = strconv.ParseInt(m[1], 10, 64)
	ram, _ = strconv.ParseInt(m[2], 10, 64)
	return cpu, ram, true
}

func buildInstance(s *Server, c *call, id int64, b map[string]any) map[string]any {
	o := osSpecs[0]
	for _, spec := range osSpecs {
		if strings.HasPrefix(strings.ToLower(sval(b, "productCode")), spec.code) {
			o = spec
		}
	}
	svc := serviceOf(b)
	user := map[string]any{
		"id": id, "name": sval(b, "name"), "type": o.typ, "family": o.family, "serviceId": svc.id,
		"productCode": sval(b, "productCode"), "resourceId": sval(b, "resourceId"),
		"labelRegion": regionOf(b), "region": regionOf(b),
		"labelAvailabilityZone": sval(b, "az"), "availabilityZone": sval(b, "az"),
		"labelArea": sval(b, "area"), "area": sval(b, "area"), "creationUser": c.client,
		"tags": []any{},
	}
	if cpu, ram, ok := sizingOf(sval(b, "resourceId")); ok {
		user["cpu"], user["ram"] = cpu, ram
	}
	s.addInstanceLocked(user)
	return s.instances[id]
}

func buildCluster(s *Server, c *call, id int64, b map[string]any) map[string]any {
	svc := serviceOf(b)
	region := regionOf(b)
	topology := sval(b, "topology")
	if topology == "" {
		topology = "STANDARD"
	}
	version := sval(b, "version")
	if version == "" {
		version = k8sVersions[len(k8sVersions)-1]
	}
	vl := vlanFor(region, "DEVELOPMENT", false)
	cl := mustNormalize(map[string]any{
		"id": id, "name": sval(b, "name"), "environment": "DEVELOPMENT", "serviceId": svc.id, "serviceKey": svc.key,
		"cloudId": svc.cloud, "topology": topology, "version": version, "region": region, "area": sval(b, "area"),
		"availabilityZones": []any{sval(b, "az")}, "nodesCount": 0, "vlan": sval(b, "networkId"),
		"ipAddress":    s.famIPLocked(vl.prefix, 3),
		"apiServerUrl": fmt.Sprintf("https://%s.k8s.%s.hosting.cegedim.cloud:6443", sval(b, "name"), strings.ToLower(region)),
		"productCode":  sval(b, "productCode"), "creationTime": formatDate(s.now()), "creationUser": c.client,
		"tags": []any{}, "backupStatus": false, "recoveryStatus": false, "includedInPatchParty": false,
	})
	s.fam.items[typeKubernetes][id] = cl
	masters := 1
	if topology == "HA" {
		masters = 3
	}
	for _, g := range []struct {
		role, sizing string
		n            int
	}{{"master", "4cpu8gb", masters}, {"ingress", "2cpu4gb", 1}, {"worker", sval(b, "nodeSizing"), 2}} {
		for range g.n {
			s.addNodeLocked(id, g.role, g.sizing, sval(b, "az"), "ACTIVE", s.now())
		}
	}
	return cl
}

func buildLoadBalancer(s *Server, c *call, id int64, b map[string]any) map[string]any {
	svc := serviceOf(b)
	region := regionOf(b)
	vl := vlanFor(region, "DEVELOPMENT", false)
	port, _ := ival(b, "portMembers")
	var members []any
	for i, name := range b["members"].([]any) {
		members = append(members, map[string]any{
			"id": id*100 + int64(i) + 1, "name": name, "ip": s.famIPLocked(vl.prefix, 2), "port": port,
			"state": "enabled", "status": "up", "area": sval(b, "area"), "technicalNetwork": sval(b, "networkId"),
		})
	}
	url := sval(b, "url")
	return mustNormalize(map[string]any{
		"id": id, "name": url, "environment": "DEVELOPMENT", "serviceId": svc.id, "serviceKey": svc.key,
		"cloudId": svc.cloud, "region": region, "area": sval(b, "area"), "vlan": sval(b, "networkId"),
		"vip": s.famIPLocked(vl.prefix, 3), "protocol": sval(b, "profileName"), "profileName": sval(b, "profileName"),
		"portMembers": port, "url": url, "domain": sval(b, "domain"),
		"urls": []any{map[string]any{"id": s.nextURLIDLocked(), "name": url, "sslProfile": nil,
			"dnsEnabled": bval(b, "setUpDNSEnabled"), "monitoringEnabled": false, "onCallSupervision": false}},
		"loadBalancingMode": "round-robin", "persistence": sval(b, "persistence"), "healthcheck": b["healthcheck"],
		"redirectToHttps": bval(b, "redirectToHttps"), "iRules": []any{}, "monitoringEnabled": false,
		"onCallSupervision": false, "members": members, "tags": []any{},
		"creationTime": formatDate(s.now()), "creationUser": c.client,
	})
}

func buildOverdrive(s *Server, c *call, id int64, b map[string]any) map[string]any {
	svc := serviceOf(b)
	// The password is checked, never stored nor echoed.
	return mustNormalize(map[string]any{
		"id": id, "name": sval(b, "name"), "sizing": sval(b, "sizing"), "region": sval(b, "region"),
		"environment": "DEVELOPMENT", "serviceId": svc.id, "serviceKey": svc.key, "cloudId": svc.cloud,
		"driveSiteUri": sval(b, "driveSiteUri"), "creationTime": formatDate(s.now()), "creationUser": c.client,
	})
}

// nextURLIDLocked is one more than every load balancer URL id.
func (s *Server) nextURLIDLocked() int64 {
	next := int64(1)
	for _, lb := range s.itemsLocked(typeLoadBalancer) {
		for _, u := range asMaps(lb["urls"]) {
			if id, ok := ival(u, "id"); ok {
				next = max(next, id+1)
			}
		}
	}
	return next
}

func asMaps(v any) []map[string]any {
	l, _ := v.([]any)
	out := make([]map[string]any, 0, len(l))
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// buildPostgreSQL makes a database; the administrator password is checked,
// never stored nor echoed.
func buildPostgreSQL(s *Server, c *call, id int64, b map[string]any) map[string]any {
	svc := serviceOf(b)
	region := regionOf(b)
	name := sval(b, "name")
	_, version, ok := strings.Cut(sval(b, "productCode"), "pg") // deb12pg16: PostgreSQL 16
	if !ok || version == "" {
		version = "16"
	}
	m := seedBase(id, name, statusCreating, "DEVELOPMENT", svc)
	maps.Copy(m, map[string]any{
		"version": version,
		"sizing":  sval(b, "nodeSizing"), "region": region, "area": sval(b, "area"), "az": sval(b, "az"),
		"endpoint":         fmt.Sprintf("%s.pg.%s.hosting.cegedim.cloud", name, strings.ToLower(region)),
		"port":             5432,
		"storageGb":        b["diskSize"],
		"topology":         sval(b, "topology"),
		"highAvailability": sval(b, "topology") == "HA",
		"nodePrefix":       b["nodePrefix"],
		"tls":              bval(b, "tls"),
		"trigram":          b["trigram"],
		"productCode":      sval(b, "productCode"),
		"networkId":        sval(b, "networkId"),
		"tags":             []any{},
		"creationTime":     formatDate(s.now()),
		"creationUser":     c.client,
	})
	return mustNormalize(m)
}
