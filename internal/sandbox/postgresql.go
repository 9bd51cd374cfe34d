package sandbox

// PostgreSQL databases: /databases/postgresql (inferred): the seed data;
// routes, filters, operations and deletion come from the table.

import (
	"fmt"
	"maps"
	"strings"

	"github.com/itcare-cli/itcare/internal/family"
)

const (
	firstPostgreSQLID = 6101
	seededPostgreSQL  = 16
)

var sortablePostgreSQLFields = []string{"id", "name", "status", "environment", "serviceId", "serviceKey", "cloudId",
	"version", "sizing", "region", "area", "endpoint", "port", "storageGb", "highAvailability", "creationTime", "creationUser"}

type fixedPostgreSQL struct {
	name, env, version, sizing, status string
	service                            int64
	region                             string
}

// fixedPostgreSQLs open the seed so that tests can rely on them: one
// ACTIVE and one INACTIVE database.
var fixedPostgreSQLs = []fixedPostgreSQL{
	{"ppgsql01", "PRODUCTION", "16", "M", "ACTIVE", 2101, "EB"},
	{"ppgarchive01", "PRODUCTION", "15", "L", "INACTIVE", 2104, "EB"},
	{"qpgsql01", "QA", "16", "S", "ACTIVE", 2101, "EB"},
}

func init() {
	register(family.PostgreSQL, &familyImpl{seed: (*Server).seedPostgreSQL, rngSeed: 0x9057A3E5, sortable: sortablePostgreSQLFields,
		product: func(m map[string]any) string { return "PostgreSQL " + sval(m, "version") }})
}

func (s *Server) seedPostgreSQL(r *rng) {
	for i, f := range seedRecords(seededPostgreSQL, fixedPostgreSQLs, func(f fixedPostgreSQL) string { return f.name }, func(names *nameGen) fixedPostgreSQL {
		env := randomEnv(r)
		name := names.next(env.letter + "pg" + pick(r, []string{"sql", "app", "erp", "crm", "bi"}))
		f := fixedPostgreSQL{name: name, env: env.name, version: pick(r, []string{"14", "15", "16", "16"}),
			sizing: pick(r, []string{"S", "M", "M", "L"}), service: pick(r, services).id}
		f.region, f.status = randomPlacement(r, 25, 15)
		return f
	}) {
		id := int64(firstPostgreSQLID + i)
		svc, _ := serviceByID(f.service)
		prod := f.env == "PRODUCTION"
		m := seedBase(id, f.name, f.status, f.env, svc)
		maps.Copy(m, map[string]any{
			"version":          f.version,
			"sizing":           f.sizing,
			"region":           f.region,
			"area":             f.region + "-" + envByName(f.env).area,
			"endpoint":         fmt.Sprintf("%s.pg.%s.hosting.cegedim.cloud", f.name, strings.ToLower(f.region)),
			"port":             5432,
			"storageGb":        map[string]int{"S": 50, "M": 200, "L": 500}[f.sizing],
			"highAvailability": prod,
			"tags":             seedTags(r, svc.app, []string{"team-data", "team-erp"}),
			"creationTime":     formatDate(seedDate(r, 200, 4*365)),
			"creationUser":     pick(r, creators),
		})
		s.fam.items[family.PostgreSQL.ResourceType][id] = mustNormalize(m)
	}
}
