package sandbox

// Overdrive storage volumes: /storage/overdrive: the
// seed data; routes and operations come from the table.

import "github.com/itcare-cli/itcare/internal/family"

const (
	firstOverdriveID = 5101
	seededOverdrive  = 15
)

var sortableOverdriveFields = []string{"id", "name", "status", "sizing", "region", "environment", "serviceId",
	"serviceKey", "cloudId", "driveSiteUri", "creationTime", "creationUser"}

// overdriveSizings are the documented sizings, smallest first.
var overdriveSizings = []string{"XS", "S", "M", "L", "XL"}

type fixedOverdrive struct {
	name, env, sizing, status string
	service                   int64
	region                    string
}

// fixedOverdrives open the seed so that tests can rely on them: one ACTIVE
// and one INACTIVE volume.
var fixedOverdrives = []fixedOverdrive{
	{"podshare01", "PRODUCTION", "M", "ACTIVE", 2101, "EB"},
	{"podarchive01", "PRODUCTION", "L", "INACTIVE", 2104, "EB"},
	{"qodshare01", "QA", "S", "ACTIVE", 2101, "EB"},
	{"dodlab01", "DEVELOPMENT", "XS", "ACTIVE", 2108, "EB"},
}

func init() {
	register(family.Overdrive, &familyImpl{seed: (*Server).seedOverdrive, rngSeed: 0x0D21BE5EED, sortable: sortableOverdriveFields,
		product: func(m map[string]any) string { return "Overdrive " + sval(m, "sizing") }})
}

func (s *Server) seedOverdrive(r *rng) {
	for i, f := range seedRecords(seededOverdrive, fixedOverdrives, func(f fixedOverdrive) string { return f.name }, func(names *nameGen) fixedOverdrive {
		env := randomEnv(r)
		name := names.next(env.letter + "od" + pick(r, []string{"share", "exchange", "docs", "scans", "media", "backup"}))
		f := fixedOverdrive{name: name, env: env.name, sizing: overdriveSizings[r.weighted([]int{2, 4, 4, 2, 1})], service: pick(r, services).id}
		f.region, f.status = randomPlacement(r, 20, 20)
		return f
	}) {
		id := int64(firstOverdriveID + i)
		svc, _ := serviceByID(f.service)
		created := seedDate(r, 2*365, 4*365)
		s.fam.items[typeOverdrive][id] = mustNormalize(map[string]any{
			"id":           id,
			"name":         f.name,
			"status":       f.status,
			"sizing":       f.sizing,
			"region":       f.region,
			"environment":  f.env,
			"serviceId":    svc.id,
			"serviceKey":   svc.key,
			"cloudId":      svc.cloud,
			"driveSiteUri": "https://drive.cegedim.cloud/sites/" + f.name,
			"creationTime": formatDate(created),
			"creationUser": pick(r, creators),
		})
	}
}
