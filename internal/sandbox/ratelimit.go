package sandbox

// Rate limiting and traffic statistics: `itcare sandbox --rate-limit N`
// answers 429 with Retry-After past N API requests per second per client,
// so that a client's back-off can be seen; Stats counts what clients sent
// (requests per resource, the most requests in flight at once) so that
// tests and benchmarks can check a client's behaviour from the server's
// side.

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
)

// statsPath serves Stats as JSON (GET) and resets them (DELETE). It is the
// sandbox's own endpoint, outside the API.
const statsPath = "/sandbox/stats"

// Stats is what the sandbox counted of the API traffic (under /itcare).
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

// traffic is the Server's counters; own lock.
type traffic struct {
	mu            sync.Mutex
	requests      int
	tokenRequests int
	changes       int
	rateLimited   int
	inFlight      int
	maxInFlight   int
	perPath       map[string]int // resource path -> requests
	perAction     map[int64]int  // action id -> polls
	changesPer    map[string]int

	limit   float64 // requests per second per client; 0 = none
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// SetRateLimit limits every client to perSecond API requests per second
// (a burst of perSecond is allowed); beyond, the answer is 429 with
// Retry-After. 0 removes the limit.
func (s *Server) SetRateLimit(perSecond int) {
	s.traffic.mu.Lock()
	defer s.traffic.mu.Unlock()
	s.traffic.limit = float64(max(perSecond, 0))
	s.traffic.buckets = map[string]*bucket{}
}

// Stats returns the traffic counted since the start or the last ResetStats.
func (s *Server) Stats() Stats {
	t := &s.traffic
	t.mu.Lock()
	st := Stats{Requests: t.requests, TokenRequests: t.tokenRequests, Changes: t.changes, RateLimited: t.rateLimited,
		InFlight: t.inFlight, MaxInFlight: t.maxInFlight, PerResource: map[string]int{}, ChangesPer: map[string]int{}}
	for k, v := range t.perPath {
		st.PerResource[k] += v
	}
	for k, v := range t.changesPer {
		st.ChangesPer[k] = v
	}
	polls := make(map[int64]int, len(t.perAction))
	for k, v := range t.perAction {
		polls[k] = v
	}
	t.mu.Unlock()
	s.mu.Lock()
	for id, n := range polls {
		if a := s.actionByID[id]; a != nil {
			st.PerResource[resourcePath(a.resourceType, a.resourceID)] += n
		}
	}
	s.mu.Unlock()
	return st
}

// ResetStats sets every counter to zero (requests in flight stay counted).
func (s *Server) ResetStats() {
	t := &s.traffic
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests, t.tokenRequests, t.changes, t.rateLimited = 0, 0, 0, 0
	t.maxInFlight = t.inFlight
	t.perPath, t.perAction, t.changesPer = map[string]int{}, map[int64]int{}, map[string]int{}
}

// resourcePath is the family path of a resource type, with its id.
func resourcePath(typ string, id int64) string {
	p := "/" + strings.ToLower(typ)
	if f, ok := family.ByType(typ); ok {
		p = f.Path
	}
	return p + "/" + strconv.FormatInt(id, 10)
}

// begin counts an arriving request and, under a rate limit, decides
// whether it is refused: it returns the Retry-After in seconds, or 0.
// end must be called when the request has been served.
func (s *Server) begin(r *http.Request) (retryAfter int) {
	t := &s.traffic
	if r.Method == http.MethodPost && r.URL.Path == tokenPath {
		t.mu.Lock()
		t.tokenRequests++
		t.mu.Unlock()
		return 0
	}
	rel, ok := strings.CutPrefix(r.URL.Path, apiPrefix+"/")
	if !ok {
		return 0
	}
	client := s.clientOf(r)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.perPath == nil {
		t.perPath, t.perAction, t.changesPer = map[string]int{}, map[int64]int{}, map[string]int{}
	}
	t.requests++
	t.inFlight++
	t.maxInFlight = max(t.maxInFlight, t.inFlight)
	rel = "/" + rel
	change := r.Method != http.MethodGet && r.Method != http.MethodHead
	if change {
		t.changes++
	}
	if id, ok := strings.CutPrefix(rel, "/actions/"); ok {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			t.perAction[n]++
		}
	} else {
		for _, f := range family.All {
			fp := f.Path
			rest, ok := strings.CutPrefix(rel, fp+"/")
			if !ok {
				continue
			}
			id, _, _ := strings.Cut(rest, "/")
			t.perPath[fp+"/"+id]++
			if change {
				t.changesPer[fp+"/"+id]++
			}
		}
	}
	if t.limit <= 0 {
		return 0
	}
	return t.takeLocked(client)
}

// takeLocked takes one request from client's bucket: 0 when there was
// room, else the Retry-After in seconds.
func (t *traffic) takeLocked(client string) int {
	now := time.Now()
	b := t.buckets[client]
	if b == nil {
		b = &bucket{tokens: t.limit, last: now}
		t.buckets[client] = b
	}
	b.tokens = math.Min(t.limit, b.tokens+now.Sub(b.last).Seconds()*t.limit)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	t.rateLimited++
	return max(1, int(math.Ceil((1-b.tokens)/t.limit)))
}

// end counts a served request out of the ones in flight.
func (s *Server) end(r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, apiPrefix+"/") {
		return
	}
	s.traffic.mu.Lock()
	s.traffic.inFlight--
	s.traffic.mu.Unlock()
}

// clientOf names the client of a request for the rate limit: the client id
// of its access token, else its remote host.
func (s *Server) clientOf(r *http.Request) string {
	if client, _ := s.realm.Bearer(r); client != "" {
		return "client:" + client
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return "host:" + host
}

// rateLimited answers 429 with Retry-After and the documented error body.
func rateLimited(w http.ResponseWriter, retryAfter int) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	writeReply(w, apiError(http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "",
		fmt.Sprintf("rate limit exceeded; retry in %d s", retryAfter)))
}

// serveStats answers the sandbox's own statistics endpoint.
func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Stats())
	case http.MethodDelete:
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeReply(w, methodNotAllowed(r.Method, http.MethodGet, http.MethodDelete))
	}
}
