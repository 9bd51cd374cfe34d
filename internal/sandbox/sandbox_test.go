package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/redact"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     *testing.T
	s     *Server
	clock *fakeClock
	base  string
	token string
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	clock := &fakeClock{t: time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	s := New(opts)
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &env{t: t, s: s, clock: clock, base: base}
	if len(opts.Clients) == 0 {
		e.token = e.clientCredentials(defaultClient, defaultSecret)
	}
	return e
}

// tokenCall posts form to the token endpoint with Basic user:pass as given
// (already encoded as the caller wants; "" user means no Authorization).
func (e *env) tokenCall(user, pass string, form url.Values) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.s.AuthURL()+"/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		e.t.Fatalf("token answer is not JSON: %v", err)
	}
	return res.StatusCode, m
}

func (e *env) clientCredentials(id, secret string) string {
	e.t.Helper()
	code, m := e.tokenCall(url.QueryEscape(id), url.QueryEscape(secret), url.Values{"grant_type": {"client_credentials"}})
	if code != 200 {
		e.t.Fatalf("client_credentials: %d %v", code, m)
	}
	return m["access_token"].(string)
}

// request is a request to base+path with the env's bearer token and, when
// body is not "", a JSON body.
func (e *env) request(method, path, body string) *http.Request {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	return req
}

