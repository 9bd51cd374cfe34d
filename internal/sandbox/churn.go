package sandbox

// Churn: with Options.Churn set, instances change status on their own, so
// that `itcare ... --watch` has something to show (`itcare sandbox --churn`).
// Like actions, churn is applied lazily when a request is served: no
// goroutine, no timer.

import (
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

// churnClient is who submits the churn's actions.
const churnClient = "itcare-churn"

// churnPool is how many instances take part: the first non-production ones
// (DEVELOPMENT and TEST), so production instances, which the examples
// stop and start, are left alone.
const churnPool = 12

// churnState is the churn's clock (guarded by Server.mu).
type churnState struct {
	every time.Duration // 0: no churn
	next  time.Time
	seq   int
}

// churnLocked starts the churn actions due since the last request: every
// `every`, the next instance of the pool that has no action running is
// stopped (ACTIVE) or started (INACTIVE). A long pause does not replay a
// backlog: at most one action per due step, at most 2 at once.
func (s *Server) churnLocked() {
	ch := &s.churn
	if ch.every <= 0 {
		return
	}
	now := s.now()
	if ch.next.IsZero() {
		ch.next = now.Add(ch.every)
		return
	}
	for n := 0; !now.Before(ch.next) && n < 2; n++ {
		ch.next = ch.next.Add(ch.every)
		s.churnStepLocked()
	}
	if !now.Before(ch.next) {
		ch.next = now.Add(ch.every)
	}
}

func (s *Server) churnStepLocked() {
	var pool []map[string]any
	for _, inst := range s.orderedLocked(typeInstance) {
		if env := sval(inst, "environment"); env == "DEVELOPMENT" || env == "TEST" {
			pool = append(pool, inst)
		}
		if len(pool) == churnPool {
			break
		}
	}
	for range pool {
		inst := pool[s.churn.seq%len(pool)]
		s.churn.seq++
		id, _ := ival(inst, "id")
		if _, busy := s.fam.pending[resKey{typeInstance, id}]; busy {
			continue
		}
		op, ok := family.Instances.Operation(map[string]string{"ACTIVE": "stop", "INACTIVE": "start"}[sval(inst, "status")])
		if !ok {
			continue
		}
		s.changeLocked(&call{client: churnClient}, operationChange(family.Instances, inst, op))
		return
	}
}
