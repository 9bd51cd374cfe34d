package sandbox

// The rest of the lifecycle beyond the table's generic rules: snapshot
// restore and delete, instance resize (paths and operation names
// inferred), load balancer URLs (documented; listing inferred). Kubernetes
// cluster and Overdrive volume deletion are the table's generic DELETE.

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

// subItemOpLocked answers POST {path}/{id}/{sub}/{item}/{op}: the restore of
// a snapshot of instance inst (inferred path); the snapshot's recoveryDate
// is set when the action ends.
func (s *Server) subItemOpLocked(c *call, f *family.Family, inst map[string]any, sub, item, op string) reply {
	if f != family.Instances || sub != "snapshots" || op != "restore" {
		return notFoundPath(fmt.Sprintf("%s%s/%s/%s/%s/%s", apiPrefix, f.Path, sval(inst, "id"), sub, item, op))
	}
	return s.snapshotChange(c, inst, item, "restore", "recover-snapshot", "Restoring", "restored",
		func(snap map[string]any, done time.Time) { snap["recoveryDate"] = formatDate(done) })
}

// deleteSnapshot answers DELETE /compute/instances/{id}/snapshots/{sid}
// (inferred path).
func (s *Server) deleteSnapshot(c *call, inst map[string]any, sid string) reply {
	id, _ := ival(inst, "id")
	return s.snapshotChange(c, inst, sid, "delete-snapshot", "delete-snapshot", "Deleting", "deleted",
		func(map[string]any, time.Time) {
			s.snapshots[id] = slices.DeleteFunc(s.snapshots[id], func(m map[string]any) bool { return sval(m, "id") == sid })
		})
}

// snapshotChange starts an action on snapshot sid of instance id, under the
// instance's busy and status rules, with an optional {"changeReference"}.
func (s *Server) snapshotChange(c *call, inst map[string]any, sid, op, process, doing, done string, onSuccess func(snap map[string]any, done time.Time)) reply {
	if rep := changeRefBody(c); rep != nil {
		return *rep
	}
	id, _ := ival(inst, "id")
	i := slices.IndexFunc(s.snapshots[id], func(m map[string]any) bool { return sval(m, "id") == sid })
	if i < 0 {
		return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "snapshotId", fmt.Sprintf("instance %d has no snapshot %q", id, sid))
	}
	snap, name := s.snapshots[id][i], sval(inst, "name")
	return s.changeLocked(c, change{fam: family.Instances, m: inst, op: op, process: process,
		what:      op + " of snapshot " + sid,
		running:   fmt.Sprintf("%s snapshot %s of instance %s", doing, sid, name),
		done:      fmt.Sprintf("Snapshot %s of instance %s %s", sid, name, done),
		onSuccess: func(t time.Time) { onSuccess(snap, t) }})
}

// operateInstance serves the custom operation of instances: {"operation":
// "resize", "options": {"cpu": N, "ram": GB}} (inferred); cpu and ram
// change when the action ends.
func (s *Server) operateInstance(c *call, inst map[string]any, op string, options map[string]any) reply {
	o, _ := family.Instances.Operation(op)
	if rep := checkBody(o.Options, options); rep != nil {
		return *rep
	}
	cpu, _ := ival(options, "cpu")
	ram, _ := ival(options, "ram")
	name := sval(inst, "name")
	return s.changeLocked(c, change{fam: family.Instances, m: inst, op: op, process: o.Process,
		running:   fmt.Sprintf("Resizing instance %s to %d CPU / %d GB", name, cpu, ram),
		done:      fmt.Sprintf("Instance %s resized", name),
		onSuccess: func(time.Time) { inst["cpu"], inst["ram"] = jsonInt(cpu), jsonInt(ram) }})
}

// urlNameRE is the sandbox's stand-in for the URL naming rule (the real
// regular expression is not published): a lowercase DNS name.
var urlNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
})

// lbURLsSub serves /networking/loadbalancers/{id}/urls[/{urlId}]: GET lists
// (inferred), POST adds, DELETE removes (documented, asynchronous).
func (s *Server) lbURLsSub(c *call, lb map[string]any, _, item string) reply {
	switch {
	case item != "":
		urlID, rep := pathID(item, "urlId", "URL")
		if rep != nil {
			return *rep
		}
		return s.deleteLBURL(c, lb, urlID)
	case c.is(http.MethodGet):
		return jsonReply(http.StatusOK, asMaps(lb["urls"]))
	}
	return s.addLBURL(c, lb)
}

func (s *Server) addLBURL(c *call, lb map[string]any) reply {
	b, rep := jsonBody(c, true)
	if rep != nil {
		return *rep
	}
	urls, _ := family.LoadBalancers.Sub("urls")
	if rep := checkBody(urls.Body, b); rep != nil {
		return *rep
	}
	name := sval(b, "name")
	if !urlNameRE().MatchString(name) {
		return badValue("name", "name %q does not match the URL naming rule (a lowercase DNS name)", name)
	}
	for _, other := range s.itemsLocked(typeLoadBalancer) {
		for _, u := range asMaps(other["urls"]) {
			if sval(u, "name") == name {
				return apiError(http.StatusConflict, "ALREADY_EXISTS", "name", fmt.Sprintf("URL %s is already served by load balancer %s", name, sval(other, "name")))
			}
		}
	}
	u := map[string]any{"name": name, "sslProfile": b["sslProfile"], "dnsEnabled": bval(b, "setUpDNSEnabled"),
		"monitoringEnabled": bval(b, "monitoringEnabled"), "onCallSupervision": bval(b, "onCallSupervision")}
	lbName := sval(lb, "name")
	return s.changeLocked(c, change{fam: family.LoadBalancers, m: lb, op: "add-url", process: "create-lb-url",
		what:    "adding URL " + name,
		running: fmt.Sprintf("Adding URL %s to load balancer %s", name, lbName),
		done:    fmt.Sprintf("URL %s added to load balancer %s", name, lbName),
		onSuccess: func(time.Time) {
			u["id"] = jsonInt(s.nextURLIDLocked())
			lb["urls"] = append(asAnys(lb["urls"]), mustNormalize(u))
		}})
}

func (s *Server) deleteLBURL(c *call, lb map[string]any, urlID int64) reply {
	if rep := changeRefBody(c); rep != nil {
		return *rep
	}
	isURL := func(x any) bool { m, _ := x.(map[string]any); v, _ := ival(m, "id"); return v == urlID }
	i := slices.IndexFunc(asAnys(lb["urls"]), isURL)
	if i < 0 {
		return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "urlId", fmt.Sprintf("load balancer %s has no URL %d", sval(lb, "name"), urlID))
	}
	name, lbName := sval(asMaps(lb["urls"])[i], "name"), sval(lb, "name")
	return s.changeLocked(c, change{fam: family.LoadBalancers, m: lb, op: "delete-url", process: "delete-lb-url",
		what:      "removing URL " + name,
		running:   fmt.Sprintf("Removing URL %s from load balancer %s", name, lbName),
		done:      fmt.Sprintf("URL %s removed from load balancer %s", name, lbName),
		onSuccess: func(time.Time) { lb["urls"] = slices.DeleteFunc(asAnys(lb["urls"]), isURL) }})
}

func asAnys(v any) []any { l, _ := v.([]any); return l }
