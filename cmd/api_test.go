package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/netfault"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

func lastRequest(t *testing.T, h *harness) sandbox.RecordedRequest {
	t.Helper()
	reqs := h.apiRequests("", "/")
	if len(reqs) == 0 {
		t.Fatal("no API request recorded")
	}
	return reqs[len(reqs)-1]
}

func TestAPIMethodInferenceAndPlacement(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	// GET without fields.
	h.mustRun("api", "/actions")
	if r := lastRequest(t, h); r.Method != "GET" {
		t.Fatalf("method %s", r.Method)
	}
	// -X GET with fields: they go to the query string.
	h.mustRun("api", "-X", "GET", "/actions", "-f", "resourceName=web01", "-f", "statuses[]=SUCCESS", "-f", "statuses[]=ERROR")
	r := lastRequest(t, h)
	if r.Method != "GET" || r.Query.Get("resourceName") != "web01" || strings.Join(r.Query["statuses"], ",") != "SUCCESS,ERROR" {
		t.Fatalf("GET placement: %s %s", r.Method, r.RawQuery)
	}
	// Fields without -X: POST with a JSON body (the sandbox answers what it
	// answers; only the request matters here).
	h.run("api", "/compute/instances/10001/snapshots", "-f", "description=before upgrade", "-F", "keep=true", "-F", "count=3", "-F", "ratio=0.5", "-F", "note=null")
	r = lastRequest(t, h)
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil || r.Method != "POST" {
		t.Fatalf("POST body: %s %s (%v)", r.Method, r.Body, err)
	}
	if body["description"] != "before upgrade" || body["keep"] != true || body["count"] != float64(3) || body["ratio"] != 0.5 || body["note"] != nil {
		t.Fatalf("typed fields: %v", body)
	}
	if _, ok := body["note"]; !ok {
		t.Fatal("null field dropped")
	}
	if r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	// DELETE keeps fields in the query; -X wins over inference.
	h.run("api", "-X", "DELETE", "/compute/instances/10001", "-f", "force=yes")
	h.sb.ResetViolations() // force is not a parameter of the API: the contract refuses it
	r = lastRequest(t, h)
	if r.Method != "DELETE" || r.Query.Get("force") != "yes" || len(r.Body) != 0 {
		t.Fatalf("DELETE placement: %s %s %s", r.Method, r.RawQuery, r.Body)
	}
	// PATCH with nested keys and arrays.
	h.run("api", "-X", "PATCH", "/storage/overdrive/1", "-f", "operation=stop", "-F", "options[force]=true", "-f", "tags[]=a", "-f", "tags[]=b")
	r = lastRequest(t, h)
	json.Unmarshal(r.Body, &body)
	if fmt.Sprint(body["options"]) != "map[force:true]" || fmt.Sprint(body["tags"]) != "[a b]" {
		t.Fatalf("nested: %s", r.Body)
	}
}

func TestAPIDatePlusArrivesIntact(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.run("api", "-X", "GET", "/actions", "-f", "resourceName=2016-06-01T12:27:19.000+0200")
	r := lastRequest(t, h)
	if r.Query.Get("resourceName") != "2016-06-01T12:27:19.000+0200" || !strings.Contains(r.RawQuery, "%2B0200") {
		t.Fatalf("date arrived as %q (raw %s)", r.Query.Get("resourceName"), r.RawQuery)
	}
}

func TestAPIFileAndStdinFields(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	file := filepath.Join(t.TempDir(), "desc.txt")
	os.WriteFile(file, []byte("from a file\n"), 0o600)
	h.stdin = "from stdin"
	h.run("api", "-X", "POST", "/compute/instances/10001/snapshots", "-F", "description=@"+file, "-F", "changeReference=@-")
	r := lastRequest(t, h)
	var body map[string]any
	json.Unmarshal(r.Body, &body)
	if body["description"] != "from a file" || body["changeReference"] != "from stdin" {
		t.Fatalf("body %s", r.Body)
	}
	// --input sends a raw body; fields then go to the query.
	in := filepath.Join(t.TempDir(), "body.json")
	os.WriteFile(in, []byte(`{"operation":"stop"}`), 0o600)
	h.stdin = ""
	h.run("api", "-X", "PATCH", "/compute/instances/10001", "--input", in, "-f", "x=1")
	h.sb.ResetViolations() // x is not a parameter of the API: the contract refuses it
	r = lastRequest(t, h)
	if string(r.Body) != `{"operation":"stop"}` || r.Query.Get("x") != "1" {
		t.Fatalf("input: %s %s", r.Body, r.RawQuery)
	}
}

