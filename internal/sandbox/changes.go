package sandbox

// The change calendar, GET /changes (seen in a third-party client):
// patch parties and maintenance windows. The calendar
// is computed from the clock, so it always has past, running and coming
// changes. Every field is a sandbox choice.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Change types: PATCH_PARTY is seen in the client; MAINTENANCE is a sandbox
// choice.
var changeTypes = []string{"PATCH_PARTY", "MAINTENANCE"}

// patchGroups: the group of instances patched together, and the
// environments each one covers (sandbox choice, matching the instances'
// patchParty.patchGroup).
var patchGroups = []struct {
	group string
	days  int // after the second Tuesday of the month
	envs  []string
}{
	{"GROUP_A", 0, []string{"DEVELOPMENT", "TEST"}},
	{"GROUP_B", 1, []string{"QA", "PREPRODUCTION"}},
	{"GROUP_C", 7, []string{"PRODUCTION"}},
	{"GROUP_D", 8, []string{"PRODUCTION"}},
}

// changeDateLayouts are the forms start and end are accepted in: the
// documented one (numeric zone without colon), RFC 3339 (what the client
// sends, from JavaScript's toISOString), with or without milliseconds.
var changeDateLayouts = []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano, time.RFC3339}

// listChanges answers GET /changes: a plain array, earliest first, of the
// changes overlapping [start, end] (default: 30 days ago to 90 days ahead).
func (s *Server) listChanges(c *call) reply {
	q := c.query
	if rep := checkParams(q, "maintenanceTypes", "start", "end", "environments"); rep != nil {
		return *rep
	}
	now := s.now()
	from, to := now.Add(-30*24*time.Hour), now.Add(90*24*time.Hour)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"start", &from}, {"end", &to}} {
		v, ok, rep := singleValue(q, p.name)
		if rep != nil {
			return *rep
		}
		if !ok {
			continue
		}
		t, err := parseChangeDate(v)
		if err != nil {
			return badValue(p.name, "%s: %q is not a date like 2026-06-01T12:00:00.000+0200", p.name, v)
		}
		*p.t = t
	}
	if to.Before(from) || to.Sub(from) > 2*366*24*time.Hour {
		return badValue("end", "end must be after start, at most two years later")
	}
	var types, envs []string
	for _, v := range listValues(q, "maintenanceTypes") {
		if v = strings.ToUpper(v); !slices.Contains(changeTypes, v) {
			return badValue("maintenanceTypes", "unknown maintenance type %q; expected one of %s", v, strings.Join(changeTypes, ", "))
		}
		types = append(types, v)
	}
	for _, v := range listValues(q, "environments") {
		if v = strings.ToUpper(v); !slices.Contains(knownEnums["environments"], v) {
			return badValue("environments", "unknown environment %q", v)
		}
		envs = append(envs, v)
	}
	out := []map[string]any{}
	for _, ch := range s.calendarLocked(from, to, now) {
		switch {
		case len(types) > 0 && !slices.Contains(types, ch["maintenanceType"].(string)):
		case len(envs) > 0 && !slices.ContainsFunc(ch["environments"].([]string), func(e string) bool { return slices.Contains(envs, e) }):
		default:
			out = append(out, ch)
		}
	}
	return jsonReply(http.StatusOK, out)
}

func parseChangeDate(v string) (time.Time, error) {
	for _, l := range changeDateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date %q", v)
}

// calendarLocked lists the changes overlapping [from, to], earliest first:
// each month, a patch party per group from the second Tuesday, 20:00-23:30,
// and a maintenance window on the first Thursday, 06:00-08:00.
func (s *Server) calendarLocked(from, to, now time.Time) []map[string]any {
	count := map[string]int{}
	for _, inst := range s.instances {
		if pp, ok := inst["patchParty"].(map[string]any); ok && !bval(pp, "excluded") {
			count[sval(pp, "patchGroup")]++
		}
	}
	var out []map[string]any
	first := time.Date(from.In(zone).Year(), from.In(zone).Month(), 1, 0, 0, 0, 0, zone).AddDate(0, -1, 0)
	for m := first; !m.After(to); m = m.AddDate(0, 1, 0) {
		month := m.Year()*100 + int(m.Month())
		tuesday := nthWeekday(m, time.Tuesday, 2)
		thursday := nthWeekday(m, time.Thursday, 1)
		add := func(id int, typ string, start, end time.Time, title, group string, envs []string, region string, n int) {
			if end.Before(from) || start.After(to) {
				return
			}
			status := "PLANNED"
			switch {
			case !now.Before(end):
				status = "DONE"
			case !now.Before(start):
				status = "IN_PROGRESS"
			}
			var g, r any
			if group != "" {
				g = group
			}
			if region != "" {
				r = region
			}
			out = append(out, map[string]any{
				"id": id, "maintenanceType": typ, "title": title, "status": status,
				"start": formatDate(start), "end": formatDate(end), "environments": envs,
				"patchGroup": g, "region": r, "impactedResources": n,
			})
		}
		add(month*100+50, "MAINTENANCE", thursday.Add(6*time.Hour), thursday.Add(8*time.Hour),
			"Hypervisor firmware upgrade", "", knownEnums["environments"], []string{"EB", "ET"}[m.Month()%2], 0)
		for i, g := range patchGroups {
			day := tuesday.AddDate(0, 0, g.days)
			add(month*100+i+1, "PATCH_PARTY", day.Add(20*time.Hour), day.Add(23*time.Hour+30*time.Minute),
				fmt.Sprintf("Patch party %s %s", m.Format("2006-01"), strings.TrimPrefix(g.group, "GROUP_")), g.group, g.envs, "", count[g.group])
		}
	}
	slices.SortStableFunc(out, func(a, b map[string]any) int { return strings.Compare(a["start"].(string), b["start"].(string)) })
	return out
}

// nthWeekday is the midnight of the n-th wd of m's month.
func nthWeekday(m time.Time, wd time.Weekday, n int) time.Time {
	d := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, zone)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return d.AddDate(0, 0, 7*(n-1))
}
