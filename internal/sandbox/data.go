package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	firstInstanceID = 10001
	firstActionID   = 50001
	firstRequestID  = 900001
)

// rng is a tiny SplitMix64 generator: the seeded data is the same on every
// run and every Go version.
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng { return &rng{s: seed} }

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// percent is true pct times out of 100.
func (r *rng) percent(pct int) bool { return r.intn(100) < pct }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

func (r *rng) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.intn(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

type service struct {
	id    int64
	key   string
	app   string
	cloud int64
}

var services = []service{
	{2101, "ITCARE", "itcare", 301},
	{2102, "BILLING", "billing", 301},
	{2103, "CRM", "crm", 302},
	{2104, "DATAHUB", "datahub", 302},
	{2105, "PORTAL", "portal", 303},
	{2106, "PAYROLL", "payroll", 303},
	{2107, "SECOPS", "secops", 301},
	{2108, "LABS", "labs", 304},
}

// find is the first of xs that is, else def; found says which.
func find[T any](xs []T, def T, is func(T) bool) (x T, found bool) {
	if i := slices.IndexFunc(xs, is); i >= 0 {
		return xs[i], true
	}
	return def, false
}

func serviceByID(id int64) (service, bool) {
	return find(services, service{}, func(s service) bool { return s.id == id })
}

type osSpec struct {
	code, typ, family string
	weight            int
}

var osSpecs = []osSpec{
	{"deb12", "LINUX", "DEBIAN", 6},
	{"deb11", "LINUX", "DEBIAN", 3},
	{"rhel9", "LINUX", "RHEL", 4},
	{"rhel8", "LINUX", "RHEL", 3},
	{"cent7", "LINUX", "CENTOS", 2},
	{"ubu22", "LINUX", "UBUNTU", 2},
	{"ubu24", "LINUX", "UBUNTU", 2},
	{"ora8", "LINUX", "ORACLE", 1},
	{"win22", "WINDOWS", "WINDOWS", 3},
	{"win19", "WINDOWS", "WINDOWS", 2},
	{"aix72", "AIX", "AIX", 1},
}

func osByCode(code string) osSpec {
	o, _ := find(osSpecs, osSpecs[0], func(o osSpec) bool { return o.code == code })
	return o
}

var rolesByType = map[string][]string{
	"LINUX":   {"web", "app", "api", "db", "pg", "mq", "bat", "ftp", "k8s", "mon", "log", "cache"},
	"WINDOWS": {"sql", "iis", "app", "ad", "rds", "fs"},
	"AIX":     {"db", "app", "ora"},
}

type envSpec struct {
	letter, name, area string
	weight             int
}

var envSpecs = []envSpec{
	{"p", "PRODUCTION", "PROD", 5},
	{"q", "QA", "QA", 2},
	{"d", "DEVELOPMENT", "DEV", 2},
	{"e", "TEST", "TEST", 1},
}

func envByName(name string) envSpec {
	e, _ := find(envSpecs, envSpecs[2], func(e envSpec) bool { return e.name == name })
	return e
}

type vlanSpec struct {
	name, region, env, prefix, scope string
}

var vlanSpecs = []vlanSpec{
	{"EB_1125_DMZ8", "EB", "PRODUCTION", "10.25.125", "DMZ"},
	{"EB_1130_PROD1", "EB", "PRODUCTION", "10.25.130", "PRIVATE"},
	{"EB_1210_QA1", "EB", "QA", "10.25.210", "PRIVATE"},
	{"EB_1310_DEV1", "EB", "DEVELOPMENT", "10.25.31", "PRIVATE"},
	{"EB_1410_TST1", "EB", "TEST", "10.25.41", "PRIVATE"},
	{"ET_2125_DMZ2", "ET", "PRODUCTION", "10.26.125", "DMZ"},
	{"ET_2130_PROD1", "ET", "PRODUCTION", "10.26.130", "PRIVATE"},
	{"ET_2210_QA1", "ET", "QA", "10.26.210", "PRIVATE"},
	{"ET_2310_DEV1", "ET", "DEVELOPMENT", "10.26.31", "PRIVATE"},
	{"ET_2410_TST1", "ET", "TEST", "10.26.41", "PRIVATE"},
}

func vlanFor(region, env string, dmz bool) vlanSpec {
	var fallback *vlanSpec
	for i, v := range vlanSpecs {
		if v.region == region && v.env == env {
			if (v.scope == "DMZ") == dmz {
				return v
			}
			if fallback == nil {
				fallback = &vlanSpecs[i]
			}
		}
	}
	if fallback != nil {
		return *fallback
	}
	return vlanSpecs[3]
}

var creators = []string{"jdupont", "mmartin", "sbernard", "lpetit", "cdurand", "api-deploy"}

// seedEpoch is the earliest creation date of seeded instances.
var seedEpoch = time.Date(2019, 3, 4, 9, 0, 0, 0, zone)

// historyEpoch dates the seeded historical actions, backups and patch parties.
var historyEpoch = time.Date(2025, 6, 2, 8, 0, 0, 0, zone)

// detailKeys appear in GET /compute/instances/{id} but not in lists
// (fields seen in detail answers).
var detailKeys = []string{"storage", "backup", "backupPolicyDetails", "patchParty", "loadbalancers", "replication",
	"isMemberOFLoadBalancer", "storageMoveInProgress", "authenticationDomain"}

type fixedInstance struct {
	name, env, os, status string
	service               int64
	region, az            string
}

// fixedInstances open the seed so that tests can rely on them: two names
// sharing a prefix, one INACTIVE instance.
var fixedInstances = []fixedInstance{
	{"pdeb12web01", "PRODUCTION", "deb12", "ACTIVE", 2101, "EB", "EB-A"},
	{"pdeb12web010", "PRODUCTION", "deb12", "ACTIVE", 2101, "EB", "EB-B"},
	{"qrhel9app03", "QA", "rhel9", "ACTIVE", 2102, "EB", "EB-C"},
	{"ewin22sql02", "TEST", "win22", "INACTIVE", 2103, "ET", "ET-A"},
}

// rangeIP is host n of an address range: prefix "10.25.130", block 3 and
// host 5 give 10.25.133.15 (240 hosts a block, from .10).
func rangeIP(prefix string, block, n int) string {
	parts := strings.Split(prefix, ".")
	third, _ := strconv.Atoi(parts[2])
	return fmt.Sprintf("%s.%s.%d.%d", parts[0], parts[1], third+block, 10+n%240)
}

// nextIPLocked hands out addresses in a VLAN's range.
func (s *Server) nextIPLocked(prefix string) string {
	n := s.ipSeq
	s.ipSeq++
	return rangeIP(prefix, (n/240)%8, n)
}

// nameGen hands out seeded names: a stem and the next free two-digit number.
type nameGen struct {
	used     map[string]bool
	counters map[string]int
}

func newNameGen() *nameGen { return &nameGen{used: map[string]bool{}, counters: map[string]int{}} }

// reserve marks a fixed record's name as taken.
func (g *nameGen) reserve(name string) { g.used[name] = true }

// next returns stem01, stem02... skipping reserved names.
func (g *nameGen) next(stem string) string {
	for {
		g.counters[stem]++
		if name := fmt.Sprintf("%s%02d", stem, g.counters[stem]); !g.used[name] {
			g.used[name] = true
			return name
		}
	}
}

// seedRecords yields the n records of a seed in order: the fixed ones
// first, then ones made by gen, which takes their names from names (where
// the fixed names are reserved). gen runs as the records are consumed, so
// that it and the consumer draw from the same rng in turn.
func seedRecords[T any](n int, fixed []T, nameOf func(T) string, gen func(names *nameGen) T) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		names := newNameGen()
		for _, f := range fixed {
			names.reserve(nameOf(f))
		}
		for i := range n {
			var f T
			if i < len(fixed) {
				f = fixed[i]
			} else {
				f = gen(names)
			}
			if !yield(i, f) {
				return
			}
		}
	}
}

