package sandbox

// Creation of resources: POST on a family's collection. The body is checked
// against its declaration in internal/family (the documented fields and
// constraints): the first broken rule is a 400 naming the field. A name
// already taken is a 409. The resource appears at once with status
// CREATING (sandbox choice) and becomes ACTIVE when its action succeeds; it
// is removed when the action fails.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

const statusCreating = "CREATING"

// createSpec describes the creation of one family's resources.
type createSpec struct {
	typ     string // resource type: INSTANCE...
	kind    string // for messages: "instance"
	body    *family.Body
	process string // create-instance
	first   int64  // id of the first resource of the family
	// add stores the new resource from the checked body and returns it.
	add func(s *Server, c *call, id int64, b map[string]any) map[string]any
}

// checkBody is the 400 for the first rule body breaks.
func checkBody(spec *family.Body, b map[string]any) *reply {
	vs := spec.Check(b)
	if len(vs) == 0 {
		return nil
	}
	rep := badValue(vs[0].Field, "%s", vs[0].String())
	return &rep
}

// nextIDLocked is one more than every id the family has had (deleted
// resources keep their /compute/resources key, so ids are not reused).
func (s *Server) nextIDLocked(typ string, first int64) int64 {
	next := first
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

// createLocked answers POST {family}.
func (s *Server) createLocked(c *call, cs createSpec) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	b, rep := jsonBody(c, true)
	if rep != nil {
		return *rep
	}
	if rep := checkBody(cs.body, b); rep != nil {
		return *rep
	}
	unique := cs.body.NameKey() // no two resources of a family share it
	want := sval(b, unique)
	items := s.itemsLocked(cs.typ)
	for _, m := range byID(items) {
		if strings.EqualFold(sval(m, unique), want) {
			id, _ := ival(m, "id")
			return apiError(http.StatusConflict, "ALREADY_EXISTS", unique,
				fmt.Sprintf("%s with %s %q already exists (id %d)", upperFirst(cs.kind), unique, want, id))
		}
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: creation of %s %q is valid; nothing was done", cs.kind, want))
	}
	id := s.nextIDLocked(cs.typ, cs.first)
	m := cs.add(s, c, id, b)
	m["status"] = statusCreating
	items[id] = m
	s.syncResourceIDsLocked()
	name := sval(m, "name")
	return s.startFamilyActionLocked(c, familyAction{
		key: resKey{cs.typ, id}, m: m, op: "create", process: cs.process,
		running:   fmt.Sprintf("Creating %s %s", cs.kind, name),
		done:      fmt.Sprintf("%s %s created", upperFirst(cs.kind), name),
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
	m := nodeSizingRE.FindStringSubmatch(sizing)
	if m == nil {
		return 0, 0, false
	}
	cpu, _ = strconv.ParseInt(m[1], 10, 64)
	ram, _ = strconv.ParseInt(m[2], 10, 64)
	return cpu, ram, true
}

var instanceCreate = createSpec{
	typ: typeInstance, kind: "instance", body: &family.InstanceCreate, process: "create-instance", first: firstInstanceID,
	add: func(s *Server, c *call, id int64, b map[string]any) map[string]any {
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
	},
}

var kubernetesCreate = createSpec{
	typ: typeKubernetes, kind: "Kubernetes cluster", body: &family.KubernetesCreate, process: "create-kubernetes", first: firstClusterID,
	add: func(s *Server, c *call, id int64, b map[string]any) map[string]any {
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
		s.fam.clusters[id] = cl
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
	},
}

var loadBalancerCreate = createSpec{
	typ: typeLoadBalancer, kind: "load balancer", body: &family.LoadBalancerCreate, process: "create-lb", first: firstLoadBalancerID,
	add: func(s *Server, c *call, id int64, b map[string]any) map[string]any {
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
	},
}

var overdriveCreate = createSpec{
	typ: typeOverdrive, kind: "Overdrive volume", body: &family.OverdriveCreate, process: "create-overdrive", first: firstOverdriveID,
	add: func(s *Server, c *call, id int64, b map[string]any) map[string]any {
		svc := serviceOf(b)
		// The password is checked, never stored nor echoed.
		return mustNormalize(map[string]any{
			"id": id, "name": sval(b, "name"), "sizing": sval(b, "sizing"), "region": sval(b, "region"),
			"environment": "DEVELOPMENT", "serviceId": svc.id, "serviceKey": svc.key, "cloudId": svc.cloud,
			"driveSiteUri": sval(b, "driveSiteUri"), "creationTime": formatDate(s.now()), "creationUser": c.client,
		})
	},
}

// nextURLIDLocked is one more than every load balancer URL id.
func (s *Server) nextURLIDLocked() int64 {
	next := int64(1)
	for _, lb := range s.fam.lbs {
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
