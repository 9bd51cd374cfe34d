package api

// Endpoints seen only in a third-party client: the
// monitoring chart of a resource, the history of a resource and the change
// (maintenance, patch party) calendar. Their paths and parameters are
// inferred from that client; their answers are not documented anywhere, so
// they are decoded tolerantly. See docs/api-assumptions.md.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/itcare-cli/itcare/internal/isodate"
)

// Chart is the monitoring series of one graph of one resource.
type Chart struct {
	ResourceID int64
	Graph      string
	Unit       string
	Series     []Series
}

// Series is one named series of a chart.
type Series struct {
	Name   string
	Unit   string
	Points []Point
}

// Point is one value at one time.
type Point struct {
	Time  time.Time
	Value float64
}

// ChartQuery selects the chart: GET /monitoring/resources/{id}/chart
// ?start=<epoch s>&end=<epoch s>&graph-name=<G>&points=<n> (inferred).
type ChartQuery struct {
	ResourceID int64 // the /compute/resources id, not the family's id
	Graph      string
	Start, End time.Time
	Points     int // 0: not sent (the server's default)
}

// MaxChartPoints bounds the points read from one chart answer.
const MaxChartPoints = 100000

// MaxChartRequestPoints bounds --points.
const MaxChartRequestPoints = 10000

// Chart fetches one graph of one resource.
func (c *Client) Chart(ctx context.Context, q ChartQuery) (*Chart, error) {
	v := url.Values{}
	v.Set("start", strconv.FormatInt(q.Start.Unix(), 10))
	v.Set("end", strconv.FormatInt(q.End.Unix(), 10))
	v.Set("graph-name", q.Graph)
	if q.Points > 0 {
		v.Set("points", strconv.Itoa(q.Points))
	}
	var raw json.RawMessage
	subject := fmt.Sprintf("chart %s of resource %d", q.Graph, q.ResourceID)
	if _, err := c.Get(ctx, fmt.Sprintf("/monitoring/resources/%d/chart", q.ResourceID), v, subject, &raw); err != nil {
		return nil, err
	}
	ch, err := ParseChart(raw, q.ResourceID, q.Graph)
	if err != nil {
		return nil, fmt.Errorf("reading the %s: %w", subject, err)
	}
	return ch, nil
}

// ParseChart reads a chart answer. The one fact known is that it is keyed
// {"<id>": {"<graph>": {series...}}}; what a series looks like is not, so
// every common shape is accepted:
//
//   - the id and graph levels may be missing (or use another id/graph key
//     when there is exactly one);
//   - the graph holds {"unit": U, "series": [S...]}, a list of series, one
//     series, or an object of name -> points;
//   - a series is {"name"|"label"|"metric": N, "unit": U,
//     "data"|"points"|"values"|"datapoints": P} or just P;
//   - a point is [time, value] (or [value, time], Graphite's order: the
//     number that looks like a date is the time) or an object with a time
//     key (x, t, time, timestamp, date, clock) and a value key (y, v, value,
//     avg, mean);
//   - times are epoch seconds, epoch milliseconds (above 10^11) or ISO
//     dates; values are numbers or numeric strings; null values are gaps.
//
// Points are sorted by time; at most MaxChartPoints are read.
func ParseChart(raw []byte, id int64, graph string) (*Chart, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("the answer is not JSON: %v", err)
	}
	ch := &Chart{ResourceID: id, Graph: graph}
	v = unwrapKey(v, strconv.FormatInt(id, 10), isIDKey)
	v = unwrapKey(v, graph, func(k string) bool { return !isSeriesKey(k) && !isUnitKey(k) })
	if m, ok := v.(map[string]any); ok {
		ch.Unit = unitOf(m)
	}
	budget := MaxChartPoints
	series, err := readSeriesSet(v, graph, &budget)
	if err != nil {
		return nil, err
	}
	for i := range series {
		if series[i].Unit == "" {
			series[i].Unit = ch.Unit
		}
	}
	if ch.Unit == "" && len(series) > 0 {
		ch.Unit = series[0].Unit
	}
	ch.Series = series
	return ch, nil
}

