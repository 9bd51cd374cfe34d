package sandbox

// Every resource of every family: /compute/resources (itcare-api.md §6, §7.7).

import (
	"net/http"
	"slices"
	"strings"
)

const firstResourceID = 20001

// resourceListParams: the filters of GET /compute/resources (sandbox
// choice: the endpoint is only seen in third-party code, itcare-api.md
// §7.7). resourceType (seen there) and resourceTypes (plural like the other
// filters) are both accepted and merged.
var resourceListParams = []string{"names", "types", "statuses", "environments", "services", "resourceType",
	"resourceTypes", "page", "size", "sort"}

var sortableResourceFields = []string{"id", "name", "path", "status", "environment", "serviceName", "serviceId",
	"category", "type", "family", "cloudId", "cloudName", "productName", "resourceType", "supportLevel",
	"supportPhase", "internalResourceId", "creationTime", "creationUser"}

var resourceTypes = []string{typeInstance, typeKubernetes, typeLoadBalancer, typeOverdrive}

// cloudNames names the clouds of the seeded services (sandbox choice).
var cloudNames = map[int64]string{301: "CEGEDIM-IT", 302: "CEGEDIM-CUSTOMER", 303: "CEGEDIM-HR", 304: "CEGEDIM-LABS"}

var osProducts = map[string]string{
	"deb12": "Debian 12", "deb11": "Debian 11", "rhel9": "Red Hat Enterprise Linux 9", "rhel8": "Red Hat Enterprise Linux 8",
	"cent7": "CentOS 7", "ubu22": "Ubuntu 22.04 LTS", "ubu24": "Ubuntu 24.04 LTS", "ora8": "Oracle Linux 8",
	"win22": "Windows Server 2022", "win19": "Windows Server 2019", "aix72": "AIX 7.2",
}

var familyProducts = map[string]string{
	"DEBIAN": "Debian", "RHEL": "Red Hat Enterprise Linux", "CENTOS": "CentOS", "UBUNTU": "Ubuntu",
	"ORACLE": "Oracle Linux", "WINDOWS": "Windows Server", "AIX": "AIX",
}

var resourceComments = []string{"decommission planned", "managed by the platform team", "migrated from the legacy datacenter"}

// itemsLocked is the set of the resources of type typ (nil for an unknown
// type).
func (s *Server) itemsLocked(typ string) map[int64]map[string]any {
	switch typ {
	case typeInstance:
		return s.instances
	case typeKubernetes:
		return s.fam.clusters
	case typeLoadBalancer:
		return s.fam.lbs
	case typeOverdrive:
		return s.fam.overdrive
	}
	return nil
}

// syncResourceIDsLocked gives a resource id to every resource that has none
// yet, family by family (instances, clusters, load balancers, Overdrive), in
// id order. Ids are never reused.
func (s *Server) syncResourceIDsLocked() {
	for _, typ := range resourceTypes {
		for _, m := range byID(s.itemsLocked(typ)) {
			id, _ := ival(m, "id")
			k := resKey{typ, id}
			if _, ok := s.fam.resourceIDs[k]; !ok {
				s.fam.resourceIDs[k] = s.fam.nextResourceID
				s.fam.resourceKeys[s.fam.nextResourceID] = k
				s.fam.nextResourceID++
			}
		}
	}
}

