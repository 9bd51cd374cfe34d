package family

import "strings"

// The table. Facts marked Documented come from the API's public
// documentation; Inferred ones are choices written in
// docs/api-assumptions.md.

var (
	environments = []string{"PRODUCTION", "PREPRODUCTION", "QA", "DEVELOPMENT", "TEST"}
	settled      = []string{"ACTIVE", "INACTIVE"}
	regions      = []string{"EB", "ET"}
)

// Filters shared by most families.
var (
	envFilter = Filter{Param: "environments", Kind: Enum, Flag: "env", Usage: "environment, e.g. PRODUCTION",
		Fields: []string{"environment"}, Values: environments, Source: Documented}
	serviceFilter = Filter{Param: "services", Kind: Int, Flag: "service", Usage: "service id",
		Fields: []string{"serviceId"}, Source: Documented}
	tagFilter   = Filter{Param: "tags", Kind: Tag, Flag: "tag", Usage: "tag as key:value", Source: Documented}
	cloudFilter = Filter{Param: "clouds", Kind: Int, Fields: []string{"cloudId"}, Source: Documented}
)

func nameFilter(what string) Filter {
	return Filter{Param: "names", Kind: Name, Flag: "name", Usage: what + " name; prefix with ! to exclude", Source: Documented}
}

func statusFilter(usage string, values []string) Filter {
	return Filter{Param: "statuses", Kind: Enum, Flag: "status", Usage: usage, Fields: []string{"status"}, Values: values, Closed: values != nil, Source: Documented}
}

func textFilter(param, flag, usage string, src Source, fields ...string) Filter {
	return Filter{Param: param, Kind: Text, Flag: flag, Usage: usage, Fields: fields, Source: src}
}

// boolFilters are the backup, recovery and patch-party flags of compute
// resources (API-only).
func boolFilters() []Filter {
	var out []Filter
	for _, p := range []string{"backupStatus", "recoveryStatus", "includedInPatchParty"} {
		out = append(out, Filter{Param: p, Kind: Bool, Fields: []string{p}, Source: Documented})
	}
	return out
}

// startStop are the start and stop operations of a family whose resources
// go from ACTIVE to INACTIVE and back, without a visible transition.
func startStop(noun Noun, process string, src Source) []Operation {
	return []Operation{
		{Name: "start", Short: "Start " + noun.A(), Requires: "INACTIVE", After: "ACTIVE", Process: "start-" + process, Source: src},
		{Name: "stop", Short: "Stop " + noun.A(), Requires: "ACTIVE", After: "INACTIVE", Process: "stop-" + process, Source: src},
	}
}