// unwrapKey descends into m[key] (case-insensitive), or into the only entry
// of m when its key passes other and holds an object or a list.
func unwrapKey(v any, key string, other func(string) bool) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, inner := range m {
		if strings.EqualFold(k, key) {
			return inner
		}
	}
	if len(m) == 1 {
		for k, inner := range m {
			switch inner.(type) {
			case map[string]any, []any:
				if other(k) {
					return inner
				}
			}
		}
	}
	return v
}

func isIDKey(k string) bool { _, err := strconv.ParseInt(k, 10, 64); return err == nil }

var (
	seriesListKeys = []string{"series", "metrics", "results"}
	pointsKeys     = []string{"data", "points", "values", "datapoints"}
	nameKeys       = []string{"name", "label", "metric", "target", "legend"}
	unitKeys       = []string{"unit", "units", "yAxisUnit"}
	timeKeys       = []string{"x", "t", "time", "timestamp", "date", "clock", "ts"}
	valueKeys      = []string{"y", "v", "value", "avg", "mean"}
)

func isSeriesKey(k string) bool {
	return containsFold(seriesListKeys, k) || containsFold(pointsKeys, k)
}

func isUnitKey(k string) bool { return containsFold(unitKeys, k) }

func containsFold(list []string, k string) bool {
	for _, s := range list {
		if strings.EqualFold(s, k) {
			return true
		}
	}
	return false
}

func field(m map[string]any, keys []string) (any, bool) {
	for _, want := range keys {
		for k, v := range m {
			if strings.EqualFold(k, want) {
				return v, true
			}
		}
	}
	return nil, false
}

func unitOf(m map[string]any) string {
	if u, ok := field(m, unitKeys); ok {
		if s, ok := u.(string); ok {
			return s
		}
	}
	return ""
}

// readSeriesSet reads the graph level: a set of series.
func readSeriesSet(v any, graph string, budget *int) ([]Series, error) {
	switch x := v.(type) {
	case nil:
		return []Series{}, nil
	case []any:
		if len(x) == 0 || isPoint(x[0]) {
			s, err := readSeries(x, graph, budget)
			return []Series{s}, err
		}
		out := make([]Series, 0, len(x))
		for i, e := range x {
			s, err := readSeries(e, fmt.Sprintf("%s-%d", graph, i+1), budget)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]any:
		if list, ok := field(x, seriesListKeys); ok {
			return readSeriesSet(list, graph, budget)
		}
		if _, ok := field(x, pointsKeys); ok {
			s, err := readSeries(x, graph, budget)
			return []Series{s}, err
		}
		// name -> points
		keys := make([]string, 0, len(x))
		for k, e := range x {
			if _, isList := e.([]any); isList {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("no series found (keys: %s)", strings.Join(slices.Sorted(maps.Keys(x)), ", "))
		}
		sort.Strings(keys)
		out := make([]Series, 0, len(keys))
		for _, k := range keys {
			s, err := readSeries(x[k], k, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected series, got %s", Excerpt(fmt.Sprint(v), 80))
}

// readSeries reads one series: an object with a name and points, or points.
func readSeries(v any, name string, budget *int) (Series, error) {
	s := Series{Name: name}
	if m, ok := v.(map[string]any); ok {
		if n, ok := field(m, nameKeys); ok {
			if str, ok := n.(string); ok && str != "" {
				s.Name = str
			}
		}
		s.Unit = unitOf(m)
		v, _ = field(m, pointsKeys)
	}
	list, ok := v.([]any)
	if !ok && v != nil {
		return s, fmt.Errorf("series %s: expected a list of points", s.Name)
	}
	s.Points = make([]Point, 0, len(list))
	for _, e := range list {
		p, ok, err := readPoint(e)
		if err != nil {
			return s, fmt.Errorf("series %s: %w", s.Name, err)
		}
		if !ok {
			continue // a gap
		}
		if *budget <= 0 {
			return s, fmt.Errorf("more than %d points: refusing to read more", MaxChartPoints)
		}
		*budget--
		s.Points = append(s.Points, p)
	}
	sort.SliceStable(s.Points, func(i, j int) bool { return s.Points[i].Time.Before(s.Points[j].Time) })
	return s, nil
}

func isPoint(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) == 2
	case map[string]any:
		_, t := field(x, timeKeys)
		_, val := field(x, valueKeys)
		return t && val
	}
	return false
}

// readPoint reads one point; ok is false for a gap (null value).
func readPoint(v any) (Point, bool, error) {
	var tv, vv any
	switch x := v.(type) {
	case []any:
		if len(x) != 2 {
			return Point{}, false, fmt.Errorf("a point has %d elements, want 2", len(x))
		}
		tv, vv = x[0], x[1]
		if looksLikeTime(vv) && !looksLikeTime(tv) {
			tv, vv = vv, tv
		}
	case map[string]any:
		tv, _ = field(x, timeKeys)
		vv, _ = field(x, valueKeys)
	default:
		return Point{}, false, fmt.Errorf("unexpected point %s", Excerpt(fmt.Sprint(v), 60))
	}
	t, err := readTime(tv)
	if err != nil {
		return Point{}, false, err
	}
	if vv == nil {
		return Point{}, false, nil
	}
	f, err := readNumber(vv)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return Point{}, false, fmt.Errorf("unexpected value %s", Excerpt(fmt.Sprint(vv), 60))
	}
	return Point{Time: t, Value: f}, true, nil
}

// looksLikeTime: an ISO date, or a number from 2001 on in epoch seconds.
func looksLikeTime(v any) bool {
	if s, ok := v.(string); ok {
		if _, err := isodate.Parse(s); err == nil {
			return true
		}
	}
	f, err := readNumber(v)
	return err == nil && f >= 1e9
}

func readNumber(v any) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		return x.Float64()
	case float64:
		return x, nil
	case string:
		return strconv.ParseFloat(strings.TrimSpace(x), 64)
	}
	return 0, fmt.Errorf("not a number")
}

