package fleet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/itcare-cli/itcare/internal/api"
)

// fakeSource serves resources by name and id, counting its calls.
type fakeSource struct {
	mu    sync.Mutex
	items []api.Named
	lists []url.Values
	gets  int
	fail  error
	// concurrency is the bound of parallel page requests of each list
	concurrency []int
}

func obj(n api.Named) api.Object {
	return api.Object{Raw: []byte(fmt.Sprintf(`{"id":%d,"name":%q,"status":%q}`, n.ID, n.Name, n.Status))}
}

func (f *fakeSource) List(_ context.Context, q url.Values, o api.PageOptions) (*api.Page[api.Object], error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.concurrency = append(f.concurrency, o.Concurrency)
	f.lists = append(f.lists, q)
	if f.fail != nil {
		return nil, f.fail
	}
	p := &api.Page[api.Object]{Last: true}
	for _, it := range f.items {
		for _, n := range q["names"] {
			if strings.Contains(strings.ToLower(it.Name), strings.ToLower(n)) { // substring, as the API may
				p.Content = append(p.Content, obj(it))
				break
			}
		}
		if q.Get("statuses") != "" && q.Get("statuses") == it.Status {
			p.Content = append(p.Content, obj(it))
		}
	}
	return p, nil
}

func (f *fakeSource) Get(_ context.Context, id int64) (*api.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	for _, it := range f.items {
		if it.ID == id {
			o := obj(it)
			return &o, nil
		}
	}
	return nil, &api.HTTPError{StatusCode: http.StatusNotFound, Subject: fmt.Sprintf("instance %d", id)}
}

func TestResolveBatchesNamesDedupesAndReportsProblems(t *testing.T) {
	src := &fakeSource{}
	var args []string
	for i := 0; i < 120; i++ {
		src.items = append(src.items, api.Named{ID: int64(1000 + i), Name: fmt.Sprintf("web%03d", i), Status: "ACTIVE"})
		args = append(args, fmt.Sprintf("web%03d", i))
	}
	src.items = append(src.items, api.Named{ID: 2000, Name: "twin", Status: "ACTIVE"}, api.Named{ID: 2001, Name: "TWIN", Status: "INACTIVE"})
	args = append(args, "WEB000", "1000", "1001", "twin", "nosuch", "99")
	targets, problems, err := Resolve(context.Background(), src, "instance", "names", args, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(src.lists) != 3 { // 120 + 2 distinct names, 50 a request
		t.Fatalf("%d list requests for 123 names, want 3", len(src.lists))
	}
	if src.concurrency[0] != 4 { // pages fetched at most --max-parallel at a time
		t.Fatalf("pages fetched %d at a time, want 4", src.concurrency[0])
	}
	if len(targets) != 120 || targets[0].Name != "web000" || targets[0].Status != "ACTIVE" {
		t.Fatalf("%d targets, first %+v", len(targets), targets[0])
	}
	if src.gets != 3 {
		t.Fatalf("%d gets for 3 ids", src.gets)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Arg)
	}
	if strings.Join(got, ",") != "twin,nosuch,99" {
		t.Fatalf("problems %v", got)
	}
	var re *api.ResolveError
	if !errors.As(problems[0].Err, &re) || !re.Ambiguous || len(re.Candidates) != 2 {
		t.Fatalf("twin: %v", problems[0].Err)
	}
	// A failed list is the command's error, not a problem of a name.
	src.fail = &api.HTTPError{StatusCode: 500}
	if _, _, err := Resolve(context.Background(), src, "instance", "names", []string{"web001"}, 1); err == nil {
		t.Fatal("a failed list request was not an error")
	}
}

func TestSelectAndPlan(t *testing.T) {
	src := &fakeSource{items: []api.Named{{ID: 1, Name: "a", Status: "ACTIVE"}, {ID: 2, Name: "b", Status: "ACTIVE"}}}
	targets, err := Select(context.Background(), src, url.Values{"statuses": {"ACTIVE"}}, 2)
	if err != nil || len(targets) != 2 {
		t.Fatalf("%v %v", targets, err)
	}
	targets = append(targets, Target{ID: 3, Name: "c", Status: "INACTIVE"}, Target{ID: 4, Name: "d", Status: "DELETING"}, Target{ID: 5})
	send, settled := Plan("stop", Rule{Requires: []string{"ACTIVE"}, Leads: "INACTIVE"}, targets)
	if len(send) != 3 || send[2].ID != 5 { // an unknown status is sent
		t.Fatalf("send %v", send)
	}
	if len(settled) != 2 || settled[0].Outcome != Skipped || settled[0].Message != "already INACTIVE" ||
		settled[1].Outcome != Failed || settled[1].Message != "is DELETING; stop requires ACTIVE" || settled[1].Err == nil {
		t.Fatalf("settled %+v", settled)
	}
	// reset leads to the status it requires: never skipped.
	if out, _ := (Rule{Requires: []string{"ACTIVE"}, Leads: "ACTIVE"}).Check("reset", "ACTIVE"); out != "" {
		t.Fatalf("reset of an ACTIVE instance: %s", out)
	}
}

// PickItems names items by their own id (a string or a large number, kept
// as written) or by name, each once.
func TestPickItems(t *testing.T) {
	items := []api.Object{
		{Raw: []byte(`{"id":"10001-snap-3","name":"before-upgrade","status":"AVAILABLE"}`)},
		{Raw: []byte(`{"id":1000000}`)},
	}
	targets, problems, ids := PickItems(items, "snapshot", []string{"BEFORE-upgrade", "1000000", "10001-snap-3", "ghost"})
	if len(targets) != 2 || targets[0].Name != "before-upgrade" || targets[0].Status != "AVAILABLE" || targets[1].Name != "1000000" {
		t.Fatalf("targets %+v", targets)
	}
	if ids[targets[0].ID] != "10001-snap-3" || ids[targets[1].ID] != "1000000" {
		t.Fatalf("ids %v", ids)
	}
	if len(problems) != 1 || problems[0].Arg != "ghost" || problems[0].Err.Error() != `no snapshot named "ghost"` {
		t.Fatalf("problems %+v", problems)
	}
}
