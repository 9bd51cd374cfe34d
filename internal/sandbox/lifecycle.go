package sandbox

// The rest of the lifecycle: snapshot restore and delete, instance resize
// (paths and operation names inferred, itcare-api.md §7.2), load balancer
// URLs (documented, §7.4), Kubernetes cluster and Overdrive volume
// deletion (documented, §7.3 and §7.6).

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

// startInstanceActionLocked starts an action on an instance whose effect is
// applied by onSuccess; the instance is busy until it ends.
func (s *Server) startInstanceActionLocked(c *call, inst map[string]any, op, process, running, done string, onSuccess func(time.Time)) reply {
	id, _ := ival(inst, "id")
	name := sval(inst, "name")
	a := &action{
		process: process, op: op, family: sval(inst, "family"), resourceName: name, resourceType: typeInstance,
		resourceID: id, message: fmt.Sprintf(running, name), doneMessage: fmt.Sprintf(done, name),
	}
	a.serviceID, _ = ival(inst, "serviceId")
	s.enqueueActionLocked(c, a)
	s.pending[id] = a.id
	a.settle = func(ok bool) {
		if s.pending[id] == a.id {
			delete(s.pending, id)
		}
		if ok {
			onSuccess(a.completedAt)
		}
	}
	return s.acceptedLocked(a)
}

// changeRefBody reads the optional {"changeReference": "..."} body.
func changeRefBody(c *call) *reply {
	body, rep := jsonBody(c, false)
	if rep != nil {
		return rep
	}
	_, rep = optionalString(body, "changeReference")
	return rep
}

// snapshotLocked finds snapshot sid of instance id (404 otherwise) after
// the instance's status rules for op.
func (s *Server) snapshotLocked(id int64, sid, op string) (map[string]any, int, *reply) {
	inst, ok := s.instances[id]
	if !ok {
		rep := noSuchInstance(id)
		return nil, 0, &rep
	}
	i := slices.IndexFunc(s.snapshots[id], func(m map[string]any) bool { return sval(m, "id") == sid })
	if i < 0 {
		rep := apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "snapshotId", fmt.Sprintf("instance %d has no snapshot %q", id, sid))
		return nil, 0, &rep
	}
	if rep := s.checkInstanceOpLocked(inst, op); rep != nil {
		return nil, 0, rep
	}
	return inst, i, nil
}

// restoreSnapshot answers POST /compute/instances/{id}/snapshots/{sid}/restore
// (inferred path); the snapshot's recoveryDate is set when the action ends.
func (s *Server) restoreSnapshot(c *call, id int64, sid string) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	if rep := changeRefBody(c); rep != nil {
		return *rep
	}
	inst, i, rep := s.snapshotLocked(id, sid, "restore")
	if rep != nil {
		return *rep
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: restore of snapshot %s of instance %d is valid; nothing was done", sid, id))
	}
	snap := s.snapshots[id][i]
	return s.startInstanceActionLocked(c, inst, "restore", "recover-snapshot",
		"Restoring snapshot "+sid+" of instance %s", "Snapshot "+sid+" of instance %s restored",
		func(done time.Time) { snap["recoveryDate"] = formatDate(done) })
}

// deleteSnapshot answers DELETE /compute/instances/{id}/snapshots/{sid}
// (inferred path).
func (s *Server) deleteSnapshot(c *call, id int64, sid string) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	if rep := changeRefBody(c); rep != nil {
		return *rep
	}
	inst, _, rep := s.snapshotLocked(id, sid, "delete-snapshot")
	if rep != nil {
		return *rep
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: deletion of snapshot %s of instance %d is valid; nothing was done", sid, id))
	}
	return s.startInstanceActionLocked(c, inst, "delete-snapshot", "delete-snapshot",
		"Deleting snapshot "+sid+" of instance %s", "Snapshot "+sid+" of instance %s deleted",
		func(time.Time) {
			s.snapshots[id] = slices.DeleteFunc(s.snapshots[id], func(m map[string]any) bool { return sval(m, "id") == sid })
		})
}