func readTime(v any) (time.Time, error) {
	if s, ok := v.(string); ok {
		if t, err := isodate.Parse(s); err == nil {
			return t, nil
		}
	}
	f, err := readNumber(v)
	if err != nil || f < 0 || f > 1e15 {
		return time.Time{}, fmt.Errorf("unexpected time %s", Excerpt(fmt.Sprint(v), 60))
	}
	if f >= 1e11 {
		return time.UnixMilli(int64(f)), nil
	}
	return time.Unix(int64(f), 0), nil
}

// ResourceHistory returns the actions and changes of one resource, newest
// first: GET /compute/resources/{id}/history (seen in a public client; the
// answer may be a list or a page, whose first page is read).
func (c *Client) ResourceHistory(ctx context.Context, id int64) ([]json.RawMessage, error) {
	var raw json.RawMessage
	if _, err := c.Get(ctx, fmt.Sprintf("/compute/resources/%d/history", id), nil, fmt.Sprintf("history of resource %d", id), &raw); err != nil {
		return nil, err
	}
	return newestFirst(raw, "submittedAt", "date", "creationDate", "completedAt")
}

// ChangeFilter selects changes: GET /changes?maintenanceTypes=&start=&end=
// &environments= (seen in a public client).
type ChangeFilter struct {
	Types        []string // maintenanceTypes, e.g. PATCH_PARTY
	Start, End   time.Time
	Environments []string
}

