package sandbox

// Rate limiting and traffic statistics (counted by internal/traffic):
// `itcare sandbox --rate-limit N` answers 429 with Retry-After past N API
// requests per second per client, so that a client's back-off can be seen;
// Stats counts what clients sent (requests per resource, the most requests
// in flight at once) so that tests and benchmarks can check a client's
// behaviour from the server's side.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/traffic"
)

// statsPath serves Stats as JSON (GET) and resets them (DELETE). It is the
// sandbox's own endpoint, outside the API.
const statsPath = "/sandbox/stats"

// Stats is what the sandbox counted of the API traffic (under /itcare).
type Stats = traffic.Stats

// SetRateLimit limits every client to perSecond API requests per second
// (a burst of perSecond is allowed); beyond, the answer is 429 with
// Retry-After. 0 removes the limit.
func (s *Server) SetRateLimit(perSecond int) { s.traffic.SetLimit(perSecond) }

// Stats returns the traffic counted since the start or the last ResetStats.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.traffic.Stats(func(id int64) string {
		if a := s.actionByID[id]; a != nil {
			return resourcePath(a.resourceType, a.resourceID)
		}
		return ""
	})
}

// ResetStats sets every counter to zero (requests in flight stay counted).
func (s *Server) ResetStats() { s.traffic.Reset() }

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
	if r.Method == http.MethodPost && r.URL.Path == tokenPath {
		s.traffic.CountToken()
		return 0
	}
	rel, ok := strings.CutPrefix(r.URL.Path, apiPrefix+"/")
	if !ok {
		return 0
	}
	req := traffic.Request{Client: s.clientOf(r), Change: r.Method != http.MethodGet && r.Method != http.MethodHead}
	rel = "/" + rel
	if id, ok := strings.CutPrefix(rel, "/actions/"); ok {
		req.Action, _ = strconv.ParseInt(id, 10, 64)
	}
	for _, f := range family.All {
		if rest, ok := strings.CutPrefix(rel, f.Path+"/"); ok {
			id, _, _ := strings.Cut(rest, "/")
			req.Resource = f.Path + "/" + id
		}
	}
	return s.traffic.Begin(req)
}

// end counts a served request out of the ones in flight.
func (s *Server) end(r *http.Request) {
	if strings.HasPrefix(r.URL.Path, apiPrefix+"/") {
		s.traffic.End()
	}
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
