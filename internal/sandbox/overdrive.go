package sandbox

// Overdrive storage volumes: /storage/overdrive (itcare-api.md §7.6).

import (
	"fmt"
	"net/http"
	"time"
)

const (
	firstOverdriveID = 5101
	seededOverdrive  = 15
)

// overdriveListParams: the documented filter and paging (itcare-api.md §7.6).
var overdriveListParams = []string{"names", "page", "size", "sort"}

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

// overdriveOps: PATCH operations (documented) with the status they need and
// the status they leave.
var overdriveOps = map[string]struct{ requires, after, process, running, done string }{
	"start": {"INACTIVE", "ACTIVE", "start-overdrive", "Starting Overdrive volume %s", "Overdrive volume %s started"},
	"stop":  {"ACTIVE", "INACTIVE", "stop-overdrive", "Stopping Overdrive volume %s", "Overdrive volume %s stopped"},
}

func (s *Server) seedOverdrive(r *rng) {
	for i, f := range seedRecords(seededOverdrive, fixedOverdrives, func(f fixedOverdrive) string { return f.name }, func(names *nameGen) fixedOverdrive {
		env := randomEnv(r)
		name := names.next(env.letter + "od" + pick(r, []string{"share", "exchange", "docs", "scans", "media", "backup"}))
		f := fixedOverdrive{name, env.name, overdriveSizings[r.weighted([]int{2, 4, 4, 2, 1})], "ACTIVE", pick(r, services).id, "EB"}
		if r.percent(20) {
			f.region = "ET"
		}
		if r.percent(20) {
			f.status = "INACTIVE"
		}
		return f
	}) {
		id := int64(firstOverdriveID + i)
		svc, _ := serviceByID(f.service)
		created := seedDate(r, 2*365, 4*365)
		s.fam.overdrive[id] = mustNormalize(map[string]any{
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

func (s *Server) overdriveRoute(c *call, rest []string) reply {
	if len(rest) == 0 {
		if c.is(http.MethodPost) {
			return s.createLocked(c, overdriveCreate)
		}
		if !c.is(http.MethodGet) {
			return methodNotAllowed(c.r.Method, http.MethodGet, http.MethodPost)
		}
		q := c.query
		if rep := checkParams(q, overdriveListParams...); rep != nil {
			return *rep
		}
		f := &filters{}
		f.add(namesFilter(q))
		return pageReply(q, byID(s.fam.overdrive), f, sortableOverdriveFields, nil)
	}
	if !c.is(http.MethodGet, http.MethodPatch, http.MethodDelete) {
		return methodNotAllowed(c.r.Method, http.MethodGet, http.MethodPatch, http.MethodDelete)
	}
	id, rep := pathID(rest[0], "id", "Overdrive volume")
	if rep != nil {
		return *rep
	}
	if c.is(http.MethodDelete) {
		return s.deleteFamilyItem(c, typeOverdrive, "Overdrive volume", "delete-overdrive", id, nil)
	}
	if c.is(http.MethodGet) {
		return getItemLocked(s.fam.overdrive, c, id, "Overdrive volume")
	}
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	return s.patchOverdrive(c, id)
}

// patchOverdrive answers PATCH /storage/overdrive/{id} {"operation":
// "start"|"stop"} (documented); start needs INACTIVE, stop ACTIVE (409
// otherwise); the status changes when the action succeeds.
func (s *Server) patchOverdrive(c *call, id int64) reply {
	op, _, rep := operationBody(c, "start", "stop")
	if rep != nil {
		return *rep
	}
	od, ok := s.fam.overdrive[id]
	if !ok {
		return noSuch("id", "Overdrive volume", id)
	}
	name := sval(od, "name")
	key := resKey{typeOverdrive, id}
	if rep := s.busyLocked(key, "Overdrive volume", name); rep != nil {
		return *rep
	}
	spec := overdriveOps[op]
	if st := sval(od, "status"); st != spec.requires {
		return conflict("INVALID_STATUS", fmt.Sprintf("Overdrive volume %d (%s) is %s; %s requires status %s", id, name, st, op, spec.requires))
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: %s of Overdrive volume %d (%s) is valid; nothing was done", op, id, name))
	}
	return s.startFamilyActionLocked(c, familyAction{
		key: key, m: od, op: op, process: spec.process,
		running:   fmt.Sprintf(spec.running, name),
		done:      fmt.Sprintf(spec.done, name),
		onSuccess: func(time.Time) { od["status"] = spec.after },
	})
}