// resizeInstance answers PATCH /compute/instances/{id} {"operation":
// "resize", "options": {"cpu": N, "ram": GB}} (inferred); cpu and ram
// change when the action ends.
func (s *Server) resizeInstance(c *call, inst map[string]any, options map[string]any) reply {
	if rep := checkBody(&family.InstanceResize, options); rep != nil {
		return *rep
	}
	if rep := s.checkInstanceOpLocked(inst, "resize"); rep != nil {
		return *rep
	}
	cpu, _ := ival(options, "cpu")
	ram, _ := ival(options, "ram")
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: resize of instance %s to %d CPU / %d GB is valid; nothing was done", sval(inst, "name"), cpu, ram))
	}
	return s.startInstanceActionLocked(c, inst, "resize", "resize-compute-instance",
		fmt.Sprintf("Resizing instance %%s to %d CPU / %d GB", cpu, ram), "Instance %s resized",
		func(time.Time) { inst["cpu"], inst["ram"] = jsonInt(cpu), jsonInt(ram) })
}

// urlNameRE is the sandbox's stand-in for the URL naming rule (the real
// regular expression is not published): a lowercase DNS name.
var urlNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)

// lbURLsRoute serves /networking/loadbalancers/{id}/urls[/{urlId}]: GET
// lists (inferred), POST adds, DELETE removes (documented, asynchronous).
func (s *Server) lbURLsRoute(c *call, id int64, rest []string) reply {
	allow := []string{http.MethodGet, http.MethodPost}
	if len(rest) == 1 {
		allow = []string{http.MethodDelete}
	}
	if !c.is(allow...) {
		return methodNotAllowed(c.r.Method, allow...)
	}
	lb, rep := itemLocked(s.fam.lbs, c, id, "load balancer")
	if rep != nil {
		return *rep
	}
	switch {
	case c.is(http.MethodGet):
		return jsonReply(http.StatusOK, asMaps(lb["urls"]))
	case c.is(http.MethodPost):
		return s.addLBURL(c, lb)
	}
	urlID, rep := pathID(rest[0], "urlId", "URL")
	if rep != nil {
		return *rep
	}
	return s.deleteLBURL(c, lb, urlID)
}

func (s *Server) lbChangeLocked(lb map[string]any) *reply {
	id, _ := ival(lb, "id")
	return s.busyLocked(resKey{typeLoadBalancer, id}, "load balancer", sval(lb, "name"))
}

func (s *Server) addLBURL(c *call, lb map[string]any) reply {
	b, rep := jsonBody(c, true)
	if rep != nil {
		return *rep
	}
	if rep := checkBody(&family.LoadBalancerURL, b); rep != nil {
		return *rep
	}
	name := sval(b, "name")
	if !urlNameRE.MatchString(name) {
		return badValue("name", "name %q does not match the URL naming rule (a lowercase DNS name)", name)
	}
	for _, lbx := range s.fam.lbs {
		for _, u := range asMaps(lbx["urls"]) {
			if sval(u, "name") == name {
				return apiError(http.StatusConflict, "ALREADY_EXISTS", "name", fmt.Sprintf("URL %s is already served by load balancer %s", name, sval(lbx, "name")))
			}
		}
	}
	if rep := s.lbChangeLocked(lb); rep != nil {
		return *rep
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: adding URL %s to load balancer %s is valid; nothing was done", name, sval(lb, "name")))
	}
	u := map[string]any{"id": jsonInt(s.nextURLIDLocked()), "name": name, "sslProfile": b["sslProfile"],
		"dnsEnabled": bval(b, "setUpDNSEnabled"), "monitoringEnabled": bval(b, "monitoringEnabled"),
		"onCallSupervision": bval(b, "onCallSupervision")}
	id, _ := ival(lb, "id")
	return s.startFamilyActionLocked(c, familyAction{
		key: resKey{typeLoadBalancer, id}, m: lb, op: "add-url", process: "create-lb-url",
		running:   fmt.Sprintf("Adding URL %s to load balancer %s", name, sval(lb, "name")),
		done:      fmt.Sprintf("URL %s added to load balancer %s", name, sval(lb, "name")),
		onSuccess: func(time.Time) { lb["urls"] = append(lb["urls"].([]any), mustNormalize(u)) },
	})
}