// resourceViewLocked is the /compute/resources item of resource k, or nil
// when it no longer exists.
func (s *Server) resourceViewLocked(k resKey) map[string]any {
	m := s.itemsLocked(k.typ)[k.id]
	if m == nil {
		return nil
	}
	var path, category, product string
	typ, family := k.typ, k.typ
	switch k.typ {
	case typeInstance:
		path, category, typ, family = pathInstances, "INSTANCE", sval(m, "type"), sval(m, "family")
		product = familyProducts[family]
		for _, o := range osSpecs {
			if o.family == family && strings.Contains(sval(m, "name"), o.code) {
				product = osProducts[o.code]
				break
			}
		}
		if product == "" {
			product = family
		}
	case typeKubernetes:
		path, category, product = pathKubernetes, "CONTAINER", "Kubernetes "+sval(m, "version")
	case typeLoadBalancer:
		path, category, product = pathLoadBalancers, "LOADBALANCER", "Load balancer "+sval(m, "profileName")
	case typeOverdrive:
		path, category, product = pathOverdrive, "STORAGE", "Overdrive "+sval(m, "sizing")
	}
	serviceID, _ := ival(m, "serviceId")
	cloudID, _ := ival(m, "cloudId")
	serviceName := sval(m, "serviceKey")
	if svc, ok := serviceByID(serviceID); ok && serviceName == "" {
		serviceName = svc.key
	}
	var cloudName, comment any
	if n, ok := cloudNames[cloudID]; ok {
		cloudName = n
	}
	if k.id%7 == 0 {
		comment = resourceComments[int(k.id/7)%len(resourceComments)]
	}
	supportLevel := "BUSINESS_HOURS"
	if sval(m, "environment") == "PRODUCTION" {
		supportLevel = "24/7"
	}
	return mustNormalize(map[string]any{
		"id":                 s.fam.resourceIDs[k],
		"name":               sval(m, "name"),
		"path":               path,
		"status":             sval(m, "status"),
		"environment":        sval(m, "environment"),
		"serviceName":        serviceName,
		"serviceId":          serviceID,
		"category":           category,
		"type":               typ,
		"family":             family,
		"cloudId":            cloudID,
		"cloudName":          cloudName,
		"productName":        product,
		"resourceType":       k.typ,
		"supportLevel":       supportLevel,
		"supportPhase":       "RUN",
		"internalResourceId": k.id,
		"creationTime":       m["creationTime"],
		"creationUser":       m["creationUser"],
		"comment":            comment,
	})
}

func (s *Server) resourcesRoute(c *call, rest []string) reply {
	if !c.is(http.MethodGet) {
		return methodNotAllowed(c.r.Method, http.MethodGet)
	}
	s.syncResourceIDsLocked()
	if len(rest) == 0 {
		return s.listResources(c)
	}
	id, rep := pathID(rest[0], "id", "resource")
	if rep != nil {
		return *rep
	}
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	k, ok := s.fam.resourceKeys[id]
	var v map[string]any
	if ok {
		v = s.resourceViewLocked(k)
	}
	if v == nil {
		return noSuch("id", "resource", id)
	}
	return jsonReply(http.StatusOK, v)
}

// listResources answers GET /compute/resources with a Spring page.
func (s *Server) listResources(c *call) reply {
	q := c.query
	if rep := checkParams(q, resourceListParams...); rep != nil {
		return *rep
	}
	var rows []map[string]any
	for id := firstResourceID; int64(id) < s.fam.nextResourceID; id++ {
		if v := s.resourceViewLocked(s.fam.resourceKeys[int64(id)]); v != nil {
			rows = append(rows, v)
		}
	}
	present := slices.Values(rows)
	f := &filters{}
	f.add(namesFilter(q))
	f.add(enumFilter(q, "types", "type", append(slices.Clone(knownEnums["types"]), typeKubernetes, typeLoadBalancer, typeOverdrive), present))
	f.add(enumFilter(q, "statuses", "status", knownEnums["statuses"], present))
	f.add(enumFilter(q, "environments", "environment", knownEnums["environments"], present))
	f.add(intFilter(q, "services", "serviceId"))
	single := listValues(q, "resourceType")
	if _, rep := enumValuesFilter("resourceType", single, "resourceType", resourceTypes); rep != nil {
		return *rep
	}
	f.add(enumValuesFilter("resourceTypes", append(single, listValues(q, "resourceTypes")...), "resourceType", resourceTypes))
	return pageReply(q, rows, f, sortableResourceFields, nil)
}
