// Package sandbox is an in-memory ITCare simulator: one HTTP handler that
// serves both a Keycloak-shaped OIDC realm (/auth/realms/cloud) and the ITCare
// API (/itcare) with deterministic seeded data.
//
// It follows what is publicly known of the real API; every behaviour the
// real API does not document is a "sandbox choice" listed in README.md next to this file.
//
// The simulator never starts a goroutine per action: asynchronous actions are
// settled lazily, from the clock, whenever a request is served. All state is
// guarded by one mutex.
package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/itcare-cli/itcare/internal/netfault"
	"github.com/itcare-cli/itcare/internal/realm"
	"github.com/itcare-cli/itcare/internal/redact"
	"github.com/itcare-cli/itcare/internal/traffic"
)

const (
	realmPath     = "/auth/realms/cloud"
	tokenPath     = realmPath + "/protocol/openid-connect/token"
	apiPrefix     = "/itcare"
	headerDryRun  = "ITCare-DryRun"
	maxBodyBytes  = 1 << 20
	dateLayout    = "2006-01-02T15:04:05.000-0700"
	defaultClient = "sandbox-client"
	defaultSecret = "sandbox-secret"
)

// zone is the fixed offset every date is written in, so output is
// deterministic whatever the machine's time zone.
var zone = time.FixedZone("CEST", 2*3600)

// formatDate writes t the documented way: 2016-06-01T12:27:19.000+0200.
func formatDate(t time.Time) string { return t.In(zone).Format(dateLayout) }

// Options configures a Server. Zero values mean the documented defaults.
type Options struct {
	AccessTokenLifetime  time.Duration     // default 1200s
	RefreshTokenLifetime time.Duration     // default 7200s
	ActionDuration       time.Duration     // how long an action stays IN_PROGRESS; default 3s, negative means 0
	Instances            int               // number of seeded instances; default 300, negative means none
	Clients              map[string]string // client_id -> secret; default {"sandbox-client": "sandbox-secret"}
	Now                  func() time.Time  // optional clock for tests; default time.Now
	Log                  io.Writer         // optional access log (never logs secrets or tokens)
	// RateLimit, when positive, limits every client to this many API
	// requests per second; beyond, 429 with Retry-After (ratelimit.go).
	RateLimit int
	// Contract, when set (normally contract.MustLoad(api.OpenAPISpec)),
	// validates every /itcare request and answer (validate.go).
	Contract ContractChecker
	// Churn, when positive, stops or starts an instance every Churn on its
	// own (churn.go).
	Churn time.Duration
}

// MaxRecordedRequests bounds the requests the sandbox remembers: the
// oldest are forgotten, so a long-running sandbox does not grow.
const MaxRecordedRequests = 10000

// RecordedRequest is one request the sandbox received. Its Authorization
// header is recorded redacted (redact.Authorization), never in clear.
type RecordedRequest struct {
	Method   string
	Path     string
	RawQuery string
	Query    url.Values
	Header   http.Header
	Body     []byte
	Time     time.Time
	Fault    netfault.Kind // the fault injected into this request, "" if none
}

func (r RecordedRequest) clone() RecordedRequest {
	c := r
	c.Query = url.Values{}
	for k, v := range r.Query {
		c.Query[k] = append([]string(nil), v...)
	}
	c.Header = r.Header.Clone()
	c.Body = append([]byte(nil), r.Body...)
	return c
}

// Server is the simulator. Create it with New.
type Server struct {
	now   func() time.Time
	realm *realm.Realm // the OpenID Connect realm: clients and tokens; own lock
	log   io.Writer
	logMu sync.Mutex

	mu             sync.Mutex
	actionDuration time.Duration
	tokenRequests  int
	requests       []RecordedRequest

	instances      map[int64]map[string]any
	snapshots      map[int64][]map[string]any
	snapshotSeq    map[int64]int
	nextInstanceID int64
	ipSeq          int

	actions       []*action // in id order
	actionByID    map[int64]*action
	nextActionID  int64
	nextRequestID int64
	failNext      map[string][]string

	fam familyState // the other families, busy resources, resource ids (family.go)

	faults netfault.Injector // injected faults; own lock

	traffic traffic.Meter // rate limit and statistics (ratelimit.go); own lock

	api      http.Handler  // serveAPI, behind the contract's guard if any (validate.go)
	contract ContractGuard // nil: no contract validation

	churn churnState // statuses moving on their own (churn.go)

	srv     *http.Server
	baseURL string
}

