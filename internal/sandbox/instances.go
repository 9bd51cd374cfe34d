package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const (
	defaultPageSize = 20
	maxPageSize     = 1000
)

// instanceListParams are the documented query parameters of GET
// /compute/instances (itcare-api.md §7.2).
var instanceListParams = []string{"services", "names", "types", "families", "environments", "statuses", "tags",
	"az", "ip", "vlan", "clouds", "backupStatus", "recoveryStatus", "includedInPatchParty", "page", "size", "sort"}

// sortableInstanceFields are the scalar fields `sort` accepts.
var sortableInstanceFields = []string{"id", "name", "type", "family", "status", "environment", "serviceId",
	"serviceKey", "cloudId", "creationUser", "creationTime", "ipAddress", "cpu", "ram", "totalSizeDisks",
	"labelRegion", "region", "labelAvailabilityZone", "availabilityZone", "labelArea", "area", "labelDatacenter",
	"vlan", "backupStatus", "recoveryStatus", "includedInPatchParty"}

// Known enum values; values present in the data are accepted too.
var knownEnums = map[string][]string{
	"types":        {"LINUX", "WINDOWS", "AIX"},
	"families":     {"DEBIAN", "CENTOS", "RHEL", "UBUNTU", "ORACLE", "WINDOWS", "AIX"},
	"environments": {"PRODUCTION", "PREPRODUCTION", "QA", "DEVELOPMENT", "TEST"},
	"statuses":     {"ACTIVE", "INACTIVE", "STOPPING", "STARTING", "REBOOTING", "DELETING"},
}

var enumField = map[string]string{"types": "type", "families": "family", "environments": "environment", "statuses": "status"}

// listInstances answers GET /compute/instances with a Spring page.
func (s *Server) listInstances(c *call) reply {
	q := c.query
	if rep := checkParams(q, instanceListParams...); rep != nil {
		return *rep
	}
	f := &filters{}
	f.add(intFilter(q, "services", "serviceId"))
	f.add(intFilter(q, "clouds", "cloudId"))
	f.add(namesFilter(q))
	for _, param := range []string{"types", "families", "environments", "statuses"} {
		f.add(enumFilter(q, param, enumField[param], knownEnums[param], maps.Values(s.instances)))
	}
	f.add(tagsFilter(q))
	f.add(textFilter(q, "az", "labelAvailabilityZone", "availabilityZone"), nil)
	f.add(textFilter(q, "ip", "ipAddress"), nil)
	f.add(textFilter(q, "vlan", "vlan"), nil)
	for _, field := range []string{"backupStatus", "recoveryStatus", "includedInPatchParty"} {
		f.add(boolFilter(q, field, field))
	}
	return pageReply(q, byID(s.instances), f, sortableInstanceFields, listView)
}

// pageParams reads page (0-based, default 0) and size (default 20, 1..1000,
// larger sizes are capped at 1000 as Spring does).
func pageParams(q map[string][]string) (page, size int, rep *reply) {
	page, size = 0, defaultPageSize
	if v, ok, r := singleValue(q, "page"); r != nil {
		return 0, 0, r
	} else if ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			r := badValue("page", "page: %q is not a page number (0-based, >= 0)", v)
			return 0, 0, &r
		}
		page = n
	}
	if v, ok, r := singleValue(q, "size"); r != nil {
		return 0, 0, r
	} else if ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			r := badValue("size", "size: %q is not a page size (1..%d)", v, maxPageSize)
			return 0, 0, &r
		}
		size = min(n, maxPageSize)
	}
	return page, size, nil
}

// sortParam reads sort=property(,asc|desc), property one of sortable; one
// criterion only.
func sortParam(q map[string][]string, sortable []string) (field string, desc, sorted bool, rep *reply) {
	vs := q["sort"]
	if len(vs) == 0 || (len(vs) == 1 && strings.TrimSpace(vs[0]) == "") {
		return "", false, false, nil
	}
	if len(vs) > 1 {
		r := badValue("sort", "only one sort criterion is supported")
		return "", false, false, &r
	}
	parts := strings.Split(vs[0], ",")
	field = strings.TrimSpace(parts[0])
	if len(parts) > 2 {
		r := badValue("sort", "sort: %q; want property or property,asc|desc (one criterion)", vs[0])
		return "", false, false, &r
	}
	if len(parts) == 2 {
		switch strings.ToLower(strings.TrimSpace(parts[1])) {
		case "asc":
		case "desc":
			desc = true
		default:
			r := badValue("sort", "sort: unknown direction %q; want asc or desc", parts[1])
			return "", false, false, &r
		}
	}
	if !slices.Contains(sortable, field) {
		r := badValue("sort", "sort: unknown property %q; sortable: %s", field, strings.Join(sortable, ", "))
		return "", false, false, &r
	}
	return field, desc, true, nil
}