// call sends a request to base+path with the env's bearer token unless
// headers carry an Authorization already ("-" removes it).
func (e *env) call(method, path, body string, headers ...string) (int, http.Header, []byte) {
	e.t.Helper()
	req := e.request(method, path, body)
	req.Header.Set("Accept", "application/vnd.cegedim-it.v1+json, application/json") // as the CLI sends
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Authorization" && headers[i+1] == "-" {
			req.Header.Del("Authorization")
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

func (e *env) getJSON(path string, into any) {
	e.t.Helper()
	code, _, b := e.call(http.MethodGet, path, "")
	if code != 200 {
		e.t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, into); err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
}

// action GETs the action with that id.
func (e *env) action(id any) map[string]any {
	e.t.Helper()
	var a map[string]any
	e.getJSON(fmt.Sprintf("/itcare/actions/%d", num(id)), &a)
	return a
}

type testPage struct {
	Content          []map[string]any `json:"content"`
	TotalElements    int              `json:"totalElements"`
	TotalPages       int              `json:"totalPages"`
	Number           int              `json:"number"`
	Size             int              `json:"size"`
	NumberOfElements int              `json:"numberOfElements"`
	First            bool             `json:"first"`
	Last             bool             `json:"last"`
	Empty            bool             `json:"empty"`
	Sort             map[string]bool  `json:"sort"`
	Pageable         map[string]any   `json:"pageable"`
}

func (e *env) page(query string) testPage {
	e.t.Helper()
	var p testPage
	e.getJSON("/itcare/compute/instances?"+query, &p)
	return p
}

type apiErr struct {
	Status       string `json:"status"`
	ErrorCode    string `json:"errorCode"`
	ErrorDesc    string `json:"errorDesc"`
	ErrorMessage string `json:"errorMessage"`
}

func (e *env) expectError(code int, wantStatus int, h http.Header, b []byte, errorCode, desc string) apiErr {
	e.t.Helper()
	if code != wantStatus {
		e.t.Fatalf("status %d, want %d: %s", code, wantStatus, b)
	}
	if ct := h.Get("Content-Type"); ct != "application/json" {
		e.t.Fatalf("error content type %q", ct)
	}
	var ae apiErr
	if err := json.Unmarshal(b, &ae); err != nil {
		e.t.Fatalf("error body: %v %s", err, b)
	}
	if ae.Status != statusEnum(wantStatus) || ae.ErrorCode != errorCode || (desc != "" && ae.ErrorDesc != desc) || ae.ErrorMessage == "" {
		e.t.Fatalf("error body %+v, want %s/%s/%s", ae, statusEnum(wantStatus), errorCode, desc)
	}
	return ae
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func ids(items []map[string]any) []int64 {
	var out []int64
	for _, m := range items {
		out = append(out, num(m["id"]))
	}
	return out
}

// filterCase is a list query and the items it should keep.
type filterCase struct {
	query string
	want  func(m map[string]any) bool
}

// matching is the items of all that keep keeps, in order.
func matching(all []map[string]any, keep func(m map[string]any) bool) []map[string]any {
	var out []map[string]any
	for _, m := range all {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t, Options{})
	var d map[string]any
	e.getJSON("/auth/realms/cloud/.well-known/openid-configuration", &d)
	if d["issuer"] != e.s.AuthURL() || d["token_endpoint"] != e.s.AuthURL()+"/protocol/openid-connect/token" {
		t.Fatalf("discovery %v", d)
	}
	if e.s.AuthURL() != e.base+"/auth/realms/cloud" || e.s.APIURL() != e.base+"/itcare" {
		t.Fatalf("urls %s %s", e.s.AuthURL(), e.s.APIURL())
	}
	if fmt.Sprint(d["token_endpoint_auth_methods_supported"]) != "[client_secret_basic]" ||
		!slices.Contains(d["grant_types_supported"].([]any), any("client_credentials")) {
		t.Fatalf("discovery %v", d)
	}
	code, _, _ := e.call(http.MethodGet, "/auth/realms/other/.well-known/openid-configuration", "")
	if code != 404 {
		t.Fatalf("other realm: %d", code)
	}
}

func TestTokenGrants(t *testing.T) {
	e := newEnv(t, Options{Clients: map[string]string{"a": "sa", "b": "sb"}})
	code, m := e.tokenCall("a", "sa", url.Values{"grant_type": {"client_credentials"}})
	if code != 200 || m["token_type"] != "bearer" || num(m["expires_in"]) != 1200 || num(m["refresh_expires_in"]) != 7200 ||
		m["scope"] != "profile email" || m["not-before-policy"] != float64(0) {
		t.Fatalf("client_credentials: %d %v", code, m)
	}
	at, rt := m["access_token"].(string), m["refresh_token"].(string)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(at) || at == rt {
		t.Fatalf("tokens %q %q", at, rt)
	}
	// Refresh: new pair, both usable.
	code, m2 := e.tokenCall("a", "sa", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	if code != 200 || m2["access_token"] == at || m2["refresh_token"] == "" {
		t.Fatalf("refresh: %d %v", code, m2)
	}
	e.token = m2["access_token"].(string)
	if code, _, b := e.call("GET", "/itcare/actions", ""); code != 200 {
		t.Fatalf("refreshed token rejected: %d %s", code, b)
	}
	// Another client cannot use a's refresh token.
	code, m = e.tokenCall("b", "sb", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	if code != 400 || m["error"] != "invalid_grant" || m["error_description"] != "Token is not active" {
		t.Fatalf("foreign refresh: %d %v", code, m)
	}
	// Unknown refresh token, missing one, unknown grant, missing grant.
	for _, c := range []struct {
		form url.Values
		err  string
	}{
		{url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}}, "invalid_grant"},
		{url.Values{"grant_type": {"refresh_token"}}, "invalid_request"},
		{url.Values{"grant_type": {"password"}, "username": {"x"}}, "unsupported_grant_type"},
		{url.Values{}, "invalid_request"},
	} {
		code, m := e.tokenCall("a", "sa", c.form)
		if code != 400 || m["error"] != c.err {
			t.Errorf("%v: %d %v", c.form, code, m)
		}
	}
	if n := e.s.TokenRequests(); n != 7 {
		t.Fatalf("TokenRequests %d, want 7", n)
	}
}

func TestBadClientIs401(t *testing.T) {
	e := newEnv(t, Options{})
	for _, c := range [][2]string{{"sandbox-client", "wrong"}, {"nobody", "sandbox-secret"}, {"", ""}} {
		code, m := e.tokenCall(c[0], c[1], url.Values{"grant_type": {"client_credentials"}})
		if code != 401 || m["error"] != "invalid_client" || m["error_description"] != "Invalid client credentials" {
			t.Errorf("%v: %d %v", c, code, m)
		}
	}
	// Credentials in the form body are not client_secret_basic.
	code, m := e.tokenCall("", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {"sandbox-client"}, "client_secret": {"sandbox-secret"}})
	if code != 401 || m["error"] != "invalid_client" {
		t.Fatalf("form credentials: %d %v", code, m)
	}
}

func TestExpiredAndRevokedRefreshTokens(t *testing.T) {
	e := newEnv(t, Options{RefreshTokenLifetime: time.Hour})
	refresh := func() string {
		_, m := e.tokenCall(defaultClient, defaultSecret, url.Values{"grant_type": {"client_credentials"}})
		if num(m["refresh_expires_in"]) != 3600 {
			t.Fatalf("lifetime %v", m["refresh_expires_in"])
		}
		return m["refresh_token"].(string)
	}
	rt := refresh()
	e.clock.Advance(time.Hour)
	code, m := e.tokenCall(defaultClient, defaultSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	if code != 400 || m["error"] != "invalid_grant" || m["error_description"] != "Token is not active" {
		t.Fatalf("expired refresh: %d %v", code, m)
	}
	rt = refresh()
	e.s.ExpireRefreshTokens()
	if code, _ := e.tokenCall(defaultClient, defaultSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}); code != 400 {
		t.Fatalf("revoked refresh: %d", code)
	}
}

func TestBasicAuthEncoding(t *testing.T) {
	const id, secret = "ci client:1", "s3cr+t/with=:colon"
	e := newEnv(t, Options{Clients: map[string]string{id: secret, "plain": "p+a/s=s:word"}})
	// RFC 6749 §2.3.1: both parts form-urlencoded, then base64.
	code, m := e.tokenCall(url.QueryEscape(id), url.QueryEscape(secret), url.Values{"grant_type": {"client_credentials"}})
	if code != 200 {
		t.Fatalf("encoded credentials: %d %v", code, m)
	}
	// Plain (not urlencoded) credentials are accepted too.
	code, m = e.tokenCall("plain", "p+a/s=s:word", url.Values{"grant_type": {"client_credentials"}})
	if code != 200 {
		t.Fatalf("plain credentials: %d %v", code, m)
	}
	code, _ = e.tokenCall("plain", url.QueryEscape("p+a/s=s:word"), url.Values{"grant_type": {"client_credentials"}})
	if code != 200 {
		t.Fatalf("encoded plain-client credentials: %d", code)
	}
	code, _ = e.tokenCall("plain", "p a/s=s:word", url.Values{"grant_type": {"client_credentials"}})
	if code != 401 {
		t.Fatalf("wrong secret accepted: %d", code)
	}
}

func TestAPIRequiresValidBearer(t *testing.T) {
	e := newEnv(t, Options{})
	check := func(what string, headers ...string) {
		t.Helper()
		code, h, b := e.call("GET", "/itcare/compute/instances", "", headers...)
		if code != 401 || len(b) != 0 || h.Get("WWW-Authenticate") != "Bearer" {
			t.Fatalf("%s: %d %q %q", what, code, h.Get("WWW-Authenticate"), b)
		}
	}
	check("no token", "Authorization", "-")
	check("garbage", "Authorization", "Bearer nope")
	check("basic", "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("sandbox-client:sandbox-secret")))
	// Health needs nothing.
	for _, p := range []string{"/itcare/health", "/itcare/api/status"} {
		code, _, b := e.call("GET", p, "", "Authorization", "-")
		if code != 200 || string(b) != `{"status":"UP"}` {
			t.Fatalf("%s: %d %s", p, code, b)
		}
	}
	// Expiry by the clock.
	e.clock.Advance(1199 * time.Second)
	if code, _, _ := e.call("GET", "/itcare/actions", ""); code != 200 {
		t.Fatalf("token expired early: %d", code)
	}
	e.clock.Advance(time.Second)
	check("expired")
	// Revocation.
	e.token = e.clientCredentials(defaultClient, defaultSecret)
	e.s.ExpireAccessTokens()
	check("revoked")
}

func TestPaging(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.page("")
	if p.TotalElements != 300 || p.Size != 20 || p.Number != 0 || len(p.Content) != 20 || !p.First || p.Last || p.TotalPages != 15 {
		t.Fatalf("default page: %+v", p)
	}
	if p.Sort["sorted"] || !p.Sort["unsorted"] || p.Pageable["pageSize"] != float64(20) {
		t.Fatalf("page metadata: %+v %+v", p.Sort, p.Pageable)
	}
	if num(p.Content[0]["id"]) != 10001 || p.Content[0]["name"] != "pdeb12web01" {
		t.Fatalf("first instance %v", p.Content[0])
	}
	seen := map[int64]bool{}
	for n := 0; n < 7; n++ {
		p := e.page(fmt.Sprintf("page=%d&size=50", n))
		if p.TotalPages != 6 || p.Number != n || p.First != (n == 0) || p.Last != (n >= 5) {
			t.Fatalf("page %d: %+v", n, p)
		}
		want := 50
		if n == 6 {
			want = 0
		}
		if len(p.Content) != want || p.NumberOfElements != want || p.Empty != (want == 0) {
			t.Fatalf("page %d has %d items", n, len(p.Content))
		}
		for _, it := range p.Content {
			id := num(it["id"])
			if seen[id] {
				t.Fatalf("instance %d on two pages", id)
			}
			seen[id] = true
			if _, ok := it["storage"]; ok {
				t.Fatal("list items carry detail fields")
			}
		}
	}
	if len(seen) != 300 {
		t.Fatalf("saw %d instances", len(seen))
	}
	p = e.page("size=7&page=42")
	if p.TotalPages != 43 || !p.Last || len(p.Content) != 6 {
		t.Fatalf("short last page: %+v", p)
	}
	if p := e.page("size=5000"); p.Size != 1000 || len(p.Content) != 300 {
		t.Fatalf("size cap: size %d, %d items", p.Size, len(p.Content))
	}
	for _, q := range []string{"page=-1", "page=x", "size=0", "size=-5", "size=abc", "page=1&page=2"} {
		code, h, b := e.call("GET", "/itcare/compute/instances?"+q, "")
		e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", strings.Split(q, "=")[0])
	}
	// Empty result.
	p = e.page("names=no-such-vm")
	if p.TotalElements != 0 || p.TotalPages != 0 || !p.Last || !p.First || !p.Empty || p.Content == nil {
		t.Fatalf("empty page: %+v", p)
	}
}

func TestDeterministicSeed(t *testing.T) {
	a, b := newEnv(t, Options{Instances: 50}), newEnv(t, Options{Instances: 50})
	_, _, ba := a.call("GET", "/itcare/compute/instances?size=50", "")
	_, _, bb := b.call("GET", "/itcare/compute/instances?size=50", "")
	if !bytes.Equal(ba, bb) {
		t.Fatal("seeded data differs between servers")
	}
	if p := newEnv(t, Options{Instances: -1}).page(""); p.TotalElements != 0 {
		t.Fatalf("Instances -1 seeded %d", p.TotalElements)
	}
}

func TestFilters(t *testing.T) {
	e := newEnv(t, Options{})
	all := e.page("size=1000").Content
	str := func(m map[string]any, k string) string { return fmt.Sprint(m[k]) }
	hasTag := func(m map[string]any, k, v string) bool {
		for _, t := range m["tags"].([]any) {
			tm := t.(map[string]any)
			if tm["key"] == k && (v == "" || tm["value"] == v) {
				return true
			}
		}
		return false
	}
	sample := all[7]
	cases := []filterCase{
		{"services=2101", func(m map[string]any) bool { return num(m["serviceId"]) == 2101 }},
		{"services=2101,2102", func(m map[string]any) bool { return num(m["serviceId"]) == 2101 || num(m["serviceId"]) == 2102 }},
		{"services=2101&services=2103", func(m map[string]any) bool { return num(m["serviceId"]) == 2101 || num(m["serviceId"]) == 2103 }},
		{"types=WINDOWS", func(m map[string]any) bool { return m["type"] == "WINDOWS" }},
		{"types=aix", func(m map[string]any) bool { return m["type"] == "AIX" }},
		{"families=DEBIAN,RHEL", func(m map[string]any) bool { return m["family"] == "DEBIAN" || m["family"] == "RHEL" }},
		{"families=CENTOS&families=UBUNTU", func(m map[string]any) bool { return m["family"] == "CENTOS" || m["family"] == "UBUNTU" }},
		{"environments=PRODUCTION", func(m map[string]any) bool { return m["environment"] == "PRODUCTION" }},
		{"environments=QA,DEVELOPMENT", func(m map[string]any) bool { return m["environment"] == "QA" || m["environment"] == "DEVELOPMENT" }},
		{"statuses=INACTIVE", func(m map[string]any) bool { return m["status"] == "INACTIVE" }},
		{"statuses=active", func(m map[string]any) bool { return m["status"] == "ACTIVE" }},
		{"tags=application:itcare", func(m map[string]any) bool { return hasTag(m, "application", "itcare") }},
		{"tags=application:itcare,application:crm", func(m map[string]any) bool {
			return hasTag(m, "application", "itcare") || hasTag(m, "application", "crm")
		}},
		{"tags=application:itcare&tags=criticality:high", func(m map[string]any) bool {
			return hasTag(m, "application", "itcare") && hasTag(m, "criticality", "high")
		}},
		{"tags=criticality:", func(m map[string]any) bool { return hasTag(m, "criticality", "") }},
		{"az=EB-A", func(m map[string]any) bool { return m["labelAvailabilityZone"] == "EB-A" }},
		{"az=ET-A,ET-B", func(m map[string]any) bool { return strings.HasPrefix(str(m, "labelAvailabilityZone"), "ET-") }},
		{"ip=" + str(sample, "ipAddress"), func(m map[string]any) bool { return m["ipAddress"] == sample["ipAddress"] }},
		{"vlan=EB_1125_DMZ8", func(m map[string]any) bool { return m["vlan"] == "EB_1125_DMZ8" }},
		{"clouds=301", func(m map[string]any) bool { return num(m["cloudId"]) == 301 }},
		{"backupStatus=false", func(m map[string]any) bool { return m["backupStatus"] == false }},
		{"recoveryStatus=true", func(m map[string]any) bool { return m["recoveryStatus"] == true }},
		{"includedInPatchParty=false", func(m map[string]any) bool { return m["includedInPatchParty"] == false }},
		{"environments=PRODUCTION&statuses=INACTIVE&types=LINUX", func(m map[string]any) bool {
			return m["environment"] == "PRODUCTION" && m["status"] == "INACTIVE" && m["type"] == "LINUX"
		}},
	}
	for _, c := range cases {
		want := ids(matching(all, c.want))
		got := ids(e.page(c.query + "&size=1000").Content)
		if len(want) == 0 || len(want) == len(all) {
			t.Errorf("%s: %d of %d match: the seed does not exercise this filter", c.query, len(want), len(all))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %d ids, want %d", c.query, len(got), len(want))
		}
	}
	for _, c := range []struct{ query, desc string }{
		{"types=SOLARIS", "types"}, {"services=abc", "services"}, {"clouds=x", "clouds"}, {"tags=novalue", "tags"},
		{"backupStatus=yes", "backupStatus"}, {"names=!", "names"}, {"environments=PROD", "environments"},
	} {
		code, h, b := e.call("GET", "/itcare/compute/instances?"+c.query, "")
		e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", c.desc)
	}
}

func TestNamesExactAndNegation(t *testing.T) {
	e := newEnv(t, Options{})
	names := func(q string) []string {
		var out []string
		for _, m := range e.page(q + "&size=1000").Content {
			out = append(out, m["name"].(string))
		}
		return out
	}
	if got := names("names=pdeb12web01"); !slices.Equal(got, []string{"pdeb12web01"}) {
		t.Fatalf("exact: %v", got)
	}
	if got := names("names=PDEB12WEB01"); !slices.Equal(got, []string{"pdeb12web01"}) {
		t.Fatalf("case-insensitive: %v", got)
	}
	if got := names("names=pdeb12web"); len(got) != 0 {
		t.Fatalf("substring matched: %v", got)
	}
	if got := names("names=pdeb12web01,qrhel9app03"); !slices.Equal(got, []string{"pdeb12web01", "qrhel9app03"}) {
		t.Fatalf("comma list: %v", got)
	}
	if got := names("names=pdeb12web01&names=pdeb12web010"); !slices.Equal(got, []string{"pdeb12web01", "pdeb12web010"}) {
		t.Fatalf("repeated: %v", got)
	}
	if got := names("names=pdeb12web01,!pdeb12web01,pdeb12web010"); !slices.Equal(got, []string{"pdeb12web010"}) {
		t.Fatalf("include and exclude: %v", got)
	}
	got := names("names=!pdeb12web01")
	if len(got) != 299 || slices.Contains(got, "pdeb12web01") || !slices.Contains(got, "pdeb12web010") {
		t.Fatalf("negation: %d names", len(got))
	}
	// Duplicate names through AddInstance.
	a := e.s.AddInstance(map[string]any{"name": "twin01"})
	b := e.s.AddInstance(map[string]any{"name": "twin01", "status": "INACTIVE", "family": "WINDOWS"})
	p := e.page("names=twin01")
	if len(p.Content) != 2 || num(p.Content[0]["id"]) != a || num(p.Content[1]["id"]) != b || a == b {
		t.Fatalf("twins: %v (ids %d %d)", p.Content, a, b)
	}
	if p.Content[1]["type"] != "WINDOWS" || p.Content[1]["status"] != "INACTIVE" || p.Content[0]["ipAddress"] == p.Content[1]["ipAddress"] {
		t.Fatalf("custom fields: %v", p.Content[1])
	}
	var detail map[string]any
	e.getJSON(fmt.Sprintf("/itcare/compute/instances/%d", b), &detail)
	if detail["storage"] == nil || detail["network"] == nil {
		t.Fatalf("custom instance lacks derived fields: %v", detail)
	}
	if id := e.s.AddInstance(map[string]any{"id": 777, "name": "chosen", "creationTime": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}); id != 777 {
		t.Fatalf("chosen id: %d", id)
	}
	e.getJSON("/itcare/compute/instances/777", &detail)
	if detail["creationTime"] != "2024-01-02T05:04:05.000+0200" {
		t.Fatalf("time.Time field: %v", detail["creationTime"])
	}
	if id := e.s.AddInstance(map[string]any{"id": 777}); id == 777 {
		t.Fatal("taken id reused")
	}
}

func TestSort(t *testing.T) {
	e := newEnv(t, Options{})
	field := func(q, k string) []string {
		var out []string
		for _, m := range e.page(q + "&size=1000").Content {
			out = append(out, fmt.Sprint(m[k]))
		}
		return out
	}
	asc := field("sort=name", "name")
	if !slices.IsSortedFunc(asc, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Fatal("name asc not sorted")
	}
	desc := field("sort=name,desc", "name")
	slices.Reverse(desc)
	if !slices.Equal(asc, desc) {
		t.Fatal("name desc is not the reverse of asc")
	}
	p := e.page("sort=cpu,DESC&size=1000")
	for i := 1; i < len(p.Content); i++ {
		a, b := p.Content[i-1], p.Content[i]
		if num(a["cpu"]) < num(b["cpu"]) || (num(a["cpu"]) == num(b["cpu"]) && num(a["id"]) > num(b["id"])) {
			t.Fatalf("cpu desc (ties by id) broken at %d", i)
		}
	}
	if !p.Sort["sorted"] {
		t.Fatal("sort.sorted false")
	}
	if got := field("sort=creationTime,asc", "creationTime"); !slices.IsSorted(got) {
		t.Fatal("creationTime not sorted")
	}
	for _, q := range []string{"sort=nope", "sort=name,sideways", "sort=name&sort=id", "sort=name,asc,id"} {
		code, h, b := e.call("GET", "/itcare/compute/instances?"+q, "")
		e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", "sort")
	}
}

func TestUnknownParametersAndPaths(t *testing.T) {
	e := newEnv(t, Options{})
	code, h, b := e.call("GET", "/itcare/compute/instances?name=pdeb12web01", "")
	e.expectError(code, 400, h, b, "UNKNOWN_PARAMETER", "name")
	code, h, b = e.call("GET", "/itcare/actions?status=SUCCESS", "")
	e.expectError(code, 400, h, b, "UNKNOWN_PARAMETER", "status")
	code, h, b = e.call("GET", "/itcare/compute/instances/10001?verbose=1", "")
	e.expectError(code, 400, h, b, "UNKNOWN_PARAMETER", "verbose")
	code, h, b = e.call("GET", "/itcare/no/such/path", "")
	e.expectError(code, 404, h, b, "NOT_FOUND", "")
	code, h, b = e.call("GET", "/itcare/compute/instances/abc", "")
	e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", "id")
	code, h, b = e.call("GET", "/itcare/compute/instances/42", "")
	ae := e.expectError(code, 404, h, b, "RESOURCE_NOT_FOUND", "id")
	if ae.ErrorMessage != "no such instance 42" || ae.Status != "NOT_FOUND" {
		t.Fatalf("404 body %+v", ae)
	}
	code, h, b = e.call("POST", "/itcare/compute/instances/10001", `{}`)
	e.expectError(code, 405, h, b, "METHOD_NOT_ALLOWED", "")
	if h.Get("Allow") != "GET, PATCH, DELETE" {
		t.Fatalf("Allow %q", h.Get("Allow"))
	}
	code, h, b = e.call("GET", "/itcare/actions/999999", "")
	e.expectError(code, 404, h, b, "RESOURCE_NOT_FOUND", "actionId")
}

func TestInstanceDetailAndSubresources(t *testing.T) {
	e := newEnv(t, Options{})
	var d map[string]any
	e.getJSON("/itcare/compute/instances/10001", &d)
	for _, k := range []string{"id", "name", "type", "family", "status", "environment", "serviceId", "serviceKey", "cloudId",
		"creationUser", "creationTime", "ipAddress", "cpu", "ram", "totalSizeDisks", "labelRegion", "labelAvailabilityZone",
		"availabilityZone", "labelArea", "area", "region", "vlan", "tags", "backupStatus", "recoveryStatus",
		"includedInPatchParty", "network", "storage", "backup", "patchParty", "loadbalancers"} {
		if _, ok := d[k]; !ok {
			t.Errorf("detail lacks %s", k)
		}
	}
	var nets []map[string]any
	e.getJSON("/itcare/compute/instances/10001/networks", &nets)
	if len(nets) != 1 || nets[0]["ipAddress"] != d["ipAddress"] || nets[0]["cidr"] == "" {
		t.Fatalf("networks %v", nets)
	}
	var st map[string]any
	e.getJSON("/itcare/compute/instances/10001/storage", &st)
	if num(st["totalSizeDisks"]) != num(d["totalSizeDisks"]) || len(st["fileSystems"].([]any)) == 0 {
		t.Fatalf("storage %v", st)
	}
	// Snapshots: 204 when none; POST creates one through an action.
	code, h, b := e.call("GET", "/itcare/compute/instances/10001/snapshots", "")
	if code != 204 || len(b) != 0 {
		t.Fatalf("no snapshots: %d %s %v", code, b, h)
	}
	var snaps []map[string]any
	e.getJSON("/itcare/compute/instances/10008/snapshots", &snaps) // seeded (id % 9 == 0)
	if len(snaps) != 1 || snaps[0]["id"] != "10008-snap-1" {
		t.Fatalf("seeded snapshots %v", snaps)
	}
	code, _, b = e.call("POST", "/itcare/compute/instances/10001/snapshots", `{"changeReference":"RFC_1"}`)
	e.expectError(code, 400, http.Header{"Content-Type": {"application/json"}}, b, "INVALID_FIELD_VALUE", "description")
	code, _, b = e.call("POST", "/itcare/compute/instances/10001/snapshots", `{"description":"before upgrade","changeReference":"RFC_1","keep":true}`)
	if code != 202 {
		t.Fatalf("create snapshot: %d %s", code, b)
	}
	var acc map[string]any
	json.Unmarshal(b, &acc)
	e.clock.Advance(3 * time.Second)
	a := e.action(acc["id"])
	if a["status"] != "SUCCESS" || a["process"] != "create-snapshot" {
		t.Fatalf("snapshot action %v", a)
	}
	e.getJSON("/itcare/compute/instances/10001/snapshots", &snaps)
	if len(snaps) != 1 || snaps[0]["description"] != "before upgrade" || snaps[0]["changeReference"] != "RFC_1" {
		t.Fatalf("snapshots %v", snaps)
	}
}

func TestStopLifecycle(t *testing.T) {
	e := newEnv(t, Options{})
	e.clock.Advance(1500 * time.Millisecond) // a non-zero millisecond part
	code, h, b := e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`)
	if code != 202 || h.Get("Content-Type") != "application/json" {
		t.Fatalf("stop: %d %s", code, b)
	}
	var acc map[string]any
	json.Unmarshal(b, &acc)
	if acc["status"] != "IN_PROGRESS" || num(acc["resourceId"]) != 10001 || num(acc["id"]) == 0 || acc["message"] == "" {
		t.Fatalf("tracking body %v", acc)
	}
	id := num(acc["id"])
	var inst map[string]any
	e.getJSON("/itcare/compute/instances/10001", &inst)
	if inst["status"] != "STOPPING" {
		t.Fatalf("during: %v", inst["status"])
	}
	a := e.action(acc["id"])
	if a["status"] != "IN_PROGRESS" || a["completedAt"] != nil || a["process"] != "stop-instance" || a["resourceType"] != "INSTANCE" ||
		a["resourceName"] != "pdeb12web01" || a["submittedBy"] != defaultClient || a["family"] != "DEBIAN" {
		t.Fatalf("in progress action %v", a)
	}
	if a["submittedAt"] != "2025-07-01T12:00:01.500+0200" {
		t.Fatalf("submittedAt %v", a["submittedAt"])
	}
	// A second change while the first runs is a conflict.
	code, h, b = e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"start"}`)
	e.expectError(code, 409, h, b, "ACTION_IN_PROGRESS", "status")
	e.clock.Advance(2999 * time.Millisecond)
	a = e.action(acc["id"])
	if a["status"] != "IN_PROGRESS" {
		t.Fatalf("finished early: %v", a["status"])
	}
	e.clock.Advance(time.Millisecond)
	a = e.action(acc["id"])
	if a["status"] != "SUCCESS" || a["completedAt"] != "2025-07-01T12:00:04.500+0200" || a["lastUpdatedAt"] != a["completedAt"] {
		t.Fatalf("completed action %v", a)
	}
	e.getJSON("/itcare/compute/instances/10001", &inst)
	if inst["status"] != "INACTIVE" {
		t.Fatalf("after stop: %v", inst["status"])
	}
	var list []map[string]any
	e.getJSON("/itcare/actions?resourceId=10001", &list)
	if len(list) != 1 || num(list[0]["id"]) != id {
		t.Fatalf("actions of 10001: %v", list)
	}
	// Stop again: 409; start: back to ACTIVE; unknown operation: 400.
	code, h, b = e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`)
	e.expectError(code, 409, h, b, "INVALID_STATUS", "status")
	code, _, _ = e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"start"}`)
	e.clock.Advance(3 * time.Second)
	e.getJSON("/itcare/compute/instances/10001", &inst)
	if code != 202 || inst["status"] != "ACTIVE" {
		t.Fatalf("start: %d %v", code, inst["status"])
	}
	code, h, b = e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"reboot"}`)
	e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", "operation")
	code, h, b = e.call("PATCH", "/itcare/compute/instances/10001", `{"options":{}}`)
	e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", "operation")
	code, h, b = e.call("PATCH", "/itcare/compute/instances/10001", `{not json`)
	e.expectError(code, 400, h, b, "INVALID_BODY", "body")
	code, h, b = e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`, "Content-Type", "text/plain")
	e.expectError(code, 415, h, b, "UNSUPPORTED_MEDIA_TYPE", "")
	code, h, b = e.call("PATCH", "/itcare/compute/instances/424242", `{"operation":"stop"}`)
	e.expectError(code, 404, h, b, "RESOURCE_NOT_FOUND", "id")
	// reset keeps ACTIVE.
	e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"reset"}`)
	e.getJSON("/itcare/compute/instances/10001", &inst)
	if inst["status"] != "REBOOTING" {
		t.Fatalf("during reset: %v", inst["status"])
	}
	e.clock.Advance(3 * time.Second)
	e.getJSON("/itcare/compute/instances/10001", &inst)
	if inst["status"] != "ACTIVE" {
		t.Fatalf("after reset: %v", inst["status"])
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t, Options{})
	code, h, b := e.call("DELETE", "/itcare/compute/instances/10001", "")
	ae := e.expectError(code, 409, h, b, "INVALID_STATUS", "status")
	if ae.Status != "CONFLICT" {
		t.Fatalf("409 body %+v", ae)
	}
	// 10004 (ewin22sql02) is seeded INACTIVE.
	code, _, b = e.call("DELETE", "/itcare/compute/instances/10004", `{"changeReference":"RFC_123"}`)
	if code != 202 {
		t.Fatalf("delete: %d %s", code, b)
	}
	var inst map[string]any
	e.getJSON("/itcare/compute/instances/10004", &inst)
	if inst["status"] != "DELETING" {
		t.Fatalf("during delete: %v", inst["status"])
	}
	e.clock.Advance(3 * time.Second)
	code, h, b = e.call("GET", "/itcare/compute/instances/10004", "")
	ae = e.expectError(code, 404, h, b, "RESOURCE_NOT_FOUND", "id")
	if ae.ErrorMessage != "no such instance 10004" {
		t.Fatalf("%+v", ae)
	}
	if p := e.page("names=ewin22sql02"); p.TotalElements != 0 {
		t.Fatal("deleted instance still listed")
	}
	var list []map[string]any
	e.getJSON("/itcare/actions?resourceName=ewin22sql02&statuses=SUCCESS", &list)
	if len(list) != 1 || list[0]["process"] != "delete-instance" {
		t.Fatalf("delete action %v", list)
	}
}

func TestFailNext(t *testing.T) {
	e := newEnv(t, Options{ActionDuration: time.Minute})
	e.s.FailNext("stop", "hypervisor refused the shutdown")
	_, _, b := e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`)
	var acc, inst map[string]any
	json.Unmarshal(b, &acc)
	e.clock.Advance(time.Minute)
	a := e.action(acc["id"])
	if a["status"] != "ERROR" || a["message"] != "hypervisor refused the shutdown" || a["completedAt"] == nil {
		t.Fatalf("failed action %v", a)
	}
	e.getJSON("/itcare/compute/instances/10001", &inst)
	if inst["status"] != "ACTIVE" {
		t.Fatalf("instance after failed stop: %v", inst["status"])
	}
	// Only one action was armed.
	_, _, b = e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`)
	json.Unmarshal(b, &acc)
	e.clock.Advance(time.Minute)
	a = e.action(acc["id"])
	if a["status"] != "SUCCESS" {
		t.Fatalf("second stop %v", a)
	}
	// Failing a delete keeps the instance; SetActionDuration(0) finishes at once.
	e.s.SetActionDuration(0)
	e.s.FailNext("delete-instance", "")
	code, _, b := e.call("DELETE", "/itcare/compute/instances/10001", "")
	json.Unmarshal(b, &acc)
	if code != 202 || acc["status"] != "ERROR" || acc["message"] != "simulated failure" {
		t.Fatalf("immediate failed delete: %d %s", code, b)
	}
	e.getJSON("/itcare/compute/instances/10001", &inst)
	if inst["status"] != "INACTIVE" {
		t.Fatalf("after failed delete: %v", inst["status"])
	}
	var errs []map[string]any
	e.getJSON("/itcare/actions?statuses=ERROR&resourceId=10001", &errs)
	if len(errs) != 2 {
		t.Fatalf("ERROR actions of 10001: %d", len(errs))
	}
}

func TestDryRun(t *testing.T) {
	e := newEnv(t, Options{})
	var before []map[string]any
	e.getJSON("/itcare/actions", &before)
	code, h, b := e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`, "ITCare-DryRun", "true")
	if code != 202 || h.Get("ITCare-DryRun") != "true" {
		t.Fatalf("dry run: %d %v %s", code, h, b)
	}
	var body map[string]any
	json.Unmarshal(b, &body)
	if body["dryRun"] != true || body["status"] != "VALIDATED" || body["message"] == "" {
		t.Fatalf("dry-run body %s", b)
	}
	e.s.FailNext("delete", "boom")
	code, h, _ = e.call("DELETE", "/itcare/compute/instances/10004", "", "ITCare-DryRun", "TRUE")
	if code != 202 || h.Get("ITCare-DryRun") != "true" {
		t.Fatalf("dry-run delete: %d", code)
	}
	code, h, _ = e.call("POST", "/itcare/compute/instances/10004/snapshots", `{"description":"x"}`, "ITCare-DryRun", "true")
	if code != 202 || h.Get("ITCare-DryRun") != "true" {
		t.Fatalf("dry-run snapshot: %d", code)
	}
	// Validation still runs.
	code, h, b = e.call("DELETE", "/itcare/compute/instances/10001", "", "ITCare-DryRun", "true")
	e.expectError(code, 409, h, b, "INVALID_STATUS", "status")
	if h.Get("ITCare-DryRun") != "true" {
		t.Fatal("header not echoed on 409")
	}
	code, h, b = e.call("PATCH", "/itcare/compute/instances/42", `{"operation":"stop"}`, "ITCare-DryRun", "true")
	e.expectError(code, 404, h, b, "RESOURCE_NOT_FOUND", "id")
	// Nothing changed.
	e.clock.Advance(10 * time.Second)
	var after []map[string]any
	e.getJSON("/itcare/actions", &after)
	if len(after) != len(before) {
		t.Fatalf("dry runs created %d actions", len(after)-len(before))
	}
	var inst map[string]any
	e.getJSON("/itcare/compute/instances/10001", &inst)
	if inst["status"] != "ACTIVE" {
		t.Fatal("dry run stopped the instance")
	}
	code, _, _ = e.call("GET", "/itcare/compute/instances/10004/snapshots", "")
	if code != 204 {
		t.Fatal("dry run created a snapshot")
	}
	// The armed failure was not consumed by the dry run.
	_, _, b = e.call("DELETE", "/itcare/compute/instances/10004", "")
	json.Unmarshal(b, &body)
	e.clock.Advance(10 * time.Second)
	a := e.action(body["id"])
	if a["status"] != "ERROR" || a["message"] != "boom" {
		t.Fatalf("FailNext consumed by a dry run: %v", a)
	}
	// Echoed on GETs too, and absent without the header.
	_, h, _ = e.call("GET", "/itcare/actions", "", "ITCare-DryRun", "true")
	if h.Get("ITCare-DryRun") != "true" {
		t.Fatal("not echoed on GET")
	}
	_, h, _ = e.call("GET", "/itcare/actions", "")
	if _, ok := h["Itcare-Dryrun"]; ok {
		t.Fatal("echoed without the request header")
	}
}