// seedDate is a creation date days to days+span days after seedEpoch, in
// working hours.
func seedDate(r *rng, days, span int) time.Time {
	return seedEpoch.Add(time.Duration(days+r.intn(span))*24*time.Hour + time.Duration(r.intn(9*3600))*time.Second)
}

// seedTags are the tags of a seeded resource: its application, an owner
// among owners and, sometimes, a criticality.
func seedTags(r *rng, app string, owners []string) []any {
	tags := []any{
		map[string]any{"key": "application", "value": app},
		map[string]any{"key": "owner", "value": pick(r, owners)},
	}
	if r.percent(40) {
		tags = append(tags, map[string]any{"key": "criticality", "value": pick(r, []string{"high", "medium", "low"})})
	}
	return tags
}

// randomPlacement draws, in this order, a region (ET with etPct percent,
// else EB) and a status (INACTIVE with inactivePct percent, else ACTIVE).
func randomPlacement(r *rng, etPct, inactivePct int) (region, status string) {
	region, status = "EB", "ACTIVE"
	if r.percent(etPct) {
		region = "ET"
	}
	if r.percent(inactivePct) {
		status = "INACTIVE"
	}
	return region, status
}

// seedBase is the fields every seeded resource of a family starts with.
func seedBase(id int64, name, status, env string, svc service) map[string]any {
	return map[string]any{"id": id, "name": name, "status": status, "environment": env,
		"serviceId": svc.id, "serviceKey": svc.key, "cloudId": svc.cloud}
}

