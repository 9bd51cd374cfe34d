package sandbox

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Documented action statuses.
const (
	statusInProgress = "IN_PROGRESS"
	statusSuccess    = "SUCCESS"
	statusError      = "ERROR"
)

// action is an asynchronous operation. Its outcome is decided when it is
// created (FailNext) and applied lazily once the clock passes due.
type action struct {
	id, requestID int64
	process       string // e.g. stop-instance
	op            string // e.g. stop
	family        string
	resourceName  string
	resourceType  string
	resourceID    int64
	serviceID     int64
	submittedBy   string
	submittedAt   time.Time
	due           time.Time
	completedAt   time.Time // zero while IN_PROGRESS
	status        string
	message       string

	failMessage string // non-empty: ends in ERROR with this message
	doneMessage string // message on SUCCESS
	// settle applies the effect of the action on SUCCESS (ok) or undoes its
	// visible start on ERROR (nil for the seeded history).
	settle func(ok bool)
}

func (a *action) view() map[string]any {
	var completed any
	last := a.submittedAt
	if !a.completedAt.IsZero() {
		completed = formatDate(a.completedAt)
		last = a.completedAt
	}
	return map[string]any{
		"id":            a.id,
		"requestId":     a.requestID,
		"status":        a.status,
		"process":       a.process,
		"message":       a.message,
		"family":        a.family,
		"resourceName":  a.resourceName,
		"resourceType":  a.resourceType,
		"resourceId":    a.resourceID,
		"serviceId":     a.serviceID,
		"submittedAt":   formatDate(a.submittedAt),
		"submittedBy":   a.submittedBy,
		"lastUpdatedAt": formatDate(last),
		"completedAt":   completed,
	}
}

// enqueueActionLocked gives a its ids, submission time, due time and
// IN_PROGRESS status, arms it with a FailNext queued for its op or its
// process, and records it. The caller then marks the resource busy and
// answers with acceptedLocked.
func (s *Server) enqueueActionLocked(c *call, a *action) {
	now := s.now()
	a.submittedBy = c.client
	a.submittedAt = now
	a.due = now.Add(s.actionDuration)
	a.status = statusInProgress
	for _, key := range []string{a.op, a.process} {
		if q := s.failNext[key]; key != "" && len(q) > 0 {
			a.failMessage = q[0]
			if len(q) == 1 {
				delete(s.failNext, key)
			} else {
				s.failNext[key] = q[1:]
			}
			break
		}
	}
	s.recordActionLocked(a)
}

// recordActionLocked gives a its ids and records it.
func (s *Server) recordActionLocked(a *action) {
	a.id, a.requestID = s.nextActionID, s.nextRequestID
	s.nextActionID++
	s.nextRequestID++
	s.actions = append(s.actions, a)
	s.actionByID[a.id] = a
}

// acceptedLocked settles what is due (an action of zero duration ends at
// once) and answers 202 with the tracking object of a.
func (s *Server) acceptedLocked(a *action) reply {
	s.settleLocked()
	return jsonReply(http.StatusAccepted, map[string]any{
		"id":           a.id,
		"requestId":    a.requestID,
		"status":       a.status,
		"message":      a.message,
		"process":      a.process,
		"resourceId":   a.resourceID,
		"resourceName": a.resourceName,
	})
}

// settleLocked completes every action whose time has come, in (due, id)
// order, and applies its effect. It is called at the start of every
// authenticated API request: no goroutine, no timer.
func (s *Server) settleLocked() {
	now := s.now()
	var ready []*action
	for _, a := range s.actions {
		if a.status == statusInProgress && !now.Before(a.due) {
			ready = append(ready, a)
		}
	}
	slices.SortFunc(ready, func(x, y *action) int {
		if c := x.due.Compare(y.due); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	for _, a := range ready {
		s.completeLocked(a)
	}
}

func (s *Server) completeLocked(a *action) {
	a.completedAt = a.due
	if a.failMessage != "" {
		a.status, a.message = statusError, a.failMessage
	} else {
		a.status, a.message = statusSuccess, a.doneMessage
	}
	if a.settle != nil {
		a.settle(a.failMessage == "")
	}
}

// listActions answers GET /actions: a plain array.
func (s *Server) listActions(c *call) reply {
	q := c.query
	if rep := checkParams(q, "resourceName", "resourceId", "serviceId", "statuses", "requestId"); rep != nil {
		return *rep
	}
	name, hasName, rep := singleValue(q, "resourceName")
	if rep != nil {
		return *rep
	}
	ints := map[string]*int64{}
	for _, k := range []string{"resourceId", "serviceId", "requestId"} {
		vs, rep := intValues(q, k)
		if rep != nil {
			return *rep
		}
		if len(vs) > 1 {
			return badValue(k, "%s must be given once", k)
		}
		if len(vs) == 1 {
			ints[k] = &vs[0]
		}
	}
	var statuses []string
	for _, v := range listValues(q, "statuses") {
		v = strings.ToUpper(v)
		if v != statusInProgress && v != statusSuccess && v != statusError {
			return badValue("statuses", "unknown status %q; expected one of IN_PROGRESS, SUCCESS, ERROR", v)
		}
		statuses = append(statuses, v)
	}
	out := []map[string]any{}
	for _, a := range s.actions {
		switch {
		case hasName && !strings.EqualFold(a.resourceName, name):
		case ints["resourceId"] != nil && a.resourceID != *ints["resourceId"]:
		case ints["serviceId"] != nil && a.serviceID != *ints["serviceId"]:
		case ints["requestId"] != nil && a.requestID != *ints["requestId"]:
		case len(statuses) > 0 && !slices.Contains(statuses, a.status):
		default:
			out = append(out, a.view())
		}
	}
	return jsonReply(http.StatusOK, out)
}

// getAction answers GET /actions/{id}.
func (s *Server) getAction(c *call, id int64) reply {
	if rep := checkParams(c.query); rep != nil {
		return *rep
	}
	a, ok := s.actionByID[id]
	if !ok {
		return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "actionId", fmt.Sprintf("no such action %d", id))
	}
	return jsonReply(http.StatusOK, a.view())
}
