package sandbox

// Load balancers: /networking/loadbalancers, read-only:
// the seed data.

import (
	"fmt"
	"strings"

	"github.com/itcare-cli/itcare/internal/family"
)

const (
	firstLoadBalancerID = 4101
	firstMemberID       = 71001
	seededLoadBalancers = 20
)

var sortableLoadBalancerFields = []string{"id", "name", "status", "environment", "serviceId", "serviceKey", "cloudId",
	"region", "area", "vlan", "vip", "protocol", "profileName", "port", "portMembers", "url", "loadBalancingMode",
	"persistence", "fallbackPersistence", "healthcheck", "redirectToHttps", "monitoringEnabled", "onCallSupervision",
	"creationTime", "creationUser"}

var lbProtocols = family.LoadBalancers.Filter("protocols").Values

func init() {
	register(family.LoadBalancers, &familyImpl{seed: (*Server).seedLoadBalancers, rngSeed: 0x10ADBA1A9CE,
		sortable: sortableLoadBalancerFields,
		product:  func(m map[string]any) string { return "Load balancer " + sval(m, "profileName") }})
}

type fixedLB struct {
	name, env, protocol, status string
	service                     int64
	region                      string
}

// fixedLBs open the seed so that tests can rely on them.
var fixedLBs = []fixedLB{
	{"plbweb01", "PRODUCTION", "HTTPS", "ACTIVE", 2101, "EB"},
	{"plbapi01", "PRODUCTION", "HTTPS", "ACTIVE", 2102, "EB"},
	{"qlbweb01", "QA", "HTTP", "ACTIVE", 2101, "EB"},
	{"plbsql01", "PRODUCTION", "MYSQL", "ACTIVE", 2104, "EB"},
	{"elbweb01", "TEST", "HTTP", "INACTIVE", 2103, "ET"},
}

var lbRoles = map[string][]string{
	"HTTP":  {"web", "app", "portal"},
	"HTTPS": {"web", "api", "app", "portal"},
	"TCP":   {"tcp", "ldap", "smtp"},
	"MYSQL": {"sql"},
}

func (s *Server) seedLoadBalancers(r *rng) {
	memberID := int64(firstMemberID)
	for i, f := range seedRecords(seededLoadBalancers, fixedLBs, func(f fixedLB) string { return f.name }, func(names *nameGen) fixedLB {
		env := randomEnv(r)
		proto := lbProtocols[r.weighted([]int{3, 6, 2, 1})]
		name := names.next(env.letter + "lb" + pick(r, lbRoles[proto]))
		f := fixedLB{name: name, env: env.name, protocol: proto, service: pick(r, services).id}
		f.region, f.status = randomPlacement(r, 25, 10)
		return f
	}) {
		id := int64(firstLoadBalancerID + i)
		s.fam.items[typeLoadBalancer][id] = mustNormalize(s.genLoadBalancer(r, id, f, &memberID))
	}
}

