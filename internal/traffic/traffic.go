// Package traffic counts what clients send to an HTTP API and can limit
// each client's rate: a token bucket per client (a burst of the rate, then
// the rate), and the Retry-After to answer beyond it. The sandbox uses it
// for `itcare sandbox --rate-limit` and its /sandbox/stats endpoint, so
// that tests and benchmarks can check a client's behaviour from the
// server's side. It knows nothing of the API: the server says who sent a
// request and what it acts on. Standard library only.
package traffic

import (
	"maps"
	"math"
	"sync"
	"time"
)

// Stats is what a Meter counted.
type Stats struct {
	Requests      int            `json:"requests"`      // API requests, token requests excluded
	TokenRequests int            `json:"tokenRequests"` // POSTs to the token endpoint
	Changes       int            `json:"changes"`       // PATCH, POST and DELETE requests
	RateLimited   int            `json:"rateLimited"`   // answered 429 by the rate limit
	InFlight      int            `json:"inFlight"`      // API requests being served now
	MaxInFlight   int            `json:"maxInFlight"`   // the most API requests served at once
	PerResource   map[string]int `json:"perResource"`   // "/compute/instances/10001" -> requests on it and on its actions
	ChangesPer    map[string]int `json:"changesPerResource"`
}

// Request is an API request as the meter counts it.
type Request struct {
	Client   string // who sent it: its rate is limited apart
	Change   bool   // it changes something (not GET or HEAD)
	Resource string // the resource it acts on ("": none)
	Action   int64  // the action it polls (0: none), counted on the action's resource
}

// Meter counts requests and applies the rate limit. The zero value counts
// without a limit; it has its own lock.
type Meter struct {
	mu            sync.Mutex
	requests      int
	tokenRequests int
	changes       int
	rateLimited   int
	inFlight      int
	maxInFlight   int
	perResource   map[string]int
	perAction     map[int64]int // action id -> polls
	changesPer    map[string]int

	limit   float64 // requests per second per client; 0 = none
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// SetLimit limits every client to perSecond requests per second (a burst
// of perSecond is allowed); 0 removes the limit.
func (m *Meter) SetLimit(perSecond int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limit = float64(max(perSecond, 0))
	m.buckets = map[string]*bucket{}
}

// CountToken counts a request for a token (not limited).
func (m *Meter) CountToken() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokenRequests++
}

// Begin counts an arriving API request and, under a rate limit, decides
// whether it is refused: it returns the Retry-After in seconds, or 0. End
// must be called when the request has been served.
func (m *Meter) Begin(r Request) (retryAfter int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.perResource == nil {
		m.perResource, m.perAction, m.changesPer = map[string]int{}, map[int64]int{}, map[string]int{}
	}
	m.requests++
	m.inFlight++
	m.maxInFlight = max(m.maxInFlight, m.inFlight)
	if r.Change {
		m.changes++
	}
	if r.Action != 0 {
		m.perAction[r.Action]++
	}
	if r.Resource != "" {
		m.perResource[r.Resource]++
		if r.Change {
			m.changesPer[r.Resource]++
		}
	}
	if m.limit <= 0 {
		return 0
	}
	return m.takeLocked(r.Client)
}

// takeLocked takes one request from client's bucket: 0 when there was
// room, else the Retry-After in seconds.
func (m *Meter) takeLocked(client string) int {
	now := time.Now()
	b := m.buckets[client]
	if b == nil {
		b = &bucket{tokens: m.limit, last: now}
		m.buckets[client] = b
	}
	b.tokens = math.Min(m.limit, b.tokens+now.Sub(b.last).Seconds()*m.limit)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	m.rateLimited++
	return max(1, int(math.Ceil((1-b.tokens)/m.limit)))
}

// End counts a served request out of the ones in flight.
func (m *Meter) End() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inFlight--
}

// Stats returns the counts since the start or the last Reset; the polls of
// an action are counted on the resource actionResource names ("": not
// counted).
func (m *Meter) Stats(actionResource func(id int64) string) Stats {
	m.mu.Lock()
	st := Stats{Requests: m.requests, TokenRequests: m.tokenRequests, Changes: m.changes, RateLimited: m.rateLimited,
		InFlight: m.inFlight, MaxInFlight: m.maxInFlight, PerResource: maps.Clone(m.perResource), ChangesPer: maps.Clone(m.changesPer)}
	polls := maps.Clone(m.perAction)
	m.mu.Unlock()
	if st.PerResource == nil {
		st.PerResource, st.ChangesPer = map[string]int{}, map[string]int{}
	}
	for id, n := range polls {
		if res := actionResource(id); res != "" {
			st.PerResource[res] += n
		}
	}
	return st
}

// Reset sets every counter to zero (requests in flight stay counted).
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests, m.tokenRequests, m.changes, m.rateLimited = 0, 0, 0, 0
	m.maxInFlight = m.inFlight
	m.perResource, m.perAction, m.changesPer = map[string]int{}, map[int64]int{}, map[string]int{}
}
