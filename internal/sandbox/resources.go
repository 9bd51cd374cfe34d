package sandbox

// Every resource of every family: /compute/resources.

import (
	"cmp"
	"net/http"

	"github.com/itcare-cli/itcare/internal/family"
)

const firstResourceID = 20001

var sortableResourceFields = []string{"id", "name", "path", "status", "environment", "serviceName", "serviceId",
	"category", "type", "family", "cloudId", "cloudName", "productName", "resourceType", "supportLevel",
	"supportPhase", "internalResourceId", "creationTime", "creationUser"}

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

// syncResourceIDsLocked gives a resource id to every resource that has none
// yet, family by family in the order of the table, in id order. Ids are
// never reused.
func (s *Server) syncResourceIDsLocked() {
	for _, typ := range family.ResourceTypes() {
		for _, m := range s.orderedLocked(typ) {
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
	f, _ := family.ByType(k.typ)
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
		"path":               f.Path,
		"status":             sval(m, "status"),
		"environment":        sval(m, "environment"),
		"serviceName":        serviceName,
		"serviceId":          serviceID,
		"category":           f.Category,
		"type":               cmp.Or(sval(m, "type"), k.typ),
		"family":             cmp.Or(sval(m, "family"), k.typ),
		"cloudId":            cloudID,
		"cloudName":          cloudName,
		"productName":        impls[f.Name].product(m),
		"resourceType":       k.typ,
		"supportLevel":       supportLevel,
		"supportPhase":       "RUN",
		"internalResourceId": k.id,
		"creationTime":       m["creationTime"],
		"creationUser":       m["creationUser"],
		"comment":            comment,
	})
}

// getResourceLocked answers GET /compute/resources/{id}.
func (s *Server) getResourceLocked(c *call, id int64) reply {
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

// resourceRowsLocked is every resource of /compute/resources, in id order.
func (s *Server) resourceRowsLocked() []map[string]any {
	var rows []map[string]any
	for id := firstResourceID; int64(id) < s.fam.nextResourceID; id++ {
		if v := s.resourceViewLocked(s.fam.resourceKeys[int64(id)]); v != nil {
			rows = append(rows, v)
		}
	}
	return rows
}

func init() { register(family.Resources, &familyImpl{sortable: sortableResourceFields}) }