func TestAPIPaginateMergesPagesAndJQ(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 250})
	h.login()
	r := h.mustRun("api", "-X", "GET", "/compute/instances", "--paginate", "-f", "size=100")
	items := decodeJSON[[]map[string]any](t, r.stdout)
	if len(items) != 250 {
		t.Fatalf("merged %d items, want 250", len(items))
	}
	pages := map[string]bool{}
	for _, req := range h.apiRequests("GET", "/compute/instances") {
		pages[req.Query.Get("page")] = true
	}
	if len(pages) != 3 {
		t.Fatalf("pages fetched: %v", pages)
	}
	r = h.mustRun("api", "-X", "GET", "/compute/instances", "--paginate", "-f", "size=100", "--jq", "length")
	if strings.TrimSpace(r.stdout) != "250" {
		t.Fatalf("jq on merged: %q", r.stdout)
	}
}

func TestAPIIncludeAndHeaders(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.mustRun("api", "/actions", "-i", "-H", "X-Trace: abc")
	if !strings.HasPrefix(r.stdout, "HTTP/1.1 200 OK\n") || !strings.Contains(r.stdout, "Content-Type: ") {
		t.Fatalf("-i output: %q", r.stdout[:min(len(r.stdout), 200)])
	}
	if lastRequest(t, h).Header.Get("X-Trace") != "abc" {
		t.Fatal("header not sent")
	}
	assertCode(t, h.run("api", "/actions", "-H", "bad header"), ExitUsage)
}

func TestAPIRefusesOtherHostsBeforeAnyRequest(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	for _, u := range []string{"https://evil.example/itcare/actions", "http://127.0.0.2:1/itcare/actions"} {
		r := h.run("api", u)
		assertCode(t, r, ExitUsage)
		if !strings.Contains(r.stderr, "refusing to send credentials") {
			t.Fatalf("stderr %s", r.stderr)
		}
	}
	if n := len(h.sb.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	// The configured API host itself is fine.
	h.mustRun("api", h.sb.APIURL()+"/actions?resourceName=x")
	if lastRequest(t, h).Query.Get("resourceName") != "x" {
		t.Fatal("full URL query lost")
	}
}

func TestAPINon2xxExitCodes(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	r := h.run("api", "/compute/instances/424242")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stdout, "NOT_FOUND") || !strings.Contains(r.stderr, "404") {
		t.Fatalf("404: stdout %q stderr %q", r.stdout, r.stderr)
	}
	h.transport = stripAuth{}
	r = h.run("api", "/actions")
	assertCode(t, r, ExitAuth)
	h.sb.ResetViolations() // requests without a bearer token, on purpose
}

func TestAPIWaitOn202AndDryRun(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])
	r := h.mustRun("api", "-X", "PATCH", "/compute/instances/"+id, "-f", "operation=stop", "--wait")
	if !strings.Contains(r.stderr, "SUCCESS") || len(h.apiRequests("GET", "/actions/")) == 0 {
		t.Fatalf("--wait: %s", r.stderr)
	}
	got := decodeJSON[map[string]any](t, h.mustRun("instances", "get", id, "-o", "json").stdout)
	if got["status"] != "INACTIVE" {
		t.Fatalf("status %v", got["status"])
	}
	h.sb.ResetRequests()
	r = h.mustRun("api", "-X", "PATCH", "/compute/instances/"+id, "-f", "operation=start", "--dry-run")
	if lastRequest(t, h).Header.Get("ITCare-DryRun") != "true" || !strings.Contains(r.stderr, "dry run confirmed") {
		t.Fatalf("dry run: %s", r.stderr)
	}
	got = decodeJSON[map[string]any](t, h.mustRun("instances", "get", id, "-o", "json").stdout)
	if got["status"] != "INACTIVE" {
		t.Fatalf("dry run changed the instance")
	}
}

func TestAPIBadInputIsUsageError(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o600)
	for _, args := range [][]string{
		{"api", "/x", "-f", "novalue"},
		{"api", "/x", "-F", "a[b=1"},
		{"api", "/x", "-F", "a=@/no/such/file"},
		{"api", "/x", "--input", "/no/such/file"},
		{"api", "-X", "POST", "/x", "--input", bad},
		{"api", "-X", "POST", "/x", "--paginate"},
		{"api", "/x", "-f", "a=1", "-f", "a=2"},
	} {
		r := h.run(args...)
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d (%s)", args, r.code, r.stderr)
		}
	}
	if n := len(h.sb.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// --paginate promises one merged JSON array: an answer that is not JSON
// (cut by a proxy, say) is an error, not passed through with exit 0.
func TestAPIPaginateRejectsNonJSON(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	f, err := netfault.Parse("GET /itcare/compute/instances=truncatex1")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.sb.Faults().Add(f); err != nil {
		t.Fatal(err)
	}
	r := h.run("api", "/compute/instances", "--paginate")
	assertCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "not the expected JSON") {
		t.Fatalf("stderr %q", r.stderr)
	}
}
