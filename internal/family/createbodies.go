package family

// The documented request bodies of each family. Every key not marked
// Inferred is named in the API documentation; docs/api-assumptions.md lists
// the inferred ones.

// Common fields, each declared once and shared by the bodies that use it.
var (
	fieldServiceID = BodyField{Key: "serviceId", Type: Int, Usage: "id of the service the resource belongs to", Example: "2101", Required: true}
	fieldArea      = BodyField{Key: "area", Type: String, Usage: "area (sub-division of a region)", Example: "EB-QA", Required: true}
	fieldAZ        = BodyField{Key: "az", Type: String, Usage: "availability zone", Example: "EB-A", Required: true}
	fieldNetworkID = BodyField{Key: "networkId", Type: String, Usage: "id of the network to attach to", Example: "EB_1125_DMZ8", Required: true}
	fieldSetUpDNS  = BodyField{Key: "setUpDNSEnabled", Type: Bool, Usage: "create the DNS record (400 if the domain cannot)"}
)

// inferredKey marks a field whose concept is documented but whose JSON key
// is taken from the other documented bodies.
func inferredKey(f BodyField, source string) BodyField {
	f.Inferred = true
	f.Source = source
	return f
}

// InstanceCreate is POST /compute/instances. Documented minimum: area and
// az, the product, name, the sizing (in the resourceId attribute) and
// serviceId.
var InstanceCreate = Body{
	Source: "compute instances reference: minimum fields area & az, product, name, sizing (resourceId), serviceId",
	Fields: []BodyField{
		{Key: "name", Type: String, Usage: "name of the instance", Example: "pdeb12web03", Required: true},
		fieldServiceID,
		{Key: "resourceId", Type: String, Usage: "sizing of the instance (the API names it resourceId)", Example: "2cpu4gb", Required: true,
			Source: "the documentation names the sizing attribute resourceId; its value format is inferred"},
		inferredKey(BodyField{Key: "productCode", Type: String, Usage: "product (operating system) to install", Example: "deb12", Required: true},
			"the product is documented, its key productCode is taken from the Kubernetes and PostgreSQL bodies"),
		inferredKey(fieldArea, "area is documented as a concept; key taken from the PostgreSQL body"),
		inferredKey(fieldAZ, "az is documented as a concept; key taken from the PostgreSQL body"),
	},
}

// KubernetesCreate is POST /compute/containers/kubernetes. Documented
// minimum: area & az, productCode, networkId, name, sizing (the rest of the
// list is not readable in the documentation).
var KubernetesCreate = Body{
	Source: "containers reference: minimum fields area & az, productCode, networkId, name, sizing (list truncated)",
	Fields: []BodyField{
		{Key: "name", Type: String, Usage: "name of the cluster", Example: "pk8sapp03", Required: true},
		{Key: "productCode", Type: String, Usage: "Kubernetes product", Example: "k8s128", Required: true},
		fieldNetworkID,
		inferredKey(BodyField{Key: "nodeSizing", Type: String, Usage: "sizing of the nodes", Example: "2cpu4gb", Required: true},
			"sizing is documented; key nodeSizing taken from the node and PostgreSQL bodies"),
		inferredKey(fieldArea, "area is documented as a concept; key taken from the PostgreSQL body"),
		inferredKey(fieldAZ, "az is documented as a concept; key taken from the PostgreSQL body"),
		inferredKey(BodyField{Key: "serviceId", Type: Int, Usage: "id of the service the cluster belongs to", Example: "2101"},
			"not in the readable part of the list; optional"),
		inferredKey(BodyField{Key: "topology", Type: String, Usage: "topology", Enum: []string{"STANDARD", "HA"}},
			"values from the topologies list filter; optional"),
		inferredKey(BodyField{Key: "version", Type: String, Usage: "Kubernetes version", Example: "v1.28.13"},
			"from the versions list filter; optional"),
	},
}

// LoadBalancerCreate is POST /networking/loadbalancers (every field
// documented; types of healthcheck, persistence and members inferred).
var LoadBalancerCreate = Body{
	Name:   "url",
	Source: "load balancers reference: required area, url, networkId, serviceId, domain, healthcheck, persistence, portMembers, profileName, redirectToHttps, members; optional region, setUpDNSEnabled",
	Fields: []BodyField{
		{Key: "url", Type: String, Usage: "URL (host name) served", Example: "shop.example.com", Required: true},
		{Key: "domain", Type: String, Usage: "DNS domain of the URL", Example: "example.com", Required: true},
		fieldServiceID,
		fieldArea,
		fieldNetworkID,
		{Key: "profileName", Type: String, Usage: "protocol profile", Required: true, Enum: []string{"HTTP", "HTTPS", "TCP"}},
		{Key: "portMembers", Type: Int, Usage: "port of the members", Example: "80", Required: true},
		{Key: "members", Type: StringList, Usage: "members (instances) behind the load balancer", Example: "pdeb12web01,pdeb12web02", Required: true,
			Inferred: true, Source: "documented field; its item format (names or ids) is inferred"},
		{Key: "healthcheck", Type: Any, Usage: "health check", Example: "/health", Required: true,
			Inferred: true, Source: "documented field; its type is not documented (a flag sends a string)"},
		{Key: "persistence", Type: String, Usage: "persistence, e.g. cookie, hash, source_addr", Example: "cookie", Required: true},
		{Key: "redirectToHttps", Type: Bool, Usage: "redirect HTTP to HTTPS", Required: true},
		{Key: "region", Type: String, Usage: "region", Enum: []string{"EB", "ET"}},
		fieldSetUpDNS,
	},
}