// randomEnv draws an environment with the seeded weights.
func randomEnv(r *rng) envSpec {
	return envSpecs[r.weighted(weightsOf(envSpecs, func(e envSpec) int { return e.weight }))]
}

// seed fills the server with n deterministic instances, a few snapshots and
// a few historical actions.
func (s *Server) seed(n int) {
	r := newRNG(0x17CA2E5A4D80C5)
	ipSeqs := map[string]int{}
	for i, f := range seedRecords(n, fixedInstances, func(f fixedInstance) string { return f.name }, func(names *nameGen) fixedInstance {
		env := randomEnv(r)
		o := osSpecs[r.weighted(weightsOf(osSpecs, func(o osSpec) int { return o.weight }))]
		role := pick(r, rolesByType[o.typ])
		name := names.next(env.letter + o.code + role)
		status := "ACTIVE"
		if r.percent(15) {
			status = "INACTIVE"
		}
		region, az := "EB", pick(r, []string{"EB-A", "EB-B", "EB-C"})
		if r.percent(30) {
			region, az = "ET", pick(r, []string{"ET-A", "ET-B"})
		}
		return fixedInstance{name, env.name, o.code, status, pick(r, services).id, region, az}
	}) {
		id := int64(firstInstanceID + i)
		m := s.genInstance(r, id, f, ipSeqs)
		s.instances[id] = mustNormalize(m)
		s.nextInstanceID = id + 1
		if id%9 == 0 {
			s.snapshotSeq[id] = 1
			s.snapshots[id] = []map[string]any{mustNormalize(map[string]any{
				"id":              fmt.Sprintf("%d-snap-1", id),
				"label":           "snap-1",
				"description":     "before monthly patch party",
				"changeReference": fmt.Sprintf("RFC_%d", 4000+id%1000),
				"creator":         pick(r, creators),
				"creationDate":    formatDate(historyEpoch.Add(time.Duration(id%50) * time.Hour)),
				"recoveryDate":    nil,
				"expirationDate":  formatDate(historyEpoch.Add(time.Duration(id%50)*time.Hour + 7*24*time.Hour)),
				"size":            4 + id%20,
			})}
		}
	}
	s.seedActions(r)
	s.seedFamilies()
}

func weightsOf[T any](xs []T, w func(T) int) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = w(x)
	}
	return out
}

// instanceBase is the fields of an instance that every way of making one
// (seed, AddInstance, creation) derives alike.
func instanceBase(id int64, name string, o osSpec, status, env string, svc service, region, az, vlan, ip string) map[string]any {
	m := seedBase(id, name, status, env, svc)
	area := region + "-" + envByName(env).area
	maps.Copy(m, map[string]any{"type": o.typ, "family": o.family, "ipAddress": ip, "vlan": vlan,
		"labelRegion": region, "region": region, "labelAvailabilityZone": az, "availabilityZone": az,
		"labelArea": area, "area": area, "labelDatacenter": "DC-" + region})
	return m
}

