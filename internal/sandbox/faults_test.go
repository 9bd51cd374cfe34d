package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/netfault"
)

// rawCall sends the request with a client that opens a new connection per
// request, so that net/http never retries a request on its own.
func (e *env) rawCall(method, path, body string, timeout time.Duration) (*http.Response, []byte, error) {
	e.t.Helper()
	req := e.request(method, path, body)
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: timeout}
	res, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

func (e *env) addFault(f netfault.Fault) {
	e.t.Helper()
	if err := e.s.Faults().Add(f); err != nil {
		e.t.Fatal(err)
	}
}

func TestFaultStatusCountAndRecord(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})
	e.addFault(netfault.Fault{Match: "GET /itcare/compute/instances", Kind: netfault.Status, Count: 2, RetryAfter: "1"})
	for i, want := range []int{503, 503, 200, 200} {
		res, _, err := e.rawCall("GET", "/itcare/compute/instances", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i, res.StatusCode, want)
		}
		if ra := res.Header.Get("Retry-After"); (want == 503) != (ra == "1") {
			t.Fatalf("request %d: Retry-After %q", i, ra)
		}
	}
	// Other paths and methods are not affected.
	if res, _, _ := e.rawCall("GET", "/itcare/compute/instances/10001", "", 0); res.StatusCode != 200 {
		t.Fatalf("detail: %d", res.StatusCode)
	}
	applied := e.s.Faults().Applied()
	if len(applied) != 2 || applied[0].Kind != netfault.Status || applied[0].Method != "GET" || applied[0].Path != "/itcare/compute/instances" {
		t.Fatalf("applied %+v", applied)
	}
	var kinds []string
	for _, r := range e.s.Requests() {
		if r.Path == "/itcare/compute/instances" {
			kinds = append(kinds, string(r.Fault))
		}
	}
	if strings.Join(kinds, ",") != "status,status,," {
		t.Fatalf("recorded faults %q", kinds)
	}
	// Count 0: every request until cleared; a path pattern; method-only match.
	e.addFault(netfault.Fault{Match: "/itcare/compute/instances/*", Kind: netfault.Status, Status: 504})
	e.addFault(netfault.Fault{Match: "delete", Kind: netfault.Status, Status: 429})
	for range 3 {
		if res, _, _ := e.rawCall("GET", "/itcare/compute/instances/10002", "", 0); res.StatusCode != 504 {
			t.Fatalf("persistent fault: %d", res.StatusCode)
		}
	}
	if res, _, _ := e.rawCall("GET", "/itcare/compute/instances/10002/storage", "", 0); res.StatusCode != 200 {
		t.Fatalf("* matched two segments: %d", res.StatusCode)
	}
	if res, _, _ := e.rawCall("DELETE", "/itcare/compute/instances/10002/storage", "", 0); res.StatusCode != 429 {
		t.Fatalf("method match: %d", res.StatusCode)
	}
	e.s.Faults().Clear()
	if res, _, _ := e.rawCall("GET", "/itcare/compute/instances/10002", "", 0); res.StatusCode != 200 || len(e.s.Faults().Applied()) != 0 {
		t.Fatalf("after Faults().Clear(): %d %v", res.StatusCode, e.s.Faults().Applied())
	}
	if err := e.s.Faults().Set(netfault.Fault{Kind: netfault.Status, Status: 500, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if res, _, _ := e.rawCall("GET", "/itcare/health", "", 0); res.StatusCode != 500 {
		t.Fatalf("SetFaults: %d", res.StatusCode)
	}
	e.s.Faults().Set()
	if res, _, _ := e.rawCall("GET", "/itcare/health", "", 0); res.StatusCode != 200 {
		t.Fatalf("SetFaults(): %d", res.StatusCode)
	}
}

func TestFaultBodies(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})

	e.addFault(netfault.Fault{Kind: netfault.HTML, Count: 1})
	res, body, err := e.rawCall("GET", "/itcare/compute/instances", "", 0)
	if err != nil || res.StatusCode != 502 || res.Header.Get("Content-Type") != "text/html" ||
		!strings.Contains(string(body), "<title>502 Bad Gateway</title>") {
		t.Fatalf("html: %v %v %q", err, res, body)
	}
	e.addFault(netfault.Fault{Kind: netfault.HTML, Status: 200, Count: 1})
	if res, body, _ := e.rawCall("GET", "/itcare/compute/instances", "", 0); res.StatusCode != 200 || !strings.Contains(string(body), "200 OK") {
		t.Fatalf("html 200: %v %q", res.StatusCode, body)
	}

	_, full, _ := e.rawCall("GET", "/itcare/compute/instances/10001", "", 0)
	e.addFault(netfault.Fault{Kind: netfault.Truncate, Count: 1})
	res, body, err = e.rawCall("GET", "/itcare/compute/instances/10001", "", 0)
	if err != nil || res.StatusCode != 200 || string(body) != string(full[:len(full)/2]) || json.Valid(body) {
		t.Fatalf("truncate: %v %v %d of %d bytes", err, res, len(body), len(full))
	}

	e.addFault(netfault.Fault{Kind: netfault.Cut, Count: 1})
	res, body, err = e.rawCall("GET", "/itcare/compute/instances/10001", "", 0)
	if !errors.Is(err, io.ErrUnexpectedEOF) || res.Header.Get("Content-Length") != strconv.Itoa(len(full)) || len(body) != len(full)/2 {
		t.Fatalf("cut: %v, %d bytes of %d", err, len(body), len(full))
	}

	e.addFault(netfault.Fault{Kind: netfault.Huge, Size: 1 << 20, Count: 1})
	res, body, err = e.rawCall("GET", "/itcare/compute/instances", "", 0)
	if err != nil || res.StatusCode != 200 || len(body) < 1<<20 || !json.Valid(body) {
		t.Fatalf("huge: %v %d bytes, valid %t", err, len(body), json.Valid(body))
	}
}