func (s *Server) deleteLBURL(c *call, lb map[string]any, urlID int64) reply {
	if rep := changeRefBody(c); rep != nil {
		return *rep
	}
	urls, _ := lb["urls"].([]any)
	i := slices.IndexFunc(urls, func(x any) bool { m, _ := x.(map[string]any); v, _ := ival(m, "id"); return v == urlID })
	if i < 0 {
		return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "urlId", fmt.Sprintf("load balancer %s has no URL %d", sval(lb, "name"), urlID))
	}
	if rep := s.lbChangeLocked(lb); rep != nil {
		return *rep
	}
	name := sval(urls[i].(map[string]any), "name")
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: removing URL %s from load balancer %s is valid; nothing was done", name, sval(lb, "name")))
	}
	id, _ := ival(lb, "id")
	return s.startFamilyActionLocked(c, familyAction{
		key: resKey{typeLoadBalancer, id}, m: lb, op: "delete-url", process: "delete-lb-url",
		running: fmt.Sprintf("Removing URL %s from load balancer %s", name, sval(lb, "name")),
		done:    fmt.Sprintf("URL %s removed from load balancer %s", name, sval(lb, "name")),
		onSuccess: func(time.Time) {
			lb["urls"] = slices.DeleteFunc(lb["urls"].([]any), func(x any) bool { m, _ := x.(map[string]any); v, _ := ival(m, "id"); return v == urlID })
		},
	})
}

// deleteFamilyItem answers DELETE {family}/{id} with an optional
// {"changeReference"} body: the resource is removed when the action ends.
func (s *Server) deleteFamilyItem(c *call, typ, kind, process string, id int64, onSuccess func()) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	if rep := changeRefBody(c); rep != nil {
		return *rep
	}
	items := s.itemsLocked(typ)
	m, ok := items[id]
	if !ok {
		return noSuch("id", kind, id)
	}
	key := resKey{typ, id}
	if rep := s.busyLocked(key, kind, sval(m, "name")); rep != nil {
		return *rep
	}
	if c.dryRun {
		return dryRunReply(fmt.Sprintf("dry run: deletion of %s %d (%s) is valid; nothing was done", kind, id, sval(m, "name")))
	}
	prev := sval(m, "status")
	m["status"] = "DELETING"
	return s.startFamilyActionLocked(c, familyAction{
		key: key, m: m, op: "delete", process: process,
		running: fmt.Sprintf("Deleting %s %s", kind, sval(m, "name")),
		done:    fmt.Sprintf("%s %s deleted", upperFirst(kind), sval(m, "name")),
		onSuccess: func(time.Time) {
			delete(items, id)
			if onSuccess != nil {
				onSuccess()
			}
		},
		onError: func() { m["status"] = prev },
	})
}

// snapshotRoute serves /compute/instances/{id}/snapshots/{sid} (DELETE) and
// .../{sid}/restore (POST).
func (s *Server) snapshotRoute(c *call, rest []string, rel string) reply {
	allow := http.MethodDelete
	if len(rest) == 4 {
		allow = http.MethodPost
	}
	if len(rest) > 4 || (len(rest) == 4 && rest[3] != "restore") {
		return notFoundPath(apiPrefix + rel)
	}
	if !c.is(allow) {
		return methodNotAllowed(c.r.Method, allow)
	}
	id, rep := pathID(rest[0], "id", "instance")
	if rep != nil {
		return *rep
	}
	if len(rest) == 4 {
		return s.restoreSnapshot(c, id, rest[2])
	}
	return s.deleteSnapshot(c, id, rest[2])
}
