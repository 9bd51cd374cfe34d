package sandbox

// Shared machinery of the resource families: list filters, Spring pages,
// routing of the families beyond instances, their state and their actions.

import (
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Family paths (itcare-api.md §7), as written in the `path` of a resource.
const (
	pathInstances     = "/compute/instances"
	pathResources     = "/compute/resources"
	pathKubernetes    = "/compute/containers/kubernetes"
	pathLoadBalancers = "/networking/loadbalancers"
	pathOverdrive     = "/storage/overdrive"
)

// Resource types (the resourceType of /compute/resources and of actions).
const (
	typeInstance     = "INSTANCE"
	typeKubernetes   = "KUBERNETES"
	typeLoadBalancer = "LOADBALANCER"
	typeOverdrive    = "OVERDRIVE"
)

// resKey names one resource of one family.
type resKey struct {
	typ string
	id  int64
}

// familyState holds the families beyond instances (guarded by Server.mu).
type familyState struct {
	clusters  map[int64]map[string]any   // Kubernetes clusters by id
	nodes     map[int64][]map[string]any // cluster id -> nodes, in id order
	nodeSeq   map[int64]map[string]int   // cluster id -> role -> last node number
	lbs       map[int64]map[string]any   // load balancers by id
	overdrive map[int64]map[string]any   // Overdrive volumes by id
	pending   map[resKey]int64           // resource -> its IN_PROGRESS action

	nextNodeID int64
	ipSeq      map[string]int // address range -> next host number

	// Resource ids of /compute/resources: given once, in a fixed order, to
	// every resource seen, never reused.
	resourceIDs    map[resKey]int64
	resourceKeys   map[int64]resKey
	nextResourceID int64
}

// seedFamilies fills the families beyond instances from their own
// generator, so that the instances do not depend on them, and gives every
// resource its /compute/resources id.
func (s *Server) seedFamilies() {
	s.fam = familyState{
		clusters:       map[int64]map[string]any{},
		nodes:          map[int64][]map[string]any{},
		nodeSeq:        map[int64]map[string]int{},
		lbs:            map[int64]map[string]any{},
		overdrive:      map[int64]map[string]any{},
		pending:        map[resKey]int64{},
		nextNodeID:     firstNodeID,
		ipSeq:          map[string]int{},
		resourceIDs:    map[resKey]int64{},
		resourceKeys:   map[int64]resKey{},
		nextResourceID: firstResourceID,
	}
	s.seedKubernetes(newRNG(0x6B3855EED))
	s.seedLoadBalancers(newRNG(0x10ADBA1A9CE))
	s.seedOverdrive(newRNG(0x0D21BE5EED))
	s.syncResourceIDsLocked()
}

// famIPLocked hands out addresses next to a VLAN's instance range: prefix
// "10.25.130" and shift 3 give 10.25.133.10, 10.25.133.11, ...
func (s *Server) famIPLocked(prefix string, shift int) string {
	key := fmt.Sprintf("%s+%d", prefix, shift)
	n := s.fam.ipSeq[key]
	s.fam.ipSeq[key]++
	return rangeIP(prefix, shift+n/240, n)
}

func jsonInt(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

// rowFilter keeps the list items it returns true for.
type rowFilter = func(m map[string]any) bool

// filters collects list filters; the first invalid parameter wins.
type filters struct {
	fs  []rowFilter
	err *reply
}

func (b *filters) add(f rowFilter, rep *reply) {
	if b.err != nil {
		return
	}
	if rep != nil {
		b.err = rep
		return
	}
	if f != nil {
		b.fs = append(b.fs, f)
	}
}

func (b *filters) keep(m map[string]any) bool {
	return !slices.ContainsFunc(b.fs, func(f rowFilter) bool { return !f(m) })
}

// namesFilter reads `names`: exact, case-insensitive matches; "!name"
// excludes (negation documented, itcare-api.md §4; match semantics sandbox
// choice).
func namesFilter(q url.Values) (rowFilter, *reply) {
	var include, exclude []string
	for _, n := range listValues(q, "names") {
		if neg, ok := strings.CutPrefix(n, "!"); ok {
			if neg = strings.TrimSpace(neg); neg == "" {
				rep := badValue("names", "names: %q has nothing after '!'", n)
				return nil, &rep
			}
			exclude = append(exclude, strings.ToLower(neg))
		} else {
			include = append(include, strings.ToLower(n))
		}
	}
	if len(include)+len(exclude) == 0 {
		return nil, nil
	}
	return func(m map[string]any) bool {
		name := strings.ToLower(sval(m, "name"))
		return (len(include) == 0 || slices.Contains(include, name)) && !slices.Contains(exclude, name)
	}, nil
}

// enumFilter reads an enum array parameter matched case-insensitively
// against field; a value outside base and the values of field in rows is
// 400.
func enumFilter(q url.Values, param, field string, base []string, rows iter.Seq[map[string]any]) (rowFilter, *reply) {
	vals := listValues(q, param)
	if len(vals) == 0 {
		return nil, nil // the known values walk every row: only when filtering
	}
	return enumValuesFilter(param, vals, field, knownValues(base, field, rows))
}

func enumValuesFilter(param string, vals []string, field string, known []string) (rowFilter, *reply) {
	if len(vals) == 0 {
		return nil, nil
	}
	for i, v := range vals {
		vals[i] = strings.ToUpper(v)
		if !slices.Contains(known, vals[i]) {
			rep := badValue(param, "%s: unknown value %q; expected one of %s", param, v, strings.Join(known, ", "))
			return nil, &rep
		}
	}
	return func(m map[string]any) bool {
		return slices.Contains(vals, strings.ToUpper(sval(m, field)))
	}, nil
}

// knownValues is base plus the upper-cased values of field present in rows.
func knownValues(base []string, field string, rows iter.Seq[map[string]any]) []string {
	var extra []string
	for m := range rows {
		if v := strings.ToUpper(sval(m, field)); v != "" && !slices.Contains(base, v) && !slices.Contains(extra, v) {
			extra = append(extra, v)
		}
	}
	slices.Sort(extra)
	return append(slices.Clone(base), extra...)
}

// tagsFilter reads `tags=key:value`: key and value case-insensitive; values
// of one key are OR-ed, different keys AND-ed; `key:` matches any value.
func tagsFilter(q url.Values) (rowFilter, *reply) {
	tagWant := map[string][]string{}
	for _, t := range listValues(q, "tags") {
		k, v, ok := strings.Cut(t, ":")
		if !ok || strings.TrimSpace(k) == "" {
			rep := badValue("tags", "tags: %q is not key:value", t)
			return nil, &rep
		}
		k = strings.ToLower(strings.TrimSpace(k))
		tagWant[k] = append(tagWant[k], strings.ToLower(strings.TrimSpace(v)))
	}
	if len(tagWant) == 0 {
		return nil, nil
	}
	return func(m map[string]any) bool {
		have := map[string][]string{}
		tags, _ := m["tags"].([]any)
		for _, t := range tags {
			if tm, ok := t.(map[string]any); ok {
				k := strings.ToLower(sval(tm, "key"))
				have[k] = append(have[k], strings.ToLower(sval(tm, "value")))
			}
		}
		for k, wants := range tagWant {
			vals, ok := have[k]
			if !ok {
				return false
			}
			if !slices.ContainsFunc(wants, func(w string) bool { return w == "" || slices.Contains(vals, w) }) {
				return false
			}
		}
		return true
	}, nil
}

// textFilter matches any value of param case-insensitively against any of
// fields (a string field, or an array of strings).
func textFilter(q url.Values, param string, fields ...string) rowFilter {
	vals := listValues(q, param)
	if len(vals) == 0 {
		return nil
	}
	return func(m map[string]any) bool {
		for _, f := range fields {
			have := []string{sval(m, f)}
			if arr, ok := m[f].([]any); ok {
				have = have[:0]
				for _, x := range arr {
					if str, ok := x.(string); ok {
						have = append(have, str)
					}
				}
			}
			for _, h := range have {
				if h != "" && slices.ContainsFunc(vals, func(v string) bool { return strings.EqualFold(v, h) }) {
					return true
				}
			}
		}
		return false
	}
}

// intFilter reads an integer array parameter matched against field.
func intFilter(q url.Values, param, field string) (rowFilter, *reply) {
	ids, rep := intValues(q, param)
	if rep != nil || len(ids) == 0 {
		return nil, rep
	}
	return func(m map[string]any) bool {
		v, ok := ival(m, field)
		return ok && slices.Contains(ids, v)
	}, nil
}

// boolFilter reads a true/false parameter matched against field.
func boolFilter(q url.Values, param, field string) (rowFilter, *reply) {
	b, rep := boolParam(q, param)
	if rep != nil || b == nil {
		return nil, rep
	}
	want := *b
	return func(m map[string]any) bool { return bval(m, field) == want }, nil
}

// pageReply filters rows (given in id order), sorts them by the `sort`
// parameter (one of sortable) and answers one Spring page of view(row).
func pageReply(q url.Values, rows []map[string]any, f *filters, sortable []string, view func(map[string]any) map[string]any) reply {
	if f.err != nil {
		return *f.err
	}
	page, size, rep := pageParams(q)
	if rep != nil {
		return *rep
	}
	sortField, desc, sorted, rep := sortParam(q, sortable)
	if rep != nil {
		return *rep
	}
	var matched []map[string]any
	for _, m := range rows {
		if f.keep(m) {
			matched = append(matched, m)
		}
	}
	if sorted {
		slices.SortStableFunc(matched, func(a, b map[string]any) int {
			c := compareValues(a[sortField], b[sortField])
			if desc {
				c = -c
			}
			return c // ties keep id order (stable sort over id-sorted input)
		})
	}
	content := []map[string]any{}
	total := len(matched)
	if from := int64(page) * int64(size); from < int64(total) {
		for _, m := range matched[from:min(int(from)+size, total)] {
			if view != nil {
				m = view(m)
			}
			content = append(content, m)
		}
	}
	return jsonReply(http.StatusOK, springPage(content, page, size, total, sorted))
}

// byID returns the values of set in id order.
func byID(set map[int64]map[string]any) []map[string]any {
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		out[i] = set[id]
	}
	return out
}

// pathID parses the id segment of a family path.
func pathID(seg, field, kind string) (int64, *reply) {
	id, err := strconv.ParseInt(seg, 10, 64)
	if err != nil {
		rep := badValue(field, "%s id %q is not an integer", kind, seg)
		return 0, &rep
	}
	return id, nil
}

// itemLocked checks that the request has no query parameters beyond
// allowed and returns the item with that id, or the 404 reply.
func itemLocked(items map[int64]map[string]any, c *call, id int64, kind string, allowed ...string) (map[string]any, *reply) {
	if rep := checkParams(c.query, allowed...); rep != nil {
		return nil, rep
	}
	item, ok := items[id]
	if !ok {
		rep := noSuch("id", kind, id)
		return nil, &rep
	}
	return item, nil
}

// getItemLocked answers GET of one item.
func getItemLocked(items map[int64]map[string]any, c *call, id int64, kind string) reply {
	item, rep := itemLocked(items, c, id, kind)
	if rep != nil {
		return *rep
	}
	return jsonReply(http.StatusOK, item)
}

func noSuch(field, kind string, id int64) reply {
	return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", field, fmt.Sprintf("no such %s %d", kind, id))
}

// splitFamily finds which family beyond instances segs belongs to: its path
// and the segments after it.
func splitFamily(segs []string) (base string, rest []string, ok bool) {
	for _, b := range []string{pathResources, pathKubernetes, pathLoadBalancers, pathOverdrive} {
		bs := strings.Split(strings.TrimPrefix(b, "/"), "/")
		if len(segs) >= len(bs) && slices.Equal(segs[:len(bs)], bs) {
			return b, segs[len(bs):], true
		}
	}
	return "", nil, false
}

// knownFamilyPath reports whether segs is a route of a family beyond
// instances (api.go knownAPIPath).
func knownFamilyPath(segs []string) bool {
	base, rest, ok := splitFamily(segs)
	switch {
	case !ok:
		return false
	case len(rest) <= 1:
		return true
	case base == pathKubernetes:
		return rest[1] == "nodes" && len(rest) <= 3
	case base == pathLoadBalancers:
		return rest[1] == "urls" && len(rest) <= 3
	}
	return false
}

// dispatchFamilyLocked serves the families beyond instances; ok is false
// when segs is not one of their routes.
func (s *Server) dispatchFamilyLocked(c *call, segs []string) (rep reply, ok bool) {
	if !knownFamilyPath(segs) {
		return reply{}, false
	}
	base, rest, _ := splitFamily(segs)
	switch base {
	case pathResources:
		return s.resourcesRoute(c, rest), true
	case pathKubernetes:
		return s.kubernetesRoute(c, rest), true
	case pathLoadBalancers:
		return s.loadBalancersRoute(c, rest), true
	default:
		return s.overdriveRoute(c, rest), true
	}
}

// busyLocked is the 409 for a resource that has an action in progress.
func (s *Server) busyLocked(k resKey, kind, name string) *reply {
	if aid, busy := s.fam.pending[k]; busy {
		rep := conflict("ACTION_IN_PROGRESS", fmt.Sprintf("%s %d (%s) has an action in progress (%d)", kind, k.id, name, aid))
		return &rep
	}
	return nil
}

// familyAction describes an action on a resource of a family beyond
// instances.
type familyAction struct {
	key       resKey
	m         map[string]any // the resource (for its name and service)
	op        string         // key FailNext accepts besides the process
	process   string
	running   string               // IN_PROGRESS message
	done      string               // SUCCESS message
	onSuccess func(done time.Time) // done: the completion time
	onError   func()               // may be nil
}

// startFamilyActionLocked creates the action, marks the resource busy and
// answers 202 with the tracking object.
func (s *Server) startFamilyActionLocked(c *call, fa familyAction) reply {
	a := &action{
		process:      fa.process,
		op:           fa.op,
		family:       fa.key.typ,
		resourceName: sval(fa.m, "name"),
		resourceType: fa.key.typ,
		resourceID:   fa.key.id,
		message:      fa.running,
		doneMessage:  fa.done,
	}
	a.serviceID, _ = ival(fa.m, "serviceId")
	s.enqueueActionLocked(c, a)
	s.fam.pending[fa.key] = a.id
	a.settle = func(ok bool) {
		if s.fam.pending[fa.key] == a.id {
			delete(s.fam.pending, fa.key)
		}
		switch {
		case ok:
			fa.onSuccess(a.completedAt)
		case fa.onError != nil:
			fa.onError()
		}
	}
	return s.acceptedLocked(a)
}

// operationBody reads the PATCH body {"operation": ..., "options": {...}}
// and checks the operation against ops.
func operationBody(c *call, ops ...string) (op string, options map[string]any, rep *reply) {
	body, rep := jsonBody(c, true)
	if rep != nil {
		return "", nil, rep
	}
	op, rep = optionalString(body, "operation")
	if rep != nil {
		return "", nil, rep
	}
	if !slices.Contains(ops, op) {
		var r reply
		if op == "" {
			r = badValue("operation", "operation is required (%s)", strings.Join(ops, ", "))
		} else {
			r = badValue("operation", "unknown operation %q; supported: %s", op, strings.Join(ops, ", "))
		}
		return "", nil, &r
	}
	if opts, ok := body["options"]; ok && opts != nil {
		obj, isObj := opts.(map[string]any)
		if !isObj {
			r := badValue("options", "options must be a JSON object")
			return "", nil, &r
		}
		options = obj
	}
	return op, options, nil
}
