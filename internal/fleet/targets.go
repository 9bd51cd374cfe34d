// Package fleet runs one change on many resources of a family: it resolves
// the targets (ids, names or a selector) with as few list requests as
// possible, sorts out the ones already in the state the change leads to or
// whose status does not allow it, and sends the rest with bounded
// concurrency, waiting for each action. It knows nothing of cobra or
// terminals: it reports state changes through a callback and returns one
// Result per target.
package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/itcare-cli/itcare/internal/api"
)

// Target is one resolved resource.
type Target struct {
	ID     int64
	Name   string
	Status string // "" when the API did not say
	Arg    string // as given on the command line ("" for a selector)
}

// Label names the target for people: its name, else its id.
func (t Target) Label() string {
	if t.Name != "" {
		return t.Name
	}
	return strconv.FormatInt(t.ID, 10)
}

// Problem is a command-line target that did not resolve to one resource.
type Problem struct {
	Arg string
	Err error
}

// Source is what resolution needs of a family: its list and its get.
type Source interface {
	List(ctx context.Context, q url.Values, o api.PageOptions) (*api.Page[api.Object], error)
	Get(ctx context.Context, id int64) (*api.Object, error)
}

// NamesPerRequest bounds how many names go into one list request
// (names=a&names=b...), keeping the URL well under common limits.
const NamesPerRequest = 50

// MaxTargets bounds how many resources one command acts on, so a selector
// on a server that never stops paging cannot exhaust memory.
const MaxTargets = 100000

// Resolve turns command-line ids and names into targets. All the names go
// into one list request (NamesPerRequest at a time, every page); ids are
// read one by one (parallel at most at a time) for their name and status.
// Duplicates, by id, are dropped. Every argument that is unknown or
// ambiguous is a Problem; err is a failure to ask at all.
func Resolve(ctx context.Context, src Source, kind, nameParam string, args []string, parallel int) ([]Target, []Problem, error) {
	if parallel < 1 {
		parallel = 1
	}
	type slot struct {
		t   Target
		err error
	}
	slots := make([]slot, len(args))
	var names []string
	nameIdx := map[string][]int{} // lower-cased name -> positions
	var ids []int
	for i, a := range args {
		a = strings.TrimSpace(a)
		slots[i].t.Arg = a
		switch id, err := strconv.ParseInt(a, 10, 64); {
		case a == "":
			slots[i].err = fmt.Errorf("empty %s id or name", kind)
		case err == nil:
			slots[i].t.ID = id
			ids = append(ids, i)
		default:
			k := strings.ToLower(a)
			if _, seen := nameIdx[k]; !seen {
				names = append(names, a)
			}
			nameIdx[k] = append(nameIdx[k], i)
		}
	}

	// Names: one list request per NamesPerRequest names.
	found := map[string][]api.Named{}
	var similar []api.Named
	for start := 0; start < len(names); start += NamesPerRequest {
		chunk := names[start:min(start+NamesPerRequest, len(names))]
		p, err := src.List(ctx, url.Values{nameParam: chunk}, api.PageOptions{All: true, Concurrency: parallel})
		if err != nil {
			return nil, nil, err
		}
		for _, o := range p.Content {
			n := o.Summary()
			k := strings.ToLower(n.Name)
			if _, asked := nameIdx[k]; asked {
				found[k] = append(found[k], n)
			} else {
				similar = append(similar, n)
			}
		}
	}
	for k, idx := range nameIdx {
		var err error
		var t Target
		switch m := found[k]; len(m) {
		case 1:
			t = Target{ID: m[0].ID, Name: m[0].Name, Status: m[0].Status}
		case 0:
			arg := slots[idx[0]].t.Arg
			err = &api.ResolveError{Kind: kind, Name: arg, Candidates: similarTo(arg, similar)}
		default:
			err = &api.ResolveError{Kind: kind, Name: slots[idx[0]].t.Arg, Candidates: m, Ambiguous: true}
		}
		for _, i := range idx {
			t.Arg = slots[i].t.Arg
			slots[i].t, slots[i].err = t, err
		}
	}

	// Ids: read each one, at most parallel at a time.
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for _, i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			obj, err := src.Get(ctx, slots[i].t.ID)
			if err != nil {
				slots[i].err = err
				return
			}
			n := obj.Summary()
			slots[i].t.Name, slots[i].t.Status = n.Name, n.Status
		}(i)
	}
	wg.Wait()

	var targets []Target
	var problems []Problem
	seen := map[int64]bool{}
	for _, s := range slots {
		if s.err != nil {
			var he *api.HTTPError
			if errors.As(s.err, &he) && he.StatusCode != http.StatusNotFound {
				return nil, nil, s.err // not a problem of this argument: the request failed
			}
			problems = append(problems, Problem{Arg: s.t.Arg, Err: s.err})
			continue
		}
		if !seen[s.t.ID] {
			seen[s.t.ID] = true
			targets = append(targets, s.t)
		}
	}
	return targets, problems, nil
}