func (s *Server) genInstance(r *rng, id int64, f fixedInstance, ipSeqs map[string]int) map[string]any {
	o := osByCode(f.os)
	svc, _ := serviceByID(f.service)
	dmz := f.env == "PRODUCTION" && (strings.Contains(f.name, "web") || strings.Contains(f.name, "api") || strings.Contains(f.name, "iis"))
	vl := vlanFor(f.region, f.env, dmz)
	seq := ipSeqs[vl.name]
	ipSeqs[vl.name]++
	ip := rangeIP(vl.prefix, seq/240, seq)
	cpu := pick(r, []int{1, 2, 2, 4, 4, 4, 8, 8, 16})
	ram := min(cpu*pick(r, []int{2, 2, 4, 4, 8}), 128)
	disks := pick(r, []int{40, 60, 80, 100, 150, 200, 500})
	created := seedDate(r, 0, 6*365).Add(time.Duration(r.intn(1000)) * time.Millisecond)
	tags := seedTags(r, svc.app, []string{"team-infra", "team-data", "team-web", "team-erp"})
	prod := f.env == "PRODUCTION"
	m := instanceBase(id, f.name, o, f.status, f.env, svc, f.region, f.az, vl.name, ip)
	maps.Copy(m, map[string]any{
		"creationUser":         pick(r, creators),
		"creationTime":         formatDate(created),
		"cpu":                  cpu,
		"ram":                  ram,
		"totalSizeDisks":       disks,
		"tags":                 tags,
		"backupStatus":         prod || r.percent(40),
		"recoveryStatus":       prod && r.percent(25),
		"includedInPatchParty": o.typ != "AIX" && r.percent(85),
	})
	completeInstance(m, newRNG(uint64(id)))
	return m
}