func (s *Server) genLoadBalancer(r *rng, id int64, f fixedLB, memberID *int64) map[string]any {
	svc, _ := serviceByID(f.service)
	env := envByName(f.env)
	prod := f.env == "PRODUCTION"
	web := f.protocol == "HTTP" || f.protocol == "HTTPS"
	vl := vlanFor(f.region, f.env, prod && web)
	role := strings.TrimRight(strings.TrimPrefix(f.name, env.letter+"lb"), "0123456789")
	nn := strings.TrimPrefix(f.name, env.letter+"lb"+role)

	port, portMembers, profile, health := 80, 8080, "HTTP", "http"
	switch f.protocol {
	case "HTTPS":
		port, portMembers, profile, health = 443, pick(r, []int{8443, 8080, 443}), "HTTPS", "https"
	case "TCP":
		port = map[string]int{"ldap": 636, "smtp": 25}[role]
		if port == 0 {
			port = 8443
		}
		portMembers, profile, health = port, "TCP", "tcp"
	case "MYSQL":
		port, portMembers, profile, health = 3306, 3306, "TCP", "mysql"
	}
	persistence, fallback := "none", any(nil)
	switch {
	case web && r.percent(60):
		persistence, fallback = "cookie", "source_addr"
	case web:
		persistence = pick(r, []string{"none", "hash"})
	default:
		persistence = "source_addr"
	}

	suffix := map[string]string{"PRODUCTION": "", "QA": "-qa", "DEVELOPMENT": "-dev", "TEST": "-test"}[f.env]
	if nn != "01" {
		suffix += "-" + nn
	}
	host := fmt.Sprintf("%s-%s%s.cegedim.cloud", svc.app, role, suffix)
	monitoring := prod || r.percent(50)
	onCall := prod && monitoring
	var ssl any
	if f.protocol == "HTTPS" {
		ssl = "clientssl-cegedim-cloud"
	}
	urls := []any{map[string]any{"id": id*10 + 1, "name": host, "sslProfile": ssl, "dnsEnabled": true,
		"monitoringEnabled": monitoring, "onCallSupervision": onCall}}
	if f.protocol == "HTTPS" && r.percent(30) {
		urls = append(urls, map[string]any{"id": id*10 + 2, "name": "www-" + host, "sslProfile": ssl, "dnsEnabled": true,
			"monitoringEnabled": false, "onCallSupervision": false})
	}
	var iRules []any
	redirect := f.protocol == "HTTPS" && r.percent(70)
	if redirect {
		iRules = append(iRules, "irule_redirect_http_to_https")
	}
	if web && r.percent(20) {
		iRules = append(iRules, "irule_x_forwarded_for")
	}

	memberRole := map[string]string{"sql": "db", "tcp": "app", "portal": "web"}[role]
	if memberRole == "" {
		memberRole = role
	}
	osCode := pick(r, []string{"deb12", "deb12", "rhel9"})
	azs := regionAZs[f.region]
	var members []any
	for k := range 2 + r.intn(3) {
		state, status := "enabled", "up"
		switch {
		case f.status != "ACTIVE":
			state, status = "disabled", "user_down"
		case r.percent(8):
			state, status = "disabled", "user_down"
		case r.percent(5):
			state, status = "offline", "down"
		}
		members = append(members, map[string]any{
			"id":               *memberID,
			"name":             fmt.Sprintf("%s%s%s%02d", env.letter, osCode, memberRole, 70+int(id-firstLoadBalancerID)*4+k),
			"ip":               s.famIPLocked(vl.prefix, 2),
			"port":             portMembers,
			"state":            state,
			"status":           status,
			"area":             f.region + "-" + env.area,
			"availabilityZone": azs[k%len(azs)],
			"technicalNetwork": vl.name,
		})
		*memberID++
	}
	created := seedDate(r, 200, 6*365-200)
	tags := seedTags(r, svc.app, []string{"team-infra", "team-web", "team-erp"})
	return map[string]any{
		"id":                  id,
		"name":                f.name,
		"status":              f.status,
		"environment":         f.env,
		"serviceId":           svc.id,
		"serviceKey":          svc.key,
		"cloudId":             svc.cloud,
		"region":              f.region,
		"area":                f.region + "-" + env.area,
		"vlan":                vl.name,
		"vip":                 s.famIPLocked(vl.prefix, 3),
		"protocol":            f.protocol,
		"profileName":         profile,
		"port":                port,
		"portMembers":         portMembers,
		"url":                 host,
		"urls":                urls,
		"loadBalancingMode":   pick(r, []string{"round-robin", "round-robin", "least-connections-node", "least-connections-member"}),
		"persistence":         persistence,
		"fallbackPersistence": fallback,
		"healthcheck":         health,
		"redirectToHttps":     redirect,
		"iRules":              append([]any{}, iRules...),
		"monitoringEnabled":   monitoring,
		"onCallSupervision":   onCall,
		"members":             members,
		"tags":                tags,
		"creationTime":        formatDate(created),
		"creationUser":        pick(r, creators),
	}
}
