package sandbox

// Shared machinery of the resource families: list filters, Spring pages,
// routing of the families beyond instances, their state and their actions.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

// Family paths and resource types, from the table (internal/family).
var (
	pathInstances     = family.Instances.Path
	pathResources     = family.Resources.Path
	pathKubernetes    = family.Kubernetes.Path
	pathLoadBalancers = family.LoadBalancers.Path
	pathOverdrive     = family.Overdrive.Path
)

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

// familyImpl is what the sandbox adds to a family of the table: its seed
// data and the few behaviours the table cannot state. Everything else
// (routes, filters, statuses, busy rules, the resource index) comes from
// the table.
type familyImpl struct {
	seed     func(s *Server, r *rng) // nil: seeded elsewhere (instances)
	rngSeed  uint64
	sortable []string
	// product is the productName of /compute/resources.
	product func(m map[string]any) string
	// view is a resource as lists show it (nil: as stored).
	view func(m map[string]any) map[string]any
	// operate serves the operations the table marks Custom.
	operate func(s *Server, c *call, m map[string]any, op string, options map[string]any) reply
	// sub serves {path}/{id}/{sub}[/{item}] of resource m.
	sub func(s *Server, c *call, m map[string]any, sub, item string) reply
}

// impls are the families the sandbox serves, by family name; each
// family's file registers its own.
var impls = map[string]*familyImpl{}

func register(f *family.Family, impl *familyImpl) { impls[f.Name] = impl }

// familyState holds the resources of every family (guarded by Server.mu).
type familyState struct {
	items   map[string]map[int64]map[string]any // resource type -> id -> resource (instances: Server.instances)
	order   map[string][]int64                  // resource type -> its ids in order, checked before use (orderedLocked)
	nodes   map[int64][]map[string]any          // cluster id -> nodes, in id order
	nodeSeq map[int64]map[string]int            // cluster id -> role -> last node number
	pending map[resKey]int64                    // resource -> its IN_PROGRESS action

	nextNodeID int64
	ipSeq      map[string]int // address range -> next host number

	// Resource ids of /compute/resources: given once, in a fixed order, to
	// every resource seen, never reused.
	resourceIDs    map[resKey]int64
	resourceKeys   map[int64]resKey
	nextResourceID int64
}

// seedFamilies fills the families beyond instances, each from its own
// generator so that they do not depend on each other, and gives every
// resource its /compute/resources id.
func (s *Server) seedFamilies() {
	s.fam = familyState{
		items:          map[string]map[int64]map[string]any{},
		nodes:          map[int64][]map[string]any{},
		nodeSeq:        map[int64]map[string]int{},
		pending:        map[resKey]int64{},
		nextNodeID:     firstNodeID,
		ipSeq:          map[string]int{},
		resourceIDs:    map[resKey]int64{},
		resourceKeys:   map[int64]resKey{},
		nextResourceID: firstResourceID,
	}
	for _, f := range family.Typed() {
		if impl := impls[f.Name]; impl.seed != nil {
			s.fam.items[f.ResourceType] = map[int64]map[string]any{}
			impl.seed(s, newRNG(impl.rngSeed))
		}
	}
	s.syncResourceIDsLocked()
}

