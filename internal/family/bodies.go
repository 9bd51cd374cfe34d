package family

// The documented request bodies of the families: creation, resize, load
// balancer URLs. Fields whose key is not in the documentation are marked
// Inferred with a Note; docs/api-assumptions.md lists them.

// Common fields, each declared once and shared by the bodies that use it.
var (
	fieldServiceID = Field{Key: "serviceId", Type: TypeInteger, Usage: "id of the service the resource belongs to", Example: "2101", Required: true, Source: Documented}
	fieldArea      = Field{Key: "area", Type: TypeString, Usage: "area (sub-division of a region)", Example: "EB-QA", Required: true, Source: Documented}
	fieldAZ        = Field{Key: "az", Type: TypeString, Usage: "availability zone", Example: "EB-A", Required: true, Source: Documented}
	fieldNetworkID = Field{Key: "networkId", Type: TypeString, Usage: "id of the network to attach to", Example: "EB_1125_DMZ8", Required: true, Source: Documented}
	fieldSetUpDNS  = Field{Key: "setUpDNSEnabled", Type: TypeBoolean, Usage: "create the DNS record (400 if the domain cannot)", Source: Documented}
)

// inferred marks a field whose key (or type) the documentation does not give.
func inferred(f Field, note string) Field {
	f.Source, f.Note = Inferred, note
	return f
}

// instanceCreate is POST /compute/instances. Documented minimum: area and
// az, the product, name, the sizing (in the resourceId attribute) and
// serviceId.
var instanceCreate = &Create{
	Process: "create-instance", Source: Documented,
	Note: "minimum fields: area & az, the product, name, the sizing (the resourceId attribute), serviceId",
	Fields: Fields{
		{Key: "name", Type: TypeString, Usage: "name of the instance", Example: "pdeb12web03", Required: true, Source: Documented},
		fieldServiceID,
		{Key: "resourceId", Type: TypeString, Usage: "sizing of the instance (the API names it resourceId)", Example: "2cpu4gb", Required: true,
			Source: Documented, Note: "the documentation names the sizing attribute resourceId; its value format is inferred"},
		inferred(Field{Key: "productCode", Type: TypeString, Usage: "product (operating system) to install", Example: "deb12", Required: true},
			"the product is documented; the key productCode is taken from the Kubernetes and PostgreSQL bodies"),
		inferred(fieldArea, "area is documented as a concept; the key is taken from the PostgreSQL body"),
		inferred(fieldAZ, "az is documented as a concept; the key is taken from the PostgreSQL body"),
	},
}

// instanceResize are the options of {"operation": "resize"} (operation and
// keys inferred).
var instanceResize = Fields{
	inferred(Field{Key: "cpu", Type: TypeInteger, Usage: "number of virtual CPUs", Example: "4", Required: true, Min: 1}, "key cpu as in the instance object"),
	inferred(Field{Key: "ram", Type: TypeInteger, Usage: "memory in GB", Example: "8", Required: true, Min: 1}, "key ram as in the instance object"),
}

// kubernetesCreate is POST /compute/containers/kubernetes. Documented
// minimum: area & az, productCode, networkId, name, sizing (the rest of the
// list is not readable in the documentation).
var kubernetesCreate = &Create{
	Process: "create-kubernetes", Source: Documented,
	Note: "minimum fields: area & az, productCode, networkId, name, sizing (the rest of the list is not readable)",
	Fields: Fields{
		{Key: "name", Type: TypeString, Usage: "name of the cluster", Example: "pk8sapp03", Required: true, Source: Documented},
		{Key: "productCode", Type: TypeString, Usage: "Kubernetes product", Example: "k8s128", Required: true, Source: Documented},
		fieldNetworkID,
		inferred(Field{Key: "nodeSizing", Type: TypeString, Usage: "sizing of the nodes", Example: "2cpu4gb", Required: true},
			"the sizing is documented; the key nodeSizing is taken from the node and PostgreSQL bodies"),
		inferred(fieldArea, "area is documented as a concept; the key is taken from the PostgreSQL body"),
		inferred(fieldAZ, "az is documented as a concept; the key is taken from the PostgreSQL body"),
		inferred(Field{Key: "serviceId", Type: TypeInteger, Usage: "id of the service the cluster belongs to", Example: "2101"},
			"not in the readable part of the list; optional"),
		inferred(Field{Key: "topology", Type: TypeString, Usage: "topology", Values: []string{"STANDARD", "HA"}},
			"values from the topologies list filter; optional"),
		inferred(Field{Key: "version", Type: TypeString, Usage: "Kubernetes version", Example: "v1.28.13"},
			"from the versions list filter; optional"),
	},
}