func TestDateFormat(t *testing.T) {
	e := newEnv(t, Options{})
	re := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$`)
	for _, m := range e.page("size=1000").Content {
		if s, _ := m["creationTime"].(string); !re.MatchString(s) {
			t.Fatalf("creationTime %q", s)
		}
	}
	var acts []map[string]any
	e.getJSON("/itcare/actions", &acts)
	if len(acts) < 5 {
		t.Fatalf("%d seeded actions", len(acts))
	}
	for _, a := range acts {
		for _, k := range []string{"submittedAt", "lastUpdatedAt", "completedAt"} {
			if s, _ := a[k].(string); !re.MatchString(s) {
				t.Fatalf("%s %q", k, s)
			}
		}
	}
	if got := formatDate(time.Date(2016, 6, 1, 10, 27, 19, 0, time.UTC)); got != "2016-06-01T12:27:19.000+0200" {
		t.Fatalf("formatDate %s", got)
	}
}

func TestActionsList(t *testing.T) {
	e := newEnv(t, Options{})
	var all []map[string]any
	e.getJSON("/itcare/actions", &all)
	var ok, failed int
	for _, a := range all {
		switch a["status"] {
		case "SUCCESS":
			ok++
		case "ERROR":
			failed++
		default:
			t.Fatalf("seeded action %v", a)
		}
	}
	if ok == 0 || failed == 0 {
		t.Fatalf("seeded history: %d SUCCESS, %d ERROR", ok, failed)
	}
	var got []map[string]any
	e.getJSON("/itcare/actions?statuses=ERROR", &got)
	if len(got) != failed {
		t.Fatalf("statuses=ERROR: %d", len(got))
	}
	e.getJSON("/itcare/actions?statuses=SUCCESS,ERROR", &got)
	if len(got) != len(all) {
		t.Fatalf("statuses=SUCCESS,ERROR: %d", len(got))
	}
	e.getJSON("/itcare/actions?resourceName=PDEB11OLD01", &got)
	if len(got) != 2 {
		t.Fatalf("resourceName: %d", len(got))
	}
	e.getJSON(fmt.Sprintf("/itcare/actions?requestId=%d", num(all[0]["requestId"])), &got)
	if len(got) != 1 || got[0]["id"] != all[0]["id"] {
		t.Fatalf("requestId: %v", got)
	}
	e.getJSON("/itcare/actions?serviceId=2101", &got)
	if len(got) < 2 {
		t.Fatalf("serviceId: %d", len(got))
	}
	e.getJSON("/itcare/actions?resourceName=nothing", &got)
	if got == nil || len(got) != 0 {
		t.Fatalf("no match must be []: %v", got)
	}
	for _, q := range []string{"statuses=DONE", "resourceId=x", "requestId=1&requestId=2"} {
		code, h, b := e.call("GET", "/itcare/actions?"+q, "")
		e.expectError(code, 400, h, b, "INVALID_FIELD_VALUE", strings.Split(q, "=")[0])
	}
}

func TestRecordingAndLog(t *testing.T) {
	var log bytes.Buffer
	e := newEnv(t, Options{Log: &log})
	e.s.ResetRequests()
	e.call("GET", "/itcare/compute/instances?names=a,b&names=c", "")
	e.call("PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`, "ITCare-DryRun", "true")
	e.call("GET", "/itcare/actions?access_token="+e.token, "")
	reqs := e.s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != "GET" || r.Path != "/itcare/compute/instances" || r.RawQuery != "names=a,b&names=c" ||
		!slices.Equal(r.Query["names"], []string{"a,b", "c"}) || r.Header.Get("Authorization") != redact.Authorization("Bearer "+e.token) || r.Time.IsZero() {
		t.Fatalf("recorded %+v", r)
	}
	if string(reqs[1].Body) != `{"operation":"stop"}` || reqs[1].Header.Get("ITCare-DryRun") != "true" {
		t.Fatalf("recorded body %s", reqs[1].Body)
	}
	reqs[0].Header.Set("Authorization", "changed")
	if e.s.Requests()[0].Header.Get("Authorization") == "changed" {
		t.Fatal("Requests does not copy")
	}
	e.s.ResetRequests()
	if len(e.s.Requests()) != 0 {
		t.Fatal("ResetRequests kept requests")
	}
	if e.s.TokenRequests() != 1 {
		t.Fatalf("TokenRequests %d", e.s.TokenRequests())
	}
	out := log.String()
	if !strings.Contains(out, "GET /itcare/compute/instances?names=a,b&names=c 200") || !strings.Contains(out, "PATCH /itcare/compute/instances/10001 202") {
		t.Fatalf("log:\n%s", out)
	}
	if strings.Contains(out, e.token) || strings.Contains(out, defaultSecret) {
		t.Fatalf("log leaks a secret:\n%s", out)
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, Options{ActionDuration: -1})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := 10001 + i
			for range 5 {
				e.call("GET", "/itcare/compute/instances?size=100&sort=name", "")
				e.call("PATCH", fmt.Sprintf("/itcare/compute/instances/%d", id), `{"operation":"reset"}`)
				e.call("GET", "/itcare/actions", "")
			}
		}()
	}
	wg.Wait()
	if n := len(e.s.Requests()); n != 8*5*3+1 {
		t.Fatalf("%d requests recorded", n)
	}
}

