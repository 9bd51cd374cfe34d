package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// InstancesService reaches /compute/instances.
type InstancesService struct{ c *Client }

const instancesPath = "/compute/instances"

// InstanceFilter holds the documented list filters of /compute/instances
// (itcare-api.md §7.2). Each slice becomes a repeated query parameter.
type InstanceFilter struct {
	Names        []string // "!name" excludes
	Statuses     []string
	Environments []string
	Types        []string
	Families     []string
	Services     []string
	Tags         []string // key:value
	AZ           []string
	IP           []string
}

// Query maps the filter onto the documented query parameter names.
func (f InstanceFilter) Query() url.Values {
	q := url.Values{}
	add := func(name string, vs []string, upper bool) {
		for _, v := range vs {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if upper {
				v = strings.ToUpper(v)
			}
			q.Add(name, v)
		}
	}
	add("names", f.Names, false)
	add("statuses", f.Statuses, true)
	add("environments", f.Environments, true)
	add("types", f.Types, true)
	add("families", f.Families, true)
	add("services", f.Services, false)
	add("tags", f.Tags, false)
	add("az", f.AZ, false)
	add("ip", f.IP, false)
	return q
}

// Validate rejects malformed filter values before any request is sent.
func (f InstanceFilter) Validate() error {
	for _, s := range f.Services {
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("invalid service id %q: want a number", s)
		}
	}
	for _, t := range f.Tags {
		if k, _, ok := strings.Cut(t, ":"); !ok || k == "" {
			return fmt.Errorf("invalid tag %q: want key:value", t)
		}
	}
	for _, n := range f.Names {
		if strings.TrimPrefix(n, "!") == "" {
			return fmt.Errorf("invalid name filter %q", n)
		}
	}
	return nil
}

// ValidateSort checks a sort expression of the form property(,asc|desc).
func ValidateSort(s string) error {
	if s == "" {
		return nil
	}
	prop, dir, hasDir := strings.Cut(s, ",")
	if prop == "" || strings.ContainsAny(prop, " ,") {
		return fmt.Errorf("invalid sort %q: want property or property,asc|desc", s)
	}
	if hasDir && dir != "asc" && dir != "desc" {
		return fmt.Errorf("invalid sort direction %q: want asc or desc", dir)
	}
	return nil
}

// List returns one page, or every page merged when o.All is set.
func (s *InstancesService) List(ctx context.Context, f InstanceFilter, o PageOptions) (*Page[Instance], error) {
	return ListPages[Instance](ctx, s.c, instancesPath, f.Query(), o)
}

// Get returns one instance with its detail fields.
func (s *InstancesService) Get(ctx context.Context, id int64) (*Instance, error) {
	var inst Instance
	if _, err := s.c.Get(ctx, fmt.Sprintf("%s/%d", instancesPath, id), nil, fmt.Sprintf("instance %d", id), &inst); err != nil {
		return nil, err
	}
	return &inst, nil
}

// Resolve turns an id or a name into an instance id. A name is looked up
// through the names filter and must match exactly one instance
// (case-insensitively); otherwise a *ResolveError lists the candidates.
func (s *InstancesService) Resolve(ctx context.Context, idOrName string) (int64, error) {
	return Resolve(ctx, "instance", idOrName, func(ctx context.Context, name string) ([]Named, error) {
		p, err := s.List(ctx, InstanceFilter{Names: []string{name}}, PageOptions{All: true})
		if err != nil {
			return nil, err
		}
		out := make([]Named, len(p.Content))
		for i, in := range p.Content {
			out[i] = Named{ID: in.ID, Name: in.Name, Status: in.Status}
		}
		return out, nil
	})
}

// Operate sends PATCH /compute/instances/{id} {"operation": op}. Only
// "stop" is documented; "start" and "reset" are inferred (docs/api-assumptions.md).
func (s *InstancesService) Operate(ctx context.Context, id int64, op string, options map[string]any) (*Accepted, error) {
	body := map[string]any{"operation": op}
	if len(options) > 0 {
		body["options"] = options
	}
	return s.c.Mutate(ctx, &Request{Method: http.MethodPatch, Path: fmt.Sprintf("%s/%d", instancesPath, id),
		Body: body, Subject: fmt.Sprintf("instance %d", id)})
}

// Delete sends DELETE /compute/instances/{id}, with {"changeReference": ref} when given.
func (s *InstancesService) Delete(ctx context.Context, id int64, changeRef string) (*Accepted, error) {
	r := &Request{Method: http.MethodDelete, Path: fmt.Sprintf("%s/%d", instancesPath, id), Subject: fmt.Sprintf("instance %d", id)}
	if changeRef != "" {
		r.Body = map[string]string{"changeReference": changeRef}
	}
	return s.c.Mutate(ctx, r)
}

// Mutate sends a change and reads its tracking object. In dry-run mode the
// answer must echo ITCare-DryRun: true, else ErrDryRunUnconfirmed is returned
// alongside the parsed answer.
func (c *Client) Mutate(ctx context.Context, r *Request) (*Accepted, error) {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return nil, err
	}
	acc, err := ParseAccepted(resp)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.displayPath(), err)
	}
	if c.dryRun && !resp.DryRunConfirmed() {
		return acc, ErrDryRunUnconfirmed
	}
	return acc, nil
}

// Named is a resource found while resolving a name.
type Named struct {
	ID     int64
	Name   string
	Status string
}

// ResolveError is an unknown or ambiguous name.
type ResolveError struct {
	Kind       string
	Name       string
	Candidates []Named
	Ambiguous  bool
}

func (e *ResolveError) Error() string {
	var b strings.Builder
	if e.Ambiguous {
		fmt.Fprintf(&b, "%q matches %d %ss; use an id:", e.Name, len(e.Candidates), e.Kind)
	} else {
		fmt.Fprintf(&b, "no %s named %q", e.Kind, e.Name)
		if len(e.Candidates) > 0 {
			b.WriteString("; similar names:")
		}
	}
	for _, c := range e.Candidates {
		fmt.Fprintf(&b, "\n  %d\t%s\t%s", c.ID, c.Name, c.Status)
	}
	return b.String()
}

// HTTPStatus makes an unknown name look like a 404 to the output layer.
func (e *ResolveError) HTTPStatus() int {
	if e.Ambiguous {
		return http.StatusConflict
	}
	return http.StatusNotFound
}

func (e *ResolveError) ErrorCode() string { return "" }

// Resolve is the one name-or-id resolution every resource family uses.
func Resolve(ctx context.Context, kind, idOrName string, search func(ctx context.Context, name string) ([]Named, error)) (int64, error) {
	idOrName = strings.TrimSpace(idOrName)
	if idOrName == "" {
		return 0, fmt.Errorf("empty %s id or name", kind)
	}
	if id, err := strconv.ParseInt(idOrName, 10, 64); err == nil {
		return id, nil
	}
	found, err := search(ctx, idOrName)
	if err != nil {
		return 0, err
	}
	var exact []Named
	for _, n := range found {
		if strings.EqualFold(n.Name, idOrName) {
			exact = append(exact, n)
		}
	}
	switch len(exact) {
	case 1:
		return exact[0].ID, nil
	case 0:
		sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
		if len(found) > 10 {
			found = found[:10]
		}
		return 0, &ResolveError{Kind: kind, Name: idOrName, Candidates: found}
	default:
		return 0, &ResolveError{Kind: kind, Name: idOrName, Candidates: exact, Ambiguous: true}
	}
}