// compareValues orders JSON values: booleans, then numbers, then strings
// (case-insensitively), then nulls.
func compareValues(a, b any) int {
	rank := func(v any) int {
		switch v.(type) {
		case bool:
			return 0
		case json.Number:
			return 1
		case string:
			return 2
		case nil:
			return 4
		}
		return 3
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch x := a.(type) {
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case json.Number:
		y := b.(json.Number)
		xi, err1 := x.Int64()
		yi, err2 := y.Int64()
		if err1 == nil && err2 == nil {
			return cmp.Compare(xi, yi)
		}
		xf, _ := x.Float64()
		yf, _ := y.Float64()
		return cmp.Compare(xf, yf)
	case string:
		y := b.(string)
		if c := strings.Compare(strings.ToLower(x), strings.ToLower(y)); c != 0 {
			return c
		}
		return strings.Compare(x, y)
	}
	return 0
}

type sortInfo struct {
	Empty    bool `json:"empty"`
	Sorted   bool `json:"sorted"`
	Unsorted bool `json:"unsorted"`
}

type pageable struct {
	Sort       sortInfo `json:"sort"`
	Offset     int64    `json:"offset"`
	PageNumber int      `json:"pageNumber"`
	PageSize   int      `json:"pageSize"`
	Paged      bool     `json:"paged"`
	Unpaged    bool     `json:"unpaged"`
}

type pageBody struct {
	Content          []map[string]any `json:"content"`
	Pageable         pageable         `json:"pageable"`
	Last             bool             `json:"last"`
	TotalPages       int              `json:"totalPages"`
	TotalElements    int              `json:"totalElements"`
	Size             int              `json:"size"`
	Number           int              `json:"number"`
	Sort             sortInfo         `json:"sort"`
	First            bool             `json:"first"`
	NumberOfElements int              `json:"numberOfElements"`
	Empty            bool             `json:"empty"`
}

// springPage builds a Spring Data Page (itcare-api.md §4).
func springPage(content []map[string]any, number, size, total int, sorted bool) pageBody {
	totalPages := (total + size - 1) / size
	si := sortInfo{Empty: !sorted, Sorted: sorted, Unsorted: !sorted}
	return pageBody{
		Content:          content,
		Pageable:         pageable{Sort: si, Offset: int64(number) * int64(size), PageNumber: number, PageSize: size, Paged: true},
		Last:             number+1 >= totalPages,
		TotalPages:       totalPages,
		TotalElements:    total,
		Size:             size,
		Number:           number,
		Sort:             si,
		First:            number == 0,
		NumberOfElements: len(content),
		Empty:            len(content) == 0,
	}
}

// listView is an instance as lists show it: without the detail-only fields.
func listView(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !slices.Contains(detailKeys, k) {
			out[k] = v
		}
	}
	return out
}

func noSuchInstance(id int64) reply { return noSuch("id", "instance", id) }

// instanceLocked returns the instance or a 404 reply, after checking that
// the request has no query parameters beyond allowed.
func (s *Server) instanceLocked(c *call, id int64, allowed ...string) (map[string]any, *reply) {
	return itemLocked(s.instances, c, id, "instance", allowed...)
}