// Query maps the filter onto the parameters the public client sends. Dates
// are UTC with milliseconds and "Z", as that client sends them.
func (f ChangeFilter) Query() url.Values {
	q := url.Values{}
	for _, t := range f.Types {
		if t = strings.ToUpper(strings.TrimSpace(t)); t != "" {
			q.Add("maintenanceTypes", t)
		}
	}
	if !f.Start.IsZero() {
		q.Set("start", f.Start.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	if !f.End.IsZero() {
		q.Set("end", f.End.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	for _, e := range f.Environments {
		if e = strings.ToUpper(strings.TrimSpace(e)); e != "" {
			q.Add("environments", e)
		}
	}
	return q
}

// Changes returns the changes of the calendar, earliest first.
func (c *Client) Changes(ctx context.Context, f ChangeFilter) ([]json.RawMessage, error) {
	var raw json.RawMessage
	if _, err := c.Get(ctx, "/changes", f.Query(), "changes", &raw); err != nil {
		return nil, err
	}
	items, err := newestFirst(raw, "start", "startDate", "date")
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	return items, nil
}

// newestFirst reads a list (or a page) of objects and sorts it on the first
// of keys that holds a date, newest first; objects without one keep their
// order, after the others.
func newestFirst(raw json.RawMessage, keys ...string) ([]json.RawMessage, error) {
	itemsRaw, err := ItemsOf(raw)
	if err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(itemsRaw, &items); err != nil {
		return nil, fmt.Errorf("expected a list of objects: %w", err)
	}
	when := make([]time.Time, len(items))
	for i, it := range items {
		var m map[string]any
		if json.Unmarshal(it, &m) != nil {
			continue
		}
		for _, k := range keys {
			if s, ok := m[k].(string); ok {
				if t, err := isodate.Parse(s); err == nil {
					when[i] = t
					break
				}
			}
		}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ta, tb := when[idx[a]], when[idx[b]]
		if ta.IsZero() || tb.IsZero() {
			return !ta.IsZero() && tb.IsZero()
		}
		return ta.After(tb)
	})
	out := make([]json.RawMessage, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	return out, nil
}

// Monitored is an instance as the monitoring knows it: the chart endpoint
// takes the /compute/resources id, not the instance id.
type Monitored struct {
	InstanceID int64
	ResourceID int64
	Name       string
	Type       string // LINUX, WINDOWS, AIX...
}

// MonitoredInstance resolves an instance (id or name) of instances and finds
// its /compute/resources id in resources (looked up by name and
// internalResourceId).
func MonitoredInstance(ctx context.Context, instances, resources *Family, idOrName string) (*Monitored, error) {
	id, err := instances.Resolve(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	obj, err := instances.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	var inst struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(obj.Raw, &inst); err != nil || inst.Name == "" {
		return nil, fmt.Errorf("instance %d: the answer has no name", id)
	}
	page, err := resources.List(ctx, url.Values{"names": {inst.Name}, "resourceTypes": {"INSTANCE"}}, PageOptions{All: true})
	if err != nil {
		return nil, fmt.Errorf("finding the resource id of instance %s: %w", inst.Name, err)
	}
	for _, r := range page.Content {
		var res struct {
			ID         int64  `json:"id"`
			InternalID int64  `json:"internalResourceId"`
			Path       string `json:"path"`
		}
		if json.Unmarshal(r.Raw, &res) == nil && res.InternalID == id && (res.Path == "" || res.Path == instances.Path) {
			return &Monitored{InstanceID: id, ResourceID: res.ID, Name: inst.Name, Type: strings.ToUpper(inst.Type)}, nil
		}
	}
	return nil, fmt.Errorf("instance %s (%d) is not in %s: cannot find its monitoring id", inst.Name, id, resources.Path)
}

// Graph names seen in a public client, by instance
// type; other names are passed as given.
var instanceGraphs = map[string]map[string]string{
	"cpu":    {"LINUX": "SYS_LNX_CPU_USAGE", "WINDOWS": "SYS_WIN_CPU_USAGE"},
	"memory": {"LINUX": "SYS_LNX_MEMORY_USAGE", "WINDOWS": "SYS_WIN_PHYSICAL_MEMORY"},
}

// GraphName turns --graph into a graph name for an instance of type typ:
// cpu and memory pick the graph of the type; anything else is a graph name.
func GraphName(choice, typ string) (string, error) {
	byType, ok := instanceGraphs[strings.ToLower(strings.TrimSpace(choice))]
	if !ok {
		if g := strings.TrimSpace(choice); g != "" {
			return g, nil
		}
		return "", fmt.Errorf("empty graph name")
	}
	if g, ok := byType[strings.ToUpper(typ)]; ok {
		return g, nil
	}
	return "", fmt.Errorf("no known %s graph for %s instances; name the graph with --graph NAME", strings.ToLower(choice), typ)
}