// Families in the order of `itcare --help` and of /compute/resources ids.
var (
	Instances = &Family{
		Name:    "instances",
		Aliases: []string{"instance", "vm"},
		Short:   "List, inspect, start, stop, reset and delete instances (VMs)",
		Noun:    Noun{"instance", "instances", "an"},
		Path:    "/compute/instances", PathSource: Documented,
		ResourceType: "INSTANCE", Category: "INSTANCE",
		Columns: []Column{
			{"ID", "id", "", false}, {"NAME", "name", "", false}, {"STATUS", "status", "", false},
			{"ENV", "environment", "", false}, {"FAMILY", "family", "", false}, {"CPU", "cpu", "", false},
			{"RAM", "ram", "", false}, {"IP", "ipAddress", "", false}, {"AZ", "labelAvailabilityZone", "", false},
			{"TYPE", "type", "", true}, {"SERVICE", "serviceId", "", true}, {"REGION", "labelRegion", "", true},
			{"VLAN", "vlan", "", true}, {"CREATED", "creationTime", Date, true}, {"TAGS", "tags", Tags, true},
		},
		// The patch party (field names seen in a public client).
		DetailColumns: []Column{
			{"PATCH-EXCLUDED", "patchParty.excluded", "", false}, {"PATCH-GROUP", "patchParty.patchGroup", "", false},
			{"PATCH-DATE", "patchParty.patchDate", Date, false},
		},
		Filters: append([]Filter{
			serviceFilter, cloudFilter,
			nameFilter("instance"),
			{Param: "types", Kind: Enum, Flag: "type", Usage: "type: LINUX, WINDOWS, AIX", Fields: []string{"type"},
				Values: []string{"LINUX", "WINDOWS", "AIX"}, Closed: true, Source: Documented},
			{Param: "families", Kind: Enum, Flag: "family", Usage: "family, e.g. DEBIAN, RHEL, CENTOS", Fields: []string{"family"},
				Values: []string{"DEBIAN", "CENTOS", "RHEL", "UBUNTU", "ORACLE", "WINDOWS", "AIX"}, Source: Documented},
			func() Filter { f := envFilter; f.Usage = "environment, e.g. PRODUCTION, DEVELOPMENT"; return f }(),
			statusFilter("status, e.g. ACTIVE, INACTIVE", []string{"ACTIVE", "INACTIVE", "STOPPING", "STARTING", "REBOOTING", "DELETING"}),
			tagFilter,
			textFilter("az", "az", "availability zone, e.g. EB-A", Documented, "labelAvailabilityZone", "availabilityZone"),
			textFilter("ip", "ip", "IP address", Documented, "ipAddress"),
			textFilter("vlan", "", "", Documented, "vlan"),
		}, boolFilters()...),
		Operations: []Operation{
			{Name: "start", Short: "Start an inactive instance", Requires: "INACTIVE", During: "STARTING", After: "ACTIVE", Process: "start-instance", Source: Inferred},
			{Name: "stop", Short: "Stop an active instance", Requires: "ACTIVE", During: "STOPPING", After: "INACTIVE", Process: "stop-instance", Source: Documented},
			{Name: "reset", Short: "Reset (hard reboot) an active instance", Requires: "ACTIVE", During: "REBOOTING", After: "ACTIVE", Process: "reset-instance", Source: Inferred},
		},
		Delete: &Delete{Requires: "INACTIVE", During: "DELETING", Process: "delete-instance", Confirm: true, Source: Documented,
			Long: "Deletes an instance. The API only deletes INACTIVE instances: stop it first."},
		Subs: []Sub{
			{Name: "networks", Methods: []string{"GET"}, Source: Documented},
			{Name: "storage", Methods: []string{"GET"}, Source: Documented},
			{Name: "snapshots", Methods: []string{"GET", "POST"}, Source: Documented},
		},
	}

	Resources = &Family{
		Name:    "resources",
		Aliases: []string{"resource"},
		Short:   "List every resource (instances, clusters, load balancers, storage...)",
		Long: `Every resource of the organisation, with its type, family, service and
environment. Its PATH column names the endpoint of its family; its INTERNAL-ID
is the id to use with that family's commands.`,
		Noun: Noun{"resource", "resources", "a"},
		Path: "/compute/resources", PathSource: Inferred,
		Index: true,
		Columns: []Column{
			{"ID", "id", "", false}, {"NAME", "name", "", false}, {"TYPE", "resourceType", "", false},
			{"FAMILY", "family", "", false}, {"STATUS", "status", "", false}, {"ENV", "environment", "", false},
			{"SERVICE", "serviceName", "", false}, {"PATH", "path", "", false},
			{"INTERNAL-ID", "internalResourceId", "", true}, {"CLOUD", "cloudName", "", true},
			{"PRODUCT", "productName", "", true}, {"CREATED", "creationTime", Date, true},
		},
		Filters: []Filter{
			nameFilter("resource"),
			{Param: "types", Kind: Enum, Flag: "type", Usage: "type, e.g. LINUX, KUBERNETES", Fields: []string{"type"}, Source: Inferred},
			statusFilter("status, e.g. ACTIVE", nil),
			envFilter,
			serviceFilter,
			// resourceType was seen in third-party code; resourceTypes is the
			// plural every other filter uses. Both are accepted and merged.
			{Param: "resourceType", Kind: Enum, Fields: []string{"resourceType"}, Source: Inferred},
			{Param: "resourceTypes", Kind: Enum, Flag: "resource-type", Fields: []string{"resourceType"}, Source: Inferred},
		},
	}

	Kubernetes = &Family{
		Name:    "kubernetes",
		Aliases: []string{"k8s"},
		Short:   "List and inspect Kubernetes clusters and manage their nodes",
		Noun:    Noun{"Kubernetes cluster", "Kubernetes clusters", "a"},
		Path:    "/compute/containers/kubernetes", PathSource: Documented,
		ResourceType: "KUBERNETES", Category: "CONTAINER",
		Columns: []Column{
			{"ID", "id", "", false}, {"NAME", "name", "", false}, {"STATUS", "status", "", false},
			{"ENV", "environment", "", false}, {"TOPOLOGY", "topology", "", false}, {"VERSION", "version", "", false},
			{"REGION", "region", "", false}, {"NODES", "nodesCount", "", false},
			{"AZ", "availabilityZones", List, true}, {"SERVICE", "serviceId", "", true},
			{"CREATED", "creationTime", Date, true}, {"TAGS", "tags", Tags, true},
		},
		Filters: append(append([]Filter{
			serviceFilter, cloudFilter,
			nameFilter("cluster"),
			envFilter,
			statusFilter("status, e.g. ACTIVE", settled),
			tagFilter,
		}, boolFilters()...),
			Filter{Param: "topologies", Kind: Enum, Flag: "topology", Usage: "topology: STANDARD, HA", Fields: []string{"topology"},
				Values: []string{"STANDARD", "HA"}, Source: Documented},
			Filter{Param: "versions", Kind: Version, Flag: "version", Usage: "Kubernetes version, e.g. v1.28.13", Fields: []string{"version"}, Source: Documented},
			Filter{Param: "regions", Kind: Enum, Flag: "region", Usage: "region: EB, ET", Fields: []string{"region"}, Values: regions, Source: Documented},
			textFilter("az", "az", "availability zone, e.g. EB-A", Documented, "availabilityZones"),
			textFilter("ip", "", "", Documented, "ipAddress"),
			textFilter("vlan", "", "", Documented, "vlan"),
		),
		Operations: []Operation{{
			Name: "create_nodes", Short: "Add worker nodes to a cluster", Requires: "ACTIVE", Process: "create-nodes", Source: Documented,
			Custom: true,
			Options: []Field{{Key: "nodes", Type: "array", Required: true, Source: Documented, Fields: []Field{
				{Key: "nodesNb", Type: "integer", Required: true, Min: 1, Max: 20, Usage: "number of nodes", Source: Documented},
				{Key: "nodeSizing", Type: "string", Required: true, Pattern: `^[0-9]+cpu[0-9]+gb$`, Usage: "node sizing, e.g. 2cpu4gb", Source: Documented},
				{Key: "az", Type: "string", Required: true, Usage: "availability zone, e.g. EB-A", Source: Documented},
			}}},
		}},
		Subs: []Sub{{Name: "nodes", Methods: []string{"GET"}, ItemMethods: []string{"GET", "DELETE"}, Source: Documented}},
	}

	LoadBalancers = &Family{
		Name:    "loadbalancers",
		Aliases: []string{"loadbalancer", "lb"},
		Short:   "List and inspect load balancers",
		Noun:    Noun{"load balancer", "load balancers", "a"},
		Path:    "/networking/loadbalancers", PathSource: Documented,
		ResourceType: "LOADBALANCER", Category: "LOADBALANCER",
		Columns: []Column{
			{"ID", "id", "", false}, {"NAME", "name", "", false}, {"STATUS", "status", "", false},
			{"ENV", "environment", "", false}, {"PROTOCOL", "protocol", "", false}, {"MODE", "loadBalancingMode", "", false},
			{"VIP", "vip", "", false}, {"MEMBERS", "members", Count, false},
			{"PERSISTENCE", "persistence", "", true}, {"REGION", "region", "", true},
			{"SERVICE", "serviceId", "", true}, {"TAGS", "tags", Tags, true},
		},
		Filters: []Filter{
			nameFilter("load balancer"),
			envFilter,
			statusFilter("status, e.g. ACTIVE", settled),
			tagFilter,
			{Param: "protocols", Kind: Enum, Flag: "protocol", Usage: "protocol, e.g. HTTP, HTTPS, MYSQL", Fields: []string{"protocol"},
				Values: []string{"HTTP", "HTTPS", "TCP", "MYSQL"}, Source: Documented},
			textFilter("vlan", "vlan", "VLAN, e.g. EB_1125_DMZ8", Documented, "vlan"),
		},
	}

	Overdrive = &Family{
		Name:    "overdrive",
		Aliases: []string{"od"},
		Short:   "List, inspect, start and stop Overdrive storage volumes",
		Noun:    Noun{"Overdrive volume", "Overdrive volumes", "an"},
		Path:    "/storage/overdrive", PathSource: Documented,
		ResourceType: "OVERDRIVE", Category: "STORAGE",
		Columns: []Column{
			{"ID", "id", "", false}, {"NAME", "name", "", false}, {"STATUS", "status", "", false},
			{"SIZING", "sizing", "", false}, {"REGION", "region", "", false}, {"SERVICE", "serviceId", "", false},
			{"URI", "driveSiteUri", "", true}, {"CREATED", "creationTime", Date, true},
		},
		Filters: []Filter{
			{Param: "names", Kind: Name, Flag: "name", Usage: "volume name", Source: Documented},
		},
		Operations: startStop(Noun{"Overdrive volume", "", "an"}, "overdrive", Documented),
	}

	PostgreSQL = &Family{
		Name:    "postgresql",
		Aliases: []string{"pg"},
		Short:   "List, inspect, start, stop and delete PostgreSQL databases (API inferred)",
		Noun:    Noun{"PostgreSQL database", "PostgreSQL databases", "a"},
		Path:    "/databases/postgresql", PathSource: Inferred,
		ResourceType: "POSTGRESQL", Category: "DATABASE",
		Columns: []Column{
			{"ID", "id", "", false}, {"NAME", "name", "", false}, {"STATUS", "status", "", false},
			{"ENV", "environment", "", false}, {"VERSION", "version", "", false}, {"SIZING", "sizing", "", false},
			{"REGION", "region", "", false}, {"ENDPOINT", "endpoint", "", false},
			{"SERVICE", "serviceId", "", true}, {"STORAGE-GB", "storageGb", "", true},
			{"CREATED", "creationTime", Date, true}, {"TAGS", "tags", Tags, true},
		},
		Filters: []Filter{
			serviceFilter,
			nameFilter("database"),
			envFilter,
			statusFilter("status, e.g. ACTIVE", settled),
			tagFilter,
			{Param: "versions", Kind: Version, Flag: "version", Usage: "PostgreSQL version, e.g. 16", Fields: []string{"version"}, Source: Inferred},
			{Param: "regions", Kind: Enum, Flag: "region", Usage: "region: EB, ET", Fields: []string{"region"}, Values: regions, Source: Inferred},
		},
		Operations: startStop(Noun{"PostgreSQL database", "", "a"}, "postgresql", Inferred),
		Delete: &Delete{During: "DELETING", Process: "delete-postgresql", Confirm: true, Source: Inferred,
			Long: "Deletes a PostgreSQL database and its data."},
	}
)

// All is the table, in command order.
var All = []*Family{Instances, Resources, Kubernetes, LoadBalancers, Overdrive, PostgreSQL}

// The index's enum values derive from the table: every resource type, and
// the instance types next to the other families' types.
func init() {
	types := ResourceTypes()
	var typeValues []string
	for _, f := range Typed() {
		if f == Instances {
			typeValues = append(typeValues, Instances.Filter("types").Values...)
		} else {
			typeValues = append(typeValues, f.ResourceType)
		}
	}
	for i := range Resources.Filters {
		fl := &Resources.Filters[i]
		switch fl.Param {
		case "types":
			fl.Values = typeValues
		case "statuses":
			fl.Values = Instances.Filter("statuses").Values
		case "resourceType", "resourceTypes":
			fl.Values = types
		}
	}
	Resources.Filter("resourceTypes").Usage = "resource type: " + strings.Join(types, ", ")
}