// New returns a Server seeded with deterministic data.
func New(opts Options) *Server {
	s := &Server{
		now:            opts.Now,
		actionDuration: opts.ActionDuration,
		log:            opts.Log,
		instances:      map[int64]map[string]any{},
		snapshots:      map[int64][]map[string]any{},
		snapshotSeq:    map[int64]int{},
		nextInstanceID: firstInstanceID,
		actionByID:     map[int64]*action{},
		nextActionID:   firstActionID,
		nextRequestID:  firstRequestID,
		failNext:       map[string][]string{},
		churn:          churnState{every: max(opts.Churn, 0)},
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.faults.Now = s.now
	s.faults.Revoke = func(all bool) { s.realm.Expire(true, all) }
	if opts.ActionDuration == 0 {
		s.actionDuration = 3 * time.Second
	} else if opts.ActionDuration < 0 {
		s.actionDuration = 0
	}
	clients := maps.Clone(opts.Clients)
	if len(clients) == 0 {
		clients = map[string]string{defaultClient: defaultSecret}
	}
	s.realm = realm.New(clients, opts.AccessTokenLifetime, opts.RefreshTokenLifetime, s.now)
	s.SetRateLimit(opts.RateLimit)
	s.guardAPI(opts.Contract)
	n := opts.Instances
	if n == 0 {
		n = 300
	}
	s.seed(max(n, 0))
	return s
}

// Faults is the fault injection of the server: faults armed there apply to
// the requests that follow.
func (s *Server) Faults() *netfault.Injector { return &s.faults }

// Handler returns the http.Handler serving the realm and the API.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in a
// goroutine. It returns the base URL, e.g. "http://127.0.0.1:8080".
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", errors.New("sandbox: already started")
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	host := "127.0.0.1"
	port := ""
	if ta, ok := ln.Addr().(*net.TCPAddr); ok {
		if !ta.IP.IsUnspecified() {
			host = ta.IP.String()
		}
		port = strconv.Itoa(ta.Port)
	} else {
		_, port, _ = net.SplitHostPort(ln.Addr().String())
	}
	errLog := s.log
	if errLog == nil {
		errLog = io.Discard
	}
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(&lockedWriter{mu: &s.logMu, w: errLog}, "sandbox: ", 0),
	}
	s.srv.RegisterOnShutdown(s.faults.Shutdown)
	s.baseURL = "http://" + net.JoinHostPort(host, port)
	go s.srv.Serve(ln) //nolint:errcheck // ErrServerClosed after Close
	return s.baseURL, nil
}

// Close stops the server started by Start (gracefully, for at most 2s).
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return srv.Close()
	}
	return nil
}

// BaseURL is what Start returned ("" before Start).
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// APIURL is BaseURL + "/itcare".
func (s *Server) APIURL() string { return s.BaseURL() + apiPrefix }

// AuthURL is the OIDC issuer, BaseURL + "/auth/realms/cloud".
func (s *Server) AuthURL() string { return s.BaseURL() + realmPath }

// Requests returns a copy of the last MaxRecordedRequests requests
// received, in order.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.requests[max(0, len(s.requests)-MaxRecordedRequests):]
	out := make([]RecordedRequest, len(kept))
	for i, r := range kept {
		out[i] = r.clone()
	}
	return out
}

// recordLocked remembers rec; past twice the window the oldest are dropped
// at once, so that recording stays O(1) on average.
func (s *Server) recordLocked(rec RecordedRequest) {
	if len(s.requests) >= 2*MaxRecordedRequests {
		s.requests = append(make([]RecordedRequest, 0, 2*MaxRecordedRequests), s.requests[len(s.requests)-MaxRecordedRequests+1:]...)
	}
	s.requests = append(s.requests, rec)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// TokenRequests counts the POSTs to the token endpoint, whatever their outcome.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// FailNext makes the next action created for operation ("stop", "start",
// "reset", "delete", "snapshot"; process names such as "stop-instance" work
// too) end in ERROR with message. Calls queue up: each arms one action.
func (s *Server) FailNext(operation, message string) {
	if message == "" {
		message = "simulated failure"
	}
	key := strings.ToLower(strings.TrimSpace(operation))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext[key] = append(s.failNext[key], message)
}

// ExpireAccessTokens invalidates every access token issued so far.
func (s *Server) ExpireAccessTokens() { s.realm.Expire(true, false) }

// ExpireRefreshTokens invalidates every refresh token issued so far.
func (s *Server) ExpireRefreshTokens() { s.realm.Expire(false, true) }

// SetActionDuration changes how long actions created from now on stay
// IN_PROGRESS (0 or negative: they finish at the next request).
func (s *Server) SetActionDuration(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actionDuration = max(d, 0)
}

// AddInstance adds a custom instance and returns its id. Fields not given are
// filled with sandbox defaults; an "id" is kept when it is a free integer,
// else the next id is assigned. time.Time values are written as API dates.
// It panics if inst cannot be encoded as JSON.
func (s *Server) AddInstance(inst map[string]any) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addInstanceLocked(inst)
}