func TestHandlerWithoutStart(t *testing.T) {
	s := New(Options{Instances: 3})
	if s.APIURL() != "/itcare" {
		t.Fatalf("APIURL before Start: %q", s.APIURL())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Start("127.0.0.1:0"); err == nil {
		t.Fatal("second Start succeeded")
	}
	res, err := http.Get(base + "/auth/realms/cloud/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("discovery %d", res.StatusCode)
	}
}

func TestUnknownPathIs404WithoutToken(t *testing.T) {
	e := newEnv(t, Options{})
	code, h, b := e.call("GET", "/itcare/no-such-health", "", "Authorization", "-")
	e.expectError(code, 404, h, b, "NOT_FOUND", "/itcare/no-such-health")
	code, _, _ = e.call("GET", "/itcare/compute/instances/1/storage", "", "Authorization", "-")
	if code != 401 {
		t.Fatalf("known path without token: %d", code)
	}
	code, h, b = e.call("GET", "/nowhere", "", "Authorization", "-")
	e.expectError(code, 404, h, b, "NOT_FOUND", "/nowhere")
}

func TestHandlerOnHTTPTest(t *testing.T) {
	s := New(Options{Instances: 3})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	res, err := http.Get(ts.URL + "/auth/realms/cloud/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var d map[string]any
	json.NewDecoder(res.Body).Decode(&d)
	if d["issuer"] != ts.URL+"/auth/realms/cloud" {
		t.Fatalf("issuer %v, want %s", d["issuer"], ts.URL)
	}
}

// The recorded requests are a bounded window, and an Authorization value is
// never recorded in clear.
func TestRecordedRequestsBoundedAndRedacted(t *testing.T) {
	e := newEnv(t, Options{})
	e.s.ResetRequests()
	e.call("GET", "/itcare/compute/instances?size=1", "")
	e.call("POST", tokenPath, "grant_type=client_credentials", "Content-Type", "application/x-www-form-urlencoded",
		"Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("sandbox-client:sandbox-secret")))
	reqs := e.s.Requests()
	for _, r := range reqs {
		if v := r.Header.Get("Authorization"); strings.Contains(v, e.token) || strings.Contains(v, "c2FuZGJveC1jbGllbnQ6c2FuZGJveC1zZWNyZXQ") {
			t.Fatalf("Authorization recorded in clear: %q", v)
		}
	}
	if got := reqs[0].Header.Get("Authorization"); !strings.HasPrefix(got, "Bearer <redacted:") || got != redact.Authorization("Bearer "+e.token) {
		t.Fatalf("bearer recorded as %q", got)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(reqs[1].Header.Get("Authorization"), "Basic "))
	if user, secret, _ := strings.Cut(string(raw), ":"); user != "sandbox-client" || !strings.HasPrefix(secret, "<redacted:") {
		t.Fatalf("basic recorded as %q", raw)
	}
	if redact.Authorization("Bearer a") == redact.Authorization("Bearer b") {
		t.Fatal("different tokens look the same")
	}

	e.s.mu.Lock()
	for i := range 2*MaxRecordedRequests + 5 {
		e.s.recordLocked(RecordedRequest{Path: fmt.Sprint(i)})
	}
	held := cap(e.s.requests)
	e.s.mu.Unlock()
	reqs = e.s.Requests()
	if len(reqs) != MaxRecordedRequests || reqs[len(reqs)-1].Path != fmt.Sprint(2*MaxRecordedRequests+4) ||
		reqs[0].Path != fmt.Sprint(MaxRecordedRequests+5) || held > 4*MaxRecordedRequests {
		t.Fatalf("window of %d requests, %s..%s, capacity %d", len(reqs), reqs[0].Path, reqs[len(reqs)-1].Path, held)
	}
}