// loadBalancerCreate is POST /networking/loadbalancers (every field
// documented; the types of healthcheck and members inferred).
var loadBalancerCreate = &Create{
	Process: "create-lb", Source: Documented, Name: "url",
	Note: "required: area, url, networkId, serviceId, domain, healthcheck, persistence, portMembers, profileName, redirectToHttps, members; optional: region, setUpDNSEnabled",
	Fields: Fields{
		{Key: "url", Type: TypeString, Usage: "URL (host name) served", Example: "shop.example.com", Required: true, Source: Documented},
		{Key: "domain", Type: TypeString, Usage: "DNS domain of the URL", Example: "example.com", Required: true, Source: Documented},
		fieldServiceID,
		fieldArea,
		fieldNetworkID,
		{Key: "profileName", Type: TypeString, Usage: "protocol profile", Required: true, Values: []string{"HTTP", "HTTPS", "TCP"}, Source: Documented},
		{Key: "portMembers", Type: TypeInteger, Usage: "port of the members", Example: "80", Required: true, Source: Documented},
		inferred(Field{Key: "members", Type: TypeArray, Usage: "members (instances) behind the load balancer", Example: "pdeb12web01,pdeb12web02", Required: true},
			"documented field; its item format (names or ids) is inferred"),
		inferred(Field{Key: "healthcheck", Type: TypeAny, Usage: "health check", Example: "/health", Required: true},
			"documented field; its type is not documented (a flag sends a string)"),
		{Key: "persistence", Type: TypeString, Usage: "persistence, e.g. cookie, hash, source_addr", Example: "cookie", Required: true, Source: Documented},
		{Key: "redirectToHttps", Type: TypeBoolean, Usage: "redirect HTTP to HTTPS", Required: true, Source: Documented},
		{Key: "region", Type: TypeString, Usage: "region", Values: regions, Source: Documented},
		fieldSetUpDNS,
	},
}

// loadBalancerURL is the body of POST /networking/loadbalancers/{id}/urls.
var loadBalancerURL = Fields{
	{Key: "name", Type: TypeString, Usage: "URL to add (host name; the API checks a naming rule it does not publish)", Example: "api.example.com", Required: true, Source: Documented},
	inferred(Field{Key: "sslProfile", Type: TypeString, Usage: "SSL profile"}, "an SSL profile is documented; the key sslProfile is inferred"),
	fieldSetUpDNS,
	{Key: "monitoringEnabled", Type: TypeBoolean, Usage: "monitor the URL", Source: Documented},
	{Key: "onCallSupervision", Type: TypeBoolean, Usage: "24/7 on-call supervision of the URL", Source: Documented},
}

// overdriveCreate is POST /storage/overdrive (every field documented).
var overdriveCreate = &Create{
	Process: "create-overdrive", Source: Documented,
	Note: "name, region, sizing XS/S/M/L/XL, serviceId, password, driveSiteUri",
	Fields: Fields{
		{Key: "name", Type: TypeString, Usage: "name of the volume", Example: "podshare02", Required: true, Source: Documented},
		{Key: "region", Type: TypeString, Usage: "region", Required: true, Values: regions, Source: Documented},
		{Key: "sizing", Type: TypeString, Usage: "sizing", Required: true, Values: []string{"XS", "S", "M", "L", "XL"}, Source: Documented},
		fieldServiceID,
		{Key: "driveSiteUri", Type: TypeString, Usage: "URI of the drive site", Example: "https://drive.cegedim.cloud/sites/podshare02", Required: true, Source: Documented},
		{Key: "password", Type: TypeString, Usage: "password of the volume", Required: true, Secret: true, Env: "ITCARE_OVERDRIVE_PASSWORD", Source: Documented},
	},
}

// postgreSQLCreate is POST /databases/postgresql: fields and constraints
// documented (the documentation's example path is /postgresql).
var postgreSQLCreate = &Create{
	Process: "create-postgresql", Source: Documented,
	Note: "productCode, serviceId, nodeSizing, networkId, area, az, diskSize, admPassword, allowedReplicationLag, topology, trigram, name; with HA also nodePrefix and tls",
	Fields: Fields{
		{Key: "name", Type: TypeString, Usage: "name of the PostgreSQL cluster", Example: "pgorders01", Required: true, Source: Documented,
			MinLen: 5, MaxLen: 60, Pattern: "^[a-z0-9]+$", PatternText: "lowercase letters and digits", Forbidden: []string{"cluster"}},
		{Key: "productCode", Type: TypeString, Usage: "product", Example: "deb12pg16", Required: true, Source: Documented},
		fieldServiceID,
		{Key: "nodeSizing", Type: TypeString, Usage: "sizing of the nodes", Example: "2cpu4gb", Required: true, Source: Documented},
		fieldNetworkID,
		fieldArea,
		fieldAZ,
		{Key: "diskSize", Type: TypeInteger, Usage: "disk size in GB", Example: "40", Required: true, Min: 40, Max: 1024, Source: Documented},
		{Key: "topology", Type: TypeString, Usage: "topology", Required: true, Values: []string{"standalone", "HA"}, Source: Documented},
		{Key: "nodePrefix", Type: TypeString, Usage: "prefix of the node names (HA)", Example: "PGORD", RequiredIf: &Condition{"topology", "HA"},
			MinLen: 5, MaxLen: 12, Pattern: "^[A-Z]+$", PatternText: "uppercase letters", Source: Documented},
		{Key: "tls", Type: TypeBoolean, Usage: "enable TLS (HA)", Source: Documented},
		{Key: "allowedReplicationLag", Type: TypeInteger, Usage: "allowed replication lag in MB", Min: 1, Max: 10240, Source: Documented},
		{Key: "trigram", Type: TypeString, Usage: "application trigram", Example: "ORD", Source: Documented},
		{Key: "admPassword", Type: TypeString, Usage: "password of the administrator account", Required: true, Secret: true, Env: "ITCARE_ADM_PASSWORD",
			MinLen: 12, Classes: []CharClass{Lower, Upper, Digit, Special}, Source: Documented},
	},
}