// patchInstance answers PATCH /compute/instances/{id} {"operation": ...}.
func (s *Server) patchInstance(c *call, id int64) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	body, rep := jsonBody(c, true)
	if rep != nil {
		return *rep
	}
	op, rep := optionalString(body, "operation")
	if rep != nil {
		return *rep
	}
	if op != "stop" && op != "start" && op != "reset" && op != "resize" {
		if op == "" {
			return badValue("operation", "operation is required (stop, start, reset or resize)")
		}
		return badValue("operation", "unknown operation %q; supported: stop, start, reset, resize", op)
	}
	options := map[string]any{}
	if opts, ok := body["options"]; ok && opts != nil {
		obj, isObj := opts.(map[string]any)
		if !isObj {
			return badValue("options", "options must be a JSON object")
		}
		options = obj
	}
	inst, ok := s.instances[id]
	if !ok {
		return noSuchInstance(id)
	}
	if op == "resize" {
		return s.resizeInstance(c, inst, options)
	}
	if rep := s.checkInstanceOpLocked(inst, op); rep != nil {
		return *rep
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: %s of instance %d (%s) is valid; nothing was done", op, id, sval(inst, "name")))
	}
	return s.startActionLocked(c, inst, op, nil)
}

// deleteInstance answers DELETE /compute/instances/{id}, optional body
// {"changeReference": "..."}; only INACTIVE instances (documented).
func (s *Server) deleteInstance(c *call, id int64) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	body, rep := jsonBody(c, false)
	if rep != nil {
		return *rep
	}
	if _, rep := optionalString(body, "changeReference"); rep != nil {
		return *rep
	}
	inst, ok := s.instances[id]
	if !ok {
		return noSuchInstance(id)
	}
	if rep := s.checkInstanceOpLocked(inst, "delete"); rep != nil {
		return *rep
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: deletion of instance %d (%s) is valid; nothing was done", id, sval(inst, "name")))
	}
	return s.startActionLocked(c, inst, "delete", nil)
}

// instanceNetworks answers GET /compute/instances/{id}/networks (an array).
func (s *Server) instanceNetworks(c *call, id int64) reply {
	inst, rep := s.instanceLocked(c, id)
	if rep != nil {
		return *rep
	}
	return jsonReply(http.StatusOK, []any{inst["network"]})
}

// instanceStorage answers GET /compute/instances/{id}/storage.
func (s *Server) instanceStorage(c *call, id int64) reply {
	inst, rep := s.instanceLocked(c, id)
	if rep != nil {
		return *rep
	}
	return jsonReply(http.StatusOK, inst["storage"])
}

// listSnapshots answers GET /compute/instances/{id}/snapshots: an array, or
// 204 with no body when there is none.
func (s *Server) listSnapshots(c *call, id int64) reply {
	if _, rep := s.instanceLocked(c, id); rep != nil {
		return *rep
	}
	snaps := s.snapshots[id]
	if len(snaps) == 0 {
		return reply{status: http.StatusNoContent}
	}
	return jsonReply(http.StatusOK, snaps)
}

// createSnapshot answers POST /compute/instances/{id}/snapshots
// {"description", "changeReference"}; other fields are ignored (documented).
func (s *Server) createSnapshot(c *call, id int64) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	body, rep := jsonBody(c, true)
	if rep != nil {
		return *rep
	}
	desc, rep := optionalString(body, "description")
	if rep != nil {
		return *rep
	}
	if strings.TrimSpace(desc) == "" {
		return badValue("description", "description is required")
	}
	if len(desc) > 255 {
		return badValue("description", "description is longer than 255 characters")
	}
	ref, rep := optionalString(body, "changeReference")
	if rep != nil {
		return *rep
	}
	inst, ok := s.instances[id]
	if !ok {
		return noSuchInstance(id)
	}
	if rep := s.checkInstanceOpLocked(inst, "snapshot"); rep != nil {
		return *rep
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: snapshot of instance %d (%s) is valid; nothing was done", id, sval(inst, "name")))
	}
	s.snapshotSeq[id]++
	n := s.snapshotSeq[id]
	disks, _ := ival(inst, "totalSizeDisks")
	var refVal any
	if ref != "" {
		refVal = ref
	}
	snap := map[string]any{
		"id":              fmt.Sprintf("%d-snap-%d", id, n),
		"label":           fmt.Sprintf("snap-%d", n),
		"description":     desc,
		"changeReference": refVal,
		"creator":         c.client,
		"recoveryDate":    nil,
		"size":            json.Number(strconv.FormatInt(max(disks/10, 1), 10)),
	}
	return s.startActionLocked(c, inst, "snapshot", snap)
}