func TestFaultDropAppliesChangeOnlyAfter(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})
	status := func(id string) string {
		var m map[string]any
		e.getJSON("/itcare/compute/instances/"+id, &m)
		return m["status"].(string)
	}
	e.addFault(netfault.Fault{Match: "PATCH /itcare/compute/instances/*", Kind: netfault.Drop, Count: 1})
	if _, _, err := e.rawCall("PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`, 0); err == nil {
		t.Fatal("drop: got an answer")
	}
	if st := status("10001"); st != "ACTIVE" {
		t.Fatalf("drop changed the instance: %s", st)
	}
	e.addFault(netfault.Fault{Match: "PATCH /itcare/compute/instances/*", Kind: netfault.DropAfter, Count: 1})
	if _, _, err := e.rawCall("PATCH", "/itcare/compute/instances/10001", `{"operation":"stop"}`, 0); err == nil {
		t.Fatal("drop-after: got an answer")
	}
	if st := status("10001"); st != "STOPPING" {
		t.Fatalf("drop-after did not apply the change: %s", st)
	}
	var kinds []netfault.Kind
	for _, r := range e.s.Requests() {
		if r.Method == "PATCH" {
			kinds = append(kinds, r.Fault)
		}
	}
	if len(kinds) != 2 || kinds[0].RunsHandler() || !kinds[1].RunsHandler() {
		t.Fatalf("recorded %v", kinds)
	}
}

func TestFaultLatencyHangAndClose(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})
	e.addFault(netfault.Fault{Kind: netfault.Latency, Latency: 150 * time.Millisecond, Count: 1})
	e.addFault(netfault.Fault{Kind: netfault.Status, Status: 503, Count: 1})
	start := time.Now()
	res, _, err := e.rawCall("GET", "/itcare/health", "", 0)
	if err != nil || res.StatusCode != 503 || time.Since(start) < 150*time.Millisecond {
		t.Fatalf("latency + status: %v %v after %s", err, res, time.Since(start))
	}

	e.addFault(netfault.Fault{Kind: netfault.Hang, Count: 1})
	start = time.Now()
	_, _, err = e.rawCall("GET", "/itcare/health", "", 200*time.Millisecond)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("hang: %v after %s", err, time.Since(start))
	}
	if res, _, err := e.rawCall("GET", "/itcare/health", "", time.Second); err != nil || res.StatusCode != 200 {
		t.Fatalf("after the hang: %v", err)
	}

	// A hang held by a patient client ends when the server closes.
	e.addFault(netfault.Fault{Kind: netfault.Hang})
	done := make(chan error, 1)
	go func() { _, _, err := e.rawCall("GET", "/itcare/health", "", 0); done <- err }()
	time.Sleep(100 * time.Millisecond)
	start = time.Now()
	e.s.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a hung request got an answer")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the hung request outlived Close")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %s with a hung request", d)
	}
}

func TestFaultRevoke(t *testing.T) {
	e := newEnv(t, Options{Instances: 5})
	code, m := e.tokenCall(defaultClient, defaultSecret, map[string][]string{"grant_type": {"client_credentials"}})
	if code != 200 {
		t.Fatal(code)
	}
	e.token = m["access_token"].(string)
	refresh := m["refresh_token"].(string)
	e.addFault(netfault.Fault{Match: "GET /itcare/compute/instances", Kind: netfault.Revoke, Count: 1})
	if res, _, _ := e.rawCall("GET", "/itcare/compute/instances", "", 0); res.StatusCode != 401 {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	code, m = e.tokenCall(defaultClient, defaultSecret, map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	if code != 200 {
		t.Fatalf("refresh after revoke: %d %v", code, m)
	}
	e.token = m["access_token"].(string)
	e.addFault(netfault.Fault{Kind: netfault.RevokeAll, Count: 1})
	if res, _, _ := e.rawCall("GET", "/itcare/compute/instances", "", 0); res.StatusCode != 401 {
		t.Fatalf("revoke-all: %d", res.StatusCode)
	}
	if code, _ := e.tokenCall(defaultClient, defaultSecret, map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}); code != 400 {
		t.Fatalf("refresh after revoke-all: %d", code)
	}
}
