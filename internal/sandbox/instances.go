package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

const (
	defaultPageSize = 20
	maxPageSize     = 1000
)

// sortableInstanceFields are the scalar fields `sort` accepts.
var sortableInstanceFields = []string{"id", "name", "type", "family", "status", "environment", "serviceId",
	"serviceKey", "cloudId", "creationUser", "creationTime", "ipAddress", "cpu", "ram", "totalSizeDisks",
	"labelRegion", "region", "labelAvailabilityZone", "availabilityZone", "labelArea", "area", "labelDatacenter",
	"vlan", "backupStatus", "recoveryStatus", "includedInPatchParty"}

// Known enum values of instances, from the table.
var knownEnums = map[string][]string{}

func init() {
	for _, p := range []string{"types", "families", "environments", "statuses"} {
		knownEnums[p] = family.Instances.Filter(p).Values
	}
	register(family.Instances, &familyImpl{sortable: sortableInstanceFields, view: listView, product: instanceProduct,
		sub: (*Server).instanceSub, operate: (*Server).operateInstance})
}

// instanceProduct is the productName of an instance: its OS, from its name.
func instanceProduct(m map[string]any) string {
	fam := sval(m, "family")
	product := familyProducts[fam]
	for _, o := range osSpecs {
		if o.family == fam && strings.Contains(sval(m, "name"), o.code) {
			product = osProducts[o.code]
			break
		}
	}
	return cmp.Or(product, fam)
}

// instanceSub serves networks, storage and snapshots of an instance.
// (networks is an array; snapshots an array, or 204 with no body when there
// is none).
func (s *Server) instanceSub(c *call, inst map[string]any, sub, item string) reply {
	id, _ := ival(inst, "id")
	switch {
	case item != "":
		return s.deleteSnapshot(c, inst, item)
	case sub == "networks":
		return jsonReply(http.StatusOK, []any{inst["network"]})
	case sub == "storage":
		return jsonReply(http.StatusOK, inst["storage"])
	case !c.is(http.MethodGet):
		return s.createSnapshot(c, inst)
	case len(s.snapshots[id]) == 0:
		return reply{status: http.StatusNoContent}
	}
	return jsonReply(http.StatusOK, s.snapshots[id])
}

// pageParams reads page (0-based, default 0) and size (default 20, 1..1000,
// larger sizes are capped at 1000 as Spring does).
func pageParams(q map[string][]string) (page, size int, rep *reply) {
	page, rep = intParam(q, "page", 0, 0, math.MaxInt, "page: %q is not a page number (0-based, >= 0)")
	if rep == nil {
		size, rep = intParam(q, "size", defaultPageSize, 1, math.MaxInt, fmt.Sprintf("size: %%q is not a page size (1..%d)", maxPageSize))
	}
	return page, min(size, maxPageSize), rep
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

// springPage builds a Spring Data Page.
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

// createSnapshot answers POST /compute/instances/{id}/snapshots
// {"description", "changeReference"}; other fields are ignored (documented).
func (s *Server) createSnapshot(c *call, inst map[string]any) reply {
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
	id, _ := ival(inst, "id")
	name := sval(inst, "name")
	return s.changeLocked(c, change{fam: family.Instances, m: inst, op: "snapshot", process: "create-snapshot",
		running: "Creating a snapshot of instance " + name, done: "Snapshot of instance " + name + " created",
		onSuccess: func(done time.Time) {
			s.snapshotSeq[id]++
			n := s.snapshotSeq[id]
			disks, _ := ival(inst, "totalSizeDisks")
			var refVal any
			if ref != "" {
				refVal = ref
			}
			s.snapshots[id] = append(s.snapshots[id], map[string]any{
				"id":              fmt.Sprintf("%d-snap-%d", id, n),
				"label":           fmt.Sprintf("snap-%d", n),
				"description":     desc,
				"changeReference": refVal,
				"creator":         c.client,
				"recoveryDate":    nil,
				"size":            json.Number(strconv.FormatInt(max(disks/10, 1), 10)),
				"creationDate":    formatDate(done),
				"expirationDate":  formatDate(done.Add(7 * 24 * time.Hour)),
			})
		}})
}