// itemsLocked is the set of the resources of type typ (nil for an unknown
// type).
func (s *Server) itemsLocked(typ string) map[int64]map[string]any {
	if typ == typeInstance {
		return s.instances
	}
	return s.fam.items[typ]
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
// excludes (negation documented; match semantics sandbox
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
	matched := rows // rows is the caller's to give away
	if len(f.fs) > 0 {
		matched = nil
		for _, m := range rows {
			if f.keep(m) {
				matched = append(matched, m)
			}
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

// orderedLocked returns the items of typ in id order. The order is kept
// between requests and only checked (same count, every id still there), so
// that a page of a large seed does not sort and allocate the whole id list
// each time: with 50,000 instances that garbage made the collector, scanning
// the whole seed, the cost of every page.
func (s *Server) orderedLocked(typ string) []map[string]any {
	set := s.itemsLocked(typ)
	ids := s.fam.order[typ]
	valid := len(ids) == len(set)
	for i := 0; valid && i < len(ids); i++ {
		_, valid = set[ids[i]]
	}
	if !valid {
		ids = make([]int64, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if s.fam.order == nil {
			s.fam.order = map[string][]int64{}
		}
		s.fam.order[typ] = ids
	}
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

func noSuch(field, kind string, id int64) reply {
	return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", field, fmt.Sprintf("no such %s %d", kind, id))
}

// route is a request path split along the table: the family, the item id
// segment, the sub-resource and its item ("" when absent).
type route struct {
	fam               *family.Family
	id, sub, item, op string
	depth             int // 0 list, 1 item, 2 sub-resource, 3 item of a sub-resource, 4 operation on it
	allow             []string
}

// findRoute matches the segments of a path under /itcare against the
// table; ok is false when it is no route of a family.
func findRoute(segs []string) (rt route, ok bool) {
	for _, f := range family.All {
		bs := strings.Split(strings.TrimPrefix(f.Path, "/"), "/")
		if len(segs) < len(bs) || !slices.Equal(segs[:len(bs)], bs) {
			continue
		}
		rest := segs[len(bs):]
		rt = route{fam: f, depth: len(rest)}
		switch len(rest) {
		case 0:
			rt.allow = []string{http.MethodGet}
			if f.Create != nil {
				rt.allow = append(rt.allow, http.MethodPost)
			}
		case 1:
			rt.id, rt.allow = rest[0], f.Methods()
		case 2, 3:
			sub, found := f.Sub(rest[1])
			if !found || len(rest) == 3 && sub.ItemMethods == nil {
				return route{}, false
			}
			rt.id, rt.sub, rt.allow = rest[0], rest[1], sub.Methods
			if len(rest) == 3 {
				rt.item, rt.allow = rest[2], sub.ItemMethods
			}
		case 4:
			sub, found := f.Sub(rest[1])
			if !found || !slices.Contains(sub.ItemOps, rest[3]) {
				return route{}, false
			}
			rt.id, rt.sub, rt.item, rt.op, rt.allow = rest[0], rest[1], rest[2], rest[3], []string{http.MethodPost}
		default:
			return route{}, false
		}
		return rt, true
	}
	return route{}, false
}

// dispatchFamilyLocked serves the families of the table; ok is false when
// segs is not one of their routes.
func (s *Server) dispatchFamilyLocked(c *call, segs []string) (rep reply, ok bool) {
	rt, ok := findRoute(segs)
	if !ok {
		return reply{}, false
	}
	if !c.is(rt.allow...) {
		return methodNotAllowed(c.r.Method, rt.allow...), true
	}
	f, impl := rt.fam, impls[rt.fam.Name]
	if f.Index {
		s.syncResourceIDsLocked()
	}
	if rt.depth == 0 && c.is(http.MethodPost) {
		return s.createLocked(c, f), true
	}
	if rt.depth == 0 {
		return s.listFamilyLocked(c, f, impl), true
	}
	id, perr := pathID(rt.id, "id", f.Noun.Singular)
	if perr != nil {
		return *perr, true
	}
	if rt.depth >= 2 {
		m, rep := itemLocked(s.itemsLocked(f.ResourceType), c, id, f.Noun.Singular)
		switch {
		case rep != nil:
			return *rep, true
		case rt.depth == 4:
			return s.subItemOpLocked(c, f, m, rt.sub, rt.item, rt.op), true
		}
		return impl.sub(s, c, m, rt.sub, rt.item), true
	}
	switch {
	case c.is(http.MethodGet) && f.Index:
		return s.getResourceLocked(c, id), true
	case c.is(http.MethodGet):
		item, rep := itemLocked(s.itemsLocked(f.ResourceType), c, id, f.Noun.Singular)
		if rep != nil {
			return *rep, true
		}
		return jsonReply(http.StatusOK, item), true
	case c.is(http.MethodPatch):
		return s.patchLocked(c, f, impl, id), true
	}
	return s.deleteLocked(c, f, id), true
}

// listFamilyLocked answers GET {path} with a Spring page filtered by the
// table's filters.
func (s *Server) listFamilyLocked(c *call, f *family.Family, impl *familyImpl) reply {
	q := c.query
	if rep := checkParams(q, f.Params()...); rep != nil {
		return *rep
	}
	var rows []map[string]any
	if f.Index {
		rows = s.resourceRowsLocked()
	} else {
		rows = s.orderedLocked(f.ResourceType)
	}
	fs := &filters{}
	merged := map[string]bool{}
	for _, fl := range f.Filters {
		fs.add(tableFilter(q, f, fl, slices.Values(rows), merged))
	}
	return pageReply(q, rows, fs, impl.sortable, impl.view)
}

// tableFilter reads the values of one filter of the table. Enum filters on
// the same field (resourceType, resourceTypes) are alternatives: each is
// checked, their values are merged into one filter.
func tableFilter(q url.Values, f *family.Family, fl family.Filter, rows iter.Seq[map[string]any], merged map[string]bool) (rowFilter, *reply) {
	field := fl.Param
	if len(fl.Fields) > 0 {
		field = fl.Fields[0]
	}
	switch fl.Kind {
	case family.Name:
		return namesFilter(q)
	case family.Tag:
		return tagsFilter(q)
	case family.Int:
		return intFilter(q, fl.Param, field)
	case family.Bool:
		return boolFilter(q, fl.Param, field)
	case family.Version:
		// exact, case-insensitive; "1.28.13" also matches "v1.28.13".
		var versions []string
		for _, v := range listValues(q, fl.Param) {
			versions = append(versions, strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")))
		}
		if len(versions) == 0 {
			return nil, nil
		}
		return func(m map[string]any) bool {
			return slices.Contains(versions, strings.ToLower(strings.TrimPrefix(sval(m, field), "v")))
		}, nil
	case family.Enum:
		if merged[field] {
			return nil, nil
		}
		var vals []string
		for _, other := range f.Filters {
			if other.Kind == family.Enum && len(other.Fields) > 0 && other.Fields[0] == field {
				v := listValues(q, other.Param)
				if _, rep := enumFilter(q, other.Param, field, other.Values, rows); rep != nil {
					return nil, rep
				}
				vals = append(vals, v...)
			}
		}
		merged[field] = true
		if len(vals) == 0 {
			return nil, nil
		}
		return enumValuesFilter(fl.Param, vals, field, knownValues(fl.Values, field, rows))
	}
	return textFilter(q, fl.Param, fl.Fields...), nil
}

// patchLocked answers PATCH {path}/{id} {"operation": ..., "options": ...}
// with the operations of the table.
func (s *Server) patchLocked(c *call, f *family.Family, impl *familyImpl, id int64) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	var names []string
	for _, op := range f.Operations {
		names = append(names, op.Name)
	}
	name, options, rep := operationBody(c, names...)
	if rep != nil {
		return *rep
	}
	m, ok := s.itemsLocked(f.ResourceType)[id]
	if !ok {
		return noSuch("id", f.Noun.Singular, id)
	}
	op, _ := f.Operation(name)
	if op.Custom {
		return impl.operate(s, c, m, name, options)
	}
	return s.changeLocked(c, operationChange(f, m, op))
}

// operationChange is the change an operation of the table makes to m.
func operationChange(f *family.Family, m map[string]any, op family.Operation) change {
	return change{fam: f, m: m, op: op.Name, process: op.Process, requires: op.Requires, during: op.During, after: op.After}
}

// deleteLocked answers DELETE {path}/{id}, optional body {"changeReference":
// "..."}, with the delete rules of the table.
func (s *Server) deleteLocked(c *call, f *family.Family, id int64) reply {
	if rep := changeRefBody(c); rep != nil {
		return *rep
	}
	items := s.itemsLocked(f.ResourceType)
	m, ok := items[id]
	if !ok {
		return noSuch("id", f.Noun.Singular, id)
	}
	d := f.Delete
	return s.changeLocked(c, change{fam: f, m: m, op: "delete", process: d.Process, requires: d.Requires, during: d.During,
		onSuccess: func(time.Time) {
			delete(items, id)
			delete(s.snapshots, id)
			delete(s.snapshotSeq, id)
		}})
}

// changeRefBody checks the query and the optional {"changeReference": ...}
// body of a DELETE.
func changeRefBody(c *call) *reply {
	if rep := checkParams(c.query); rep != nil {
		return rep
	}
	body, rep := jsonBody(c, false)
	if rep != nil {
		return rep
	}
	_, rep = optionalString(body, "changeReference")
	return rep
}

// change is an action on one resource of a family.
type change struct {
	fam      *family.Family
	m        map[string]any // the resource
	op       string         // the key FailNext accepts besides the process
	process  string
	requires string // status it needs ("": ACTIVE or INACTIVE)
	during   string // status while it runs ("": unchanged)
	after    string // status once it succeeded ("": unchanged)
	// running and done are the action's messages ("": from op and the noun).
	running, done string
	// what names the change in the dry-run answer ("": op, "deletion" for delete).
	what      string
	started   func()               // when the action starts (may be nil)
	onSuccess func(done time.Time) // done: the completion time
	onError   func()               // may be nil
}

// verbForms are the messages of the usual operations: "Stopping instance
// x", "Instance x stopped".
var verbForms = map[string][2]string{
	"start": {"Starting", "started"}, "stop": {"Stopping", "stopped"}, "reset": {"Resetting", "reset"},
	"delete": {"Deleting", "deleted"},
}

// changeLocked applies the busy and status rules (409), answers a dry run,
// or starts the action: the status shows ch.during while it runs and
// ch.after once it succeeded, and comes back on ERROR.
func (s *Server) changeLocked(c *call, ch change) reply {
	id, _ := ival(ch.m, "id")
	name, noun := sval(ch.m, "name"), ch.fam.Noun.Singular
	key := resKey{ch.fam.ResourceType, id}
	if rep := s.busyLocked(key, noun, name); rep != nil {
		return *rep
	}
	switch st := sval(ch.m, "status"); {
	case ch.requires != "" && st != ch.requires:
		return conflict("INVALID_STATUS", fmt.Sprintf("%s %d (%s) is %s; %s requires status %s", noun, id, name, st, ch.op, ch.requires))
	case ch.requires == "" && st != "ACTIVE" && st != "INACTIVE":
		return conflict("INVALID_STATUS", fmt.Sprintf("%s %d (%s) is %s", noun, id, name, st))
	}
	if c.dryRun {
		what := cmp.Or(ch.what, ch.op)
		if ch.op == "delete" {
			what = "deletion"
		}
		return dryRunReply(fmt.Sprintf("dry run: %s of %s %d (%s) is valid; nothing was done", what, noun, id, name))
	}
	if forms, ok := verbForms[ch.op]; ok && ch.running == "" {
		ch.running = forms[0] + " " + noun + " " + name
		ch.done = upperFirst(noun) + " " + name + " " + forms[1]
	}
	prev := sval(ch.m, "status")
	if ch.during != "" {
		ch.m["status"] = ch.during
	}
	if ch.started != nil {
		ch.started()
	}
	after, onSuccess := ch.after, ch.onSuccess
	return s.startFamilyActionLocked(c, familyAction{
		key: key, m: ch.m, op: ch.op, process: ch.process, running: ch.running, done: ch.done,
		onSuccess: func(done time.Time) {
			if after != "" {
				ch.m["status"] = after
			} else if ch.during != "" {
				ch.m["status"] = prev
			}
			if onSuccess != nil {
				onSuccess(done)
			}
		},
		onError: func() {
			ch.m["status"] = prev
			if ch.onError != nil {
				ch.onError()
			}
		},
	})
}

// busyLocked is the 409 for a resource that has an action in progress.
func (s *Server) busyLocked(k resKey, kind, name string) *reply {
	if aid, busy := s.fam.pending[k]; busy {
		rep := conflict("ACTION_IN_PROGRESS", fmt.Sprintf("%s %d (%s) has an action in progress (%d)", kind, k.id, name, aid))
		return &rep
	}
	return nil
}

// familyAction describes an action on a resource.
type familyAction struct {
	key       resKey
	m         map[string]any // the resource (for its name, family and service)
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
		family:       cmp.Or(sval(fa.m, "family"), fa.key.typ),
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