// LoadBalancerURL is POST /networking/loadbalancers/{id}/urls.
var LoadBalancerURL = Body{
	Source: "load balancers reference: name (naming regex not published), ssl profile, setUpDNSEnabled, monitoringEnabled, onCallSupervision",
	Fields: []BodyField{
		{Key: "name", Type: String, Usage: "URL to add (host name)", Example: "api.example.com", Required: true},
		{Key: "sslProfile", Type: String, Usage: "SSL profile", Inferred: true, Source: "an SSL profile is documented; key sslProfile inferred"},
		fieldSetUpDNS,
		{Key: "monitoringEnabled", Type: Bool, Usage: "monitor the URL"},
		{Key: "onCallSupervision", Type: Bool, Usage: "24/7 on-call supervision of the URL"},
	},
}

// OverdriveCreate is POST /storage/overdrive (all fields documented).
var OverdriveCreate = Body{
	Source: "storage overdrive reference: name, region, sizing XS/S/M/L/XL, serviceId, password, driveSiteUri",
	Fields: []BodyField{
		{Key: "name", Type: String, Usage: "name of the volume", Example: "podshare02", Required: true},
		{Key: "region", Type: String, Usage: "region", Required: true, Enum: []string{"EB", "ET"}},
		{Key: "sizing", Type: String, Usage: "sizing", Required: true, Enum: []string{"XS", "S", "M", "L", "XL"}},
		fieldServiceID,
		{Key: "driveSiteUri", Type: String, Usage: "URI of the drive site", Example: "https://drive.cegedim.cloud/sites/podshare02", Required: true},
		{Key: "password", Type: String, Usage: "password of the volume", Required: true, Secret: true, Env: "ITCARE_OVERDRIVE_PASSWORD"},
	},
}

// PostgreSQLCreate is POST /databases/postgresql (fields and constraints
// documented; the path prefix is inferred).
var PostgreSQLCreate = Body{
	Source: "databases PostgreSQL reference: productCode, serviceId, nodeSizing, networkId, area, az, diskSize, admPassword, allowedReplicationLag, topology, trigram, name; HA: nodePrefix, tls",
	Fields: []BodyField{
		{Key: "name", Type: String, Usage: "name of the PostgreSQL cluster", Example: "pgorders01", Required: true,
			MinLen: 5, MaxLen: 60, Pattern: "[a-z0-9]+", PatternText: "lowercase letters and digits", Forbidden: []string{"cluster"}},
		{Key: "productCode", Type: String, Usage: "product", Example: "deb12pg16", Required: true},
		fieldServiceID,
		{Key: "nodeSizing", Type: String, Usage: "sizing of the nodes", Example: "2cpu4gb", Required: true},
		fieldNetworkID,
		fieldArea,
		fieldAZ,
		{Key: "diskSize", Type: Int, Usage: "disk size in GB", Example: "40", Required: true, Range: &Range{40, 1024}},
		{Key: "topology", Type: String, Usage: "topology", Required: true, Enum: []string{"standalone", "HA"}},
		{Key: "nodePrefix", Type: String, Usage: "prefix of the node names (HA)", Example: "PGORD", RequiredIf: &Condition{"topology", "HA"},
			MinLen: 5, MaxLen: 12, Pattern: "[A-Z]+", PatternText: "uppercase letters"},
		{Key: "tls", Type: Bool, Usage: "enable TLS (HA)"},
		{Key: "allowedReplicationLag", Type: Int, Usage: "allowed replication lag in MB", Range: &Range{1, 10240}},
		{Key: "trigram", Type: String, Usage: "application trigram", Example: "ORD"},
		{Key: "admPassword", Type: String, Usage: "password of the administrator account", Required: true, Secret: true, Env: "ITCARE_ADM_PASSWORD",
			MinLen: 12, Classes: []CharClass{Lower, Upper, Digit, Special}},
	},
}

// InstanceResize is the options of PATCH /compute/instances/{id}
// {"operation": "resize"} (operation name and option keys inferred).
var InstanceResize = Body{
	Source: "resize (CPU/RAM) is a documented feature and privilege; operation name and option keys are inferred",
	Fields: []BodyField{
		{Key: "cpu", Type: Int, Usage: "number of virtual CPUs", Example: "4", Required: true, Range: &Range{Min: 1}, Inferred: true,
			Source: "key cpu as in the instance object"},
		{Key: "ram", Type: Int, Usage: "memory in GB", Example: "8", Required: true, Range: &Range{Min: 1}, Inferred: true,
			Source: "key ram as in the instance object"},
	},
}