func isDryRun(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get(headerDryRun)), "true")
}

// statusDropped is what the access log shows for a request whose
// connection was closed without an answer (nginx's "no response").
const statusDropped = 444

// statusWriter remembers the status code for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets fault injection take over the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := RecordedRequest{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Query:    r.URL.Query(),
		Header:   r.Header.Clone(),
		Body:     append([]byte(nil), body...),
		Time:     s.now(),
	}
	if auth, ok := rec.Header["Authorization"]; ok {
		redacted := make([]string, len(auth))
		for i, v := range auth {
			redacted[i] = redact.Authorization(v)
		}
		rec.Header["Authorization"] = redacted
	}
	faults := s.faults.Take(r)
	rec.Fault = faults.Kind()
	s.mu.Lock()
	s.recordLocked(rec)
	if r.Method == http.MethodPost && r.URL.Path == tokenPath {
		s.tokenRequests++
	}
	s.mu.Unlock()

	sw := &statusWriter{ResponseWriter: w}
	if isDryRun(r) {
		// Set without canonicalisation so the wire shows "ITCare-DryRun".
		sw.Header()[headerDryRun] = []string{"true"}
	}
	retryAfter := s.begin(r)
	defer s.end(r)
	if retryAfter > 0 {
		rateLimited(sw, retryAfter)
	} else if readErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(readErr, &tooBig) {
			writeReply(sw, apiError(http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "body", "request body larger than 1 MiB"))
		} else {
			writeReply(sw, apiError(http.StatusBadRequest, "INVALID_BODY", "body", "cannot read request body"))
		}
	} else if faults != nil {
		route := func(w http.ResponseWriter, r *http.Request) { s.route(w, r, body) }
		if s.faults.Serve(sw, r, faults, http.HandlerFunc(route)) && sw.status == 0 {
			sw.status = statusDropped
		}
	} else {
		s.route(sw, r, body)
	}
	s.logRequest(r, sw.status, time.Since(start))
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) {
	p := r.URL.Path
	switch {
	case p == statsPath:
		s.serveStats(w, r)
	case p == "/":
		base := s.base(r)
		writeReply(w, jsonReply(http.StatusOK, map[string]any{
			"name": "itcare sandbox", "apiUrl": base + apiPrefix, "authUrl": base + realmPath,
		}))
	case p == realmPath || strings.HasPrefix(p, realmPath+"/"):
		ans := s.realm.Serve(r, body, s.base(r)+realmPath, strings.TrimPrefix(p, realmPath))
		rep := jsonReply(ans.Status, ans.Body)
		rep.header = ans.Header
		writeReply(w, rep)
	case strings.HasPrefix(p, "/auth/"):
		writeReply(w, jsonReply(http.StatusNotFound, map[string]string{"error": "Realm does not exist"}))
	case p == apiPrefix || strings.HasPrefix(p, apiPrefix+"/"):
		s.api.ServeHTTP(w, r)
	default:
		writeReply(w, notFoundPath(p))
	}
}

// base is the URL clients reach this server at: Start's answer, or, when only
// Handler is used (httptest), the request's own host.
func (s *Server) base(r *http.Request) string {
	if b := s.BaseURL(); b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// logRequest writes one access-log line: no headers, no bodies, and query
// values of token-like parameters redacted.
func (s *Server) logRequest(r *http.Request, status int, d time.Duration) {
	if s.log == nil {
		return
	}
	if status == 0 {
		status = http.StatusOK
	}
	target := r.URL.Path
	if q := redact.Query(r.URL); q != "" {
		target += "?" + q
	}
	s.logLine(fmt.Sprintf("%s %s %s %d %s", r.RemoteAddr, r.Method, target, status, d.Round(time.Microsecond)))
}

// logLine writes one dated line to the log, if any.
func (s *Server) logLine(line string) {
	if s.log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = io.WriteString(s.log, formatDate(s.now())+" "+line+"\n")
}
