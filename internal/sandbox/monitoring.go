package sandbox

// Monitoring charts, resource history and the change calendar: endpoints
// seen only in a third-party client. Their answers are
// not documented: every shape here is a sandbox choice (README.md).

import (
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Chart limits (sandbox choice).
const (
	defaultChartPoints = 100
	maxChartPoints     = 1000
	maxChartSpan       = 366 * 24 * time.Hour
)

// graphSpec is one monitoring graph of an instance.
type graphSpec struct {
	name   string // series name
	unit   string
	os     string // "LINUX" or "WINDOWS": the instance type it exists for
	memory bool
}

// graphs are the graph names seen in the third-party client; unit and series name are sandbox choices.
var graphs = map[string]graphSpec{
	"SYS_LNX_CPU_USAGE":       {"cpu usage", "%", "LINUX", false},
	"SYS_LNX_MEMORY_USAGE":    {"memory usage", "%", "LINUX", true},
	"SYS_WIN_CPU_USAGE":       {"cpu usage", "%", "WINDOWS", false},
	"SYS_WIN_PHYSICAL_MEMORY": {"physical memory used", "MB", "WINDOWS", true},
}

// observePath names the route of segs among the chart, history and
// changes paths, or "".
func observePath(segs []string) string {
	switch {
	case len(segs) == 4 && segs[0] == "monitoring" && segs[1] == "resources" && segs[3] == "chart":
		return "chart"
	case len(segs) == 4 && segs[0] == "compute" && segs[1] == "resources" && segs[3] == "history":
		return "history"
	case len(segs) == 1 && segs[0] == "changes":
		return "changes"
	}
	return ""
}

// observeRoute serves the chart, history and changes paths; ok is false
// for any other path.
func (s *Server) observeRoute(c *call, segs []string) (reply, bool) {
	route := observePath(segs)
	switch {
	case route == "":
		return reply{}, false
	case !c.is(http.MethodGet):
		return methodNotAllowed(c.r.Method, http.MethodGet), true
	case route == "changes":
		return s.listChanges(c), true
	}
	s.syncResourceIDsLocked()
	id, rep := pathID(segs[2], "id", "resource")
	if rep != nil {
		return *rep, true
	}
	k, known := s.fam.resourceKeys[id]
	if route == "chart" {
		return s.chart(c, id, k, known), true
	}
	return s.history(c, id, k, known), true
}

// chart answers GET /monitoring/resources/{id}/chart?start=&end=&graph-name=
// &points=: {"<id>": {"<graph>": {"unit": U, "series": [{"name": N,
// "data": [[epoch ms, value], ...]}]}}}. The values are a deterministic
// function of the resource, the graph and the time (a daily wave, a slower
// drift and noise), so two calls over the same period agree.
func (s *Server) chart(c *call, id int64, k resKey, known bool) reply {
	q := c.query
	if rep := checkParams(q, "start", "end", "graph-name", "points"); rep != nil {
		return *rep
	}
	epoch := func(name string) (time.Time, *reply) {
		v, ok, rep := singleValue(q, name)
		if rep != nil {
			return time.Time{}, rep
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || n < 0 || n > 1e11 {
			r := badValue(name, "%s must be a time in seconds since 1970 (epoch), got %q", name, v)
			return time.Time{}, &r
		}
		return time.Unix(n, 0), nil
	}
	start, rep := epoch("start")
	if rep != nil {
		return *rep
	}
	end, rep := epoch("end")
	if rep != nil {
		return *rep
	}
	if !end.After(start) || end.Sub(start) > maxChartSpan {
		return badValue("end", "end must be after start and at most %d days after it", int(maxChartSpan.Hours()/24))
	}
	points, rep := intParam(q, "points", defaultChartPoints, 2, maxChartPoints, fmt.Sprintf("points must be an integer from 2 to %d, got %%q", maxChartPoints))
	if rep != nil {
		return *rep
	}
	graph, _, rep := singleValue(q, "graph-name")
	if rep != nil {
		return *rep
	}
	if graph == "" {
		return badValue("graph-name", "graph-name is required, e.g. SYS_LNX_CPU_USAGE")
	}
	if !known {
		return noSuch("id", "resource", id)
	}
	inst := s.itemsLocked(k.typ)[k.id]
	if inst == nil {
		return noSuch("id", "resource", id)
	}
	spec, ok := graphs[graph]
	if !ok || k.typ != typeInstance || spec.os != sval(inst, "type") {
		return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "graph-name",
			fmt.Sprintf("resource %d has no graph %q", id, graph))
	}
	ram, _ := ival(inst, "ram")
	step := end.Sub(start) / time.Duration(points-1)
	data := make([]any, 0, points)
	for i := 0; i < points; i++ {
		t := start.Add(step * time.Duration(i))
		if i == points-1 {
			t = end
		}
		v := metricValue(id, graph, spec, t)
		if spec.unit == "MB" {
			v = math.Round(v / 100 * float64(max(ram, 1)) * 1024)
		}
		data = append(data, []any{t.UnixMilli(), v})
	}
	return jsonReply(http.StatusOK, map[string]any{
		strconv.FormatInt(id, 10): map[string]any{
			graph: map[string]any{
				"unit":   spec.unit,
				"series": []any{map[string]any{"name": spec.name, "data": data}},
			},
		},
	})
}

// metricValue is a plausible percentage for the graph of resource id at t:
// a base level, a daily wave peaking in the afternoon, a slow weekly drift
// and a little noise, one decimal, within 0..100.
func metricValue(id int64, graph string, spec graphSpec, t time.Time) float64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", id, graph)
	seed := h.Sum64()
	base := 15 + float64(seed%35)
	amp := 8 + float64(seed/7%20)
	if spec.memory {
		base, amp = 45+float64(seed%30), 4+float64(seed/7%6)
	}
	hours := float64(t.Unix()) / 3600
	day := math.Sin(2 * math.Pi * (hours - 8) / 24)
	week := math.Sin(2*math.Pi*hours/(24*7) + float64(seed%13))
	n := fnv.New64a()
	fmt.Fprintf(n, "%d/%s/%d", id, graph, t.Unix()/60)
	noise := float64(n.Sum64()%1000)/1000*3 - 1.5
	v := base + amp*day + 5*week + noise
	return math.Round(math.Min(math.Max(v, 0), 100)*10) / 10
}

// history answers GET /compute/resources/{id}/history: the actions of the
// resource, newest first, as GET /actions writes them (sandbox choice: a
// plain array; the real answer is unknown).
func (s *Server) history(c *call, id int64, k resKey, known bool) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	if !known {
		return noSuch("id", "resource", id)
	}
	out := []map[string]any{}
	for _, a := range slices.Backward(s.actions) {
		if a.resourceID == k.id && strings.EqualFold(a.resourceType, k.typ) {
			out = append(out, a.view())
		}
	}
	return jsonReply(http.StatusOK, out)
}