// similarTo picks, among names the list returned that were not asked for,
// the ones containing arg (the API may match names by substring).
func similarTo(arg string, from []api.Named) []api.Named {
	var out []api.Named
	for _, n := range from {
		if strings.Contains(strings.ToLower(n.Name), strings.ToLower(arg)) {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

// Select returns every resource matching the list filters q, all pages
// (at most parallel requests at a time).
func Select(ctx context.Context, src Source, q url.Values, parallel int) ([]Target, error) {
	p, err := src.List(ctx, q, api.PageOptions{All: true, Concurrency: max(parallel, 1)})
	if err != nil {
		return nil, err
	}
	if len(p.Content) > MaxTargets {
		return nil, fmt.Errorf("the selection matches %d resources, more than the %d one command acts on", len(p.Content), MaxTargets)
	}
	out := make([]Target, 0, len(p.Content))
	seen := map[int64]bool{}
	for _, o := range p.Content {
		n := o.Summary()
		if seen[n.ID] {
			continue
		}
		seen[n.ID] = true
		out = append(out, Target{ID: n.ID, Name: n.Name, Status: n.Status})
	}
	return out, nil
}

// Items is a Source over items already read (the nodes of a cluster): their
// ids and names resolve as a family's do, without another request.
func Items(items []api.Object) Source { return itemSource(items) }

type itemSource []api.Object

func (s itemSource) List(context.Context, url.Values, api.PageOptions) (*api.Page[api.Object], error) {
	return &api.Page[api.Object]{Content: s, Last: true}, nil
}

func (s itemSource) Get(_ context.Context, id int64) (*api.Object, error) {
	for i := range s {
		if s[i].Summary().ID == id {
			return &s[i], nil
		}
	}
	return nil, &api.HTTPError{StatusCode: http.StatusNotFound, Subject: fmt.Sprintf("item %d", id)}
}

// PickItems picks, among items already read (the snapshots of an
// instance), those args name by id or by name (case-insensitive). Their ids
// may be strings ("10001-snap-3"), which targets cannot hold: targets get
// positional ids (from 1), and ids maps each back to the item's own id. An
// item named twice is one target; an unknown one is a problem.
func PickItems(items []api.Object, kind string, args []string) (targets []Target, problems []Problem, ids map[int64]string) {
	decoded := make([]map[string]any, len(items))
	for i, it := range items {
		// Numbers as written: an id of 1000000 stays "1000000" (not 1e+06).
		d := json.NewDecoder(bytes.NewReader(it.Raw))
		d.UseNumber()
		_ = d.Decode(&decoded[i]) // not an object: an item nothing can name
	}
	ids = map[int64]string{}
	for _, a := range args {
		found := -1
		for i, it := range decoded {
			if a == fmt.Sprint(it["id"]) || strings.EqualFold(a, fmt.Sprint(it["name"])) {
				found = i
				break
			}
		}
		if found < 0 {
			problems = append(problems, Problem{Arg: a, Err: fmt.Errorf("no %s named %q", kind, a)})
			continue
		}
		pos := int64(found + 1)
		if _, dup := ids[pos]; dup {
			continue
		}
		it := decoded[found]
		ids[pos] = fmt.Sprint(it["id"])
		name := fmt.Sprint(it["name"])
		if it["name"] == nil {
			name = ids[pos]
		}
		status, _ := it["status"].(string)
		targets = append(targets, Target{ID: pos, Name: name, Status: status, Arg: a})
	}
	return targets, problems, ids
}