// completeInstance fills the derived objects (network, storage and the
// detail-only fields) that m does not carry yet.
func completeInstance(m map[string]any, r *rng) {
	setDefault := func(k string, v any) {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	name, ip, vlan, typ := sval(m, "name"), sval(m, "ipAddress"), sval(m, "vlan"), sval(m, "type")
	region := sval(m, "labelRegion")
	cidr, gateway := "", ""
	vl, _ := find(vlanSpecs, vlanSpec{scope: "PRIVATE"}, func(v vlanSpec) bool { return v.name == vlan })
	scope := vl.scope
	if i := strings.LastIndex(ip, "."); i > 0 {
		cidr, gateway = ip[:i]+".0/24", ip[:i]+".1"
	}
	setDefault("network", map[string]any{
		"technicalID": vlan,
		"cidr":        cidr,
		"gateway":     gateway,
		"scope":       scope,
		"ipAddress":   ip,
		"dns":         []any{map[string]any{"alias": name, "domain": strings.ToLower(region) + ".hosting.cegedim.cloud"}},
	})
	disks, _ := ival(m, "totalSizeDisks")
	setDefault("storage", buildStorage(typ, disks, r))
	backup := bval(m, "backupStatus")
	if backup {
		last := historyEpoch.Add(-time.Duration(r.intn(48))*time.Hour - time.Duration(r.intn(3600))*time.Second)
		system := "NETWORKER"
		if typ == "WINDOWS" {
			system = "VEEAM"
		}
		setDefault("backup", map[string]any{"backupSystem": system, "size": max(disks/3, 1), "type": "INCREMENTAL", "lastDate": formatDate(last)})
		setDefault("backupPolicyDetails", map[string]any{
			"policies": []any{"DAILY-30D"},
			"backups":  []any{map[string]any{"policy": "DAILY-30D", "status": "SUCCESS", "lastDate": formatDate(last)}},
		})
	} else {
		setDefault("backup", nil)
		setDefault("backupPolicyDetails", map[string]any{"policies": []any{}, "backups": []any{}})
	}
	if bval(m, "includedInPatchParty") {
		group := pick(r, []string{"A", "B", "C", "D"})
		setDefault("patchParty", map[string]any{
			"excluded": false, "exclusionReason": nil, "patchGroup": "GROUP_" + group,
			"patchDate": formatDate(historyEpoch.Add(time.Duration(14+r.intn(14))*24*time.Hour + 14*time.Hour)),
			"patchTag":  "PP-" + group,
		})
	} else {
		setDefault("patchParty", map[string]any{
			"excluded": true, "exclusionReason": "excluded by the application owner", "patchGroup": nil,
			"patchDate": nil, "patchTag": nil,
		})
	}
	setDefault("loadbalancers", []any{})
	setDefault("replication", bval(m, "recoveryStatus"))
	setDefault("isMemberOFLoadBalancer", false)
	setDefault("storageMoveInProgress", false)
	if typ == "WINDOWS" {
		setDefault("authenticationDomain", "AD-CLOUD")
	} else {
		setDefault("authenticationDomain", nil)
	}
}

func buildStorage(typ string, total int64, r *rng) map[string]any {
	if total <= 0 {
		total = 40
	}
	type fs struct {
		mount, kind string
		size        int64
	}
	var list []fs
	switch typ {
	case "WINDOWS":
		list = []fs{{`C:\`, "NTFS", min(total, 60)}}
		if total > 60 {
			list = append(list, fs{`D:\`, "NTFS", total - 60})
		}
	case "AIX":
		list = []fs{{"/", "jfs2", min(total, 20)}}
		if total > 20 {
			list = append(list, fs{"/opt", "jfs2", total - 20})
		}
	default:
		list = []fs{{"/", "ext4", min(total, 20)}}
		if total > 20 {
			list = append(list, fs{"/var", "xfs", min(total-20, 10)})
		}
		if total > 30 {
			list = append(list, fs{"/data", "xfs", total - 30})
		}
	}
	var sum int64
	out := make([]any, 0, len(list))
	for _, f := range list {
		sum += f.size
		free := f.size * int64(10+r.intn(70)) / 100
		out = append(out, map[string]any{"mountingPoint": f.mount, "type": f.kind, "sizeOf": f.size, "free": free})
	}
	return map[string]any{"totalSizeDisks": total, "fileSystems": out, "totalSizeFileSystems": sum}
}

// seedActions records a few finished historical actions.
func (s *Server) seedActions(r *rng) {
	insts := s.orderedLocked(typeInstance)
	when := historyEpoch.Add(-30 * 24 * time.Hour)
	add := func(a *action) {
		a.resourceType, a.completedAt = typeInstance, a.due
		s.recordActionLocked(a)
	}
	// An instance deleted long ago: its actions outlive it.
	add(&action{process: "stop-instance", resourceName: "pdeb11old01", resourceID: 9990, serviceID: 2101, family: "DEBIAN",
		submittedBy: "jdupont", submittedAt: when, due: when.Add(45 * time.Second), status: statusSuccess,
		message: "Instance pdeb11old01 stopped"})
	when = when.Add(10 * time.Minute)
	add(&action{process: "delete-instance", resourceName: "pdeb11old01", resourceID: 9990, serviceID: 2101, family: "DEBIAN",
		submittedBy: "jdupont", submittedAt: when, due: when.Add(3 * time.Minute), status: statusSuccess,
		message: "Instance pdeb11old01 deleted"})
	for i := 0; i < 10 && len(insts) > 0; i++ {
		inst := insts[r.intn(len(insts))]
		when = when.Add(time.Duration(20+r.intn(72*60)) * time.Minute)
		a := &action{resourceName: sval(inst, "name"), family: sval(inst, "family"), submittedBy: pick(r, []string{"jdupont", "mmartin", defaultClient}),
			submittedAt: when, due: when.Add(time.Duration(30+r.intn(300)) * time.Second), status: statusSuccess}
		a.resourceID, _ = ival(inst, "id")
		a.serviceID, _ = ival(inst, "serviceId")
		switch {
		case sval(inst, "status") == "INACTIVE":
			a.process, a.message = "stop-instance", fmt.Sprintf("Instance %s stopped", a.resourceName)
		case i%3 == 0:
			a.process, a.message = "create-snapshot", fmt.Sprintf("Snapshot of instance %s created", a.resourceName)
		default:
			a.process, a.message = "reset-instance", fmt.Sprintf("Instance %s reset", a.resourceName)
		}
		if i == 4 || i == 8 {
			a.status, a.message = statusError, "Timeout while waiting for the hypervisor"
		}
		add(a)
	}
}

// addInstanceLocked implements AddInstance.
func (s *Server) addInstanceLocked(in map[string]any) int64 {
	user := mustNormalize(in)
	id, ok := ival(user, "id")
	if _, taken := s.instances[id]; !ok || id <= 0 || taken {
		id = s.nextInstanceID
	}
	s.nextInstanceID = max(s.nextInstanceID, id+1)
	region := "EB"
	if v := strings.ToUpper(sval(user, "labelRegion")); v != "" {
		region = v
	} else if v := strings.ToUpper(sval(user, "region")); v != "" {
		region = v
	}
	env := "DEVELOPMENT"
	if v := sval(user, "environment"); v != "" {
		env = v
	}
	vl := vlanFor(region, env, false)
	if v := sval(user, "vlan"); v != "" {
		vl = vlanSpec{name: v, prefix: "10.99.0", scope: "PRIVATE"}
	}
	typ, family := "LINUX", "DEBIAN"
	if v := strings.ToUpper(sval(user, "type")); v != "" {
		typ, family = v, map[string]string{"WINDOWS": "WINDOWS", "AIX": "AIX"}[v]
		if family == "" {
			family = "DEBIAN"
		}
	}
	if v := strings.ToUpper(sval(user, "family")); v != "" {
		family = v
		if _, ok := user["type"]; !ok {
			typ = map[string]string{"WINDOWS": "WINDOWS", "AIX": "AIX"}[v]
			if typ == "" {
				typ = "LINUX"
			}
		}
	}
	svc := serviceOf(user)
	m := instanceBase(id, fmt.Sprintf("custom%d", id), osSpec{typ: typ, family: family}, "ACTIVE", env, svc,
		region, region+"-A", vl.name, s.nextIPLocked("10.99.0"))
	maps.Copy(m, map[string]any{"creationUser": "sandbox", "creationTime": formatDate(s.now()), "cpu": 2, "ram": 4,
		"totalSizeDisks": 40, "backupStatus": false, "recoveryStatus": false, "includedInPatchParty": false,
		"tags": []any{map[string]any{"key": "application", "value": svc.app}}})
	for k, v := range user {
		m[k] = v
	}
	m["id"] = id
	completeInstance(m, newRNG(uint64(id)))
	s.instances[id] = mustNormalize(m)
	return id
}

// mustNormalize deep-copies m through JSON so that every value is a JSON
// type (numbers become json.Number); time.Time values become API dates.
func mustNormalize(m map[string]any) map[string]any {
	tmp := make(map[string]any, len(m))
	for k, v := range m {
		switch t := v.(type) {
		case time.Time:
			v = formatDate(t)
		case *time.Time:
			if t != nil {
				v = formatDate(*t)
			}
		}
		tmp[k] = v
	}
	b, err := json.Marshal(tmp)
	if err != nil {
		panic(fmt.Sprintf("sandbox: instance is not JSON: %v", err))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		panic(fmt.Sprintf("sandbox: instance is not JSON: %v", err))
	}
	return out
}

// sval reads a field as a string ("" when absent or null).
func sval(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	default:
		return fmt.Sprint(v)
	}
}

// ival reads an integer field.
func ival(m map[string]any, k string) (int64, bool) {
	switch v := m[k].(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, true
		}
		if f, err := v.Float64(); err == nil && f == float64(int64(f)) {
			return int64(f), true
		}
	case int:
		return int64(v), true
	case int64:
		return v, true
	case float64:
		if v == float64(int64(v)) {
			return int64(v), true
		}
	case string:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

// bval reads a boolean field (false when absent).
func bval(m map[string]any, k string) bool {
	switch v := m[k].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}
