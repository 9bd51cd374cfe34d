package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/itcare-cli/itcare/internal/family"
)

// Object is one resource exactly as the API sent it. JSON/YAML output prints
// it unchanged, so no field is lost; the few fields the CLI reasons about are
// read on demand (Summary), so a list of thousands is parsed once, not twice.
type Object struct {
	Raw json.RawMessage
}

// UnmarshalJSON keeps the object's bytes (encoding/json has already checked them).
func (o *Object) UnmarshalJSON(b []byte) error {
	o.Raw = append(o.Raw[:0], b...)
	return nil
}

// MarshalJSON writes the object as received.
func (o Object) MarshalJSON() ([]byte, error) {
	if len(o.Raw) == 0 {
		return []byte("null"), nil
	}
	return o.Raw, nil
}

// Summary reads the id, name and status of the object.
func (o Object) Summary() Named {
	var v struct {
		ID     json.Number `json:"id"`
		Name   string      `json:"name"`
		Status string      `json:"status"`
	}
	_ = json.Unmarshal(o.Raw, &v)
	id, _ := v.ID.Int64()
	return Named{ID: id, Name: v.Name, Status: v.Status}
}

// Family is one resource family endpoint, such as /compute/instances. Every
// family lists, gets, resolves names, operates (PATCH {"operation": ...}) and
// deletes the same way, so each new family is a declaration, not a copy.
type Family struct {
	c    *Client
	Kind string // singular noun for messages: "instance"
	Path string // "/compute/instances"
	// NameParam is the list filter used to resolve names ("names").
	NameParam string
}

// Family returns the client of a family of the table (internal/family).
func (c *Client) Family(f *family.Family) *Family {
	return &Family{c: c, Kind: f.Noun.Singular, Path: f.Path, NameParam: "names"}
}

func (f *Family) itemPath(id int64, sub ...string) string {
	p := fmt.Sprintf("%s/%d", f.Path, id)
	for _, s := range sub {
		p += "/" + s
	}
	return p
}

func (f *Family) subject(id int64) string { return fmt.Sprintf("%s %d", f.Kind, id) }

// List returns one page, or every page merged when o.All is set.
func (f *Family) List(ctx context.Context, q url.Values, o PageOptions) (*Page[Object], error) {
	return ListPages[Object](ctx, f.c, f.Path, q, o)
}

// Get returns one resource with its detail fields.
func (f *Family) Get(ctx context.Context, id int64) (*Object, error) {
	var obj Object
	if _, err := f.c.Get(ctx, f.itemPath(id), nil, f.subject(id), &obj); err != nil {
		return nil, err
	}
	return &obj, nil
}

// GetSub reads a sub-resource of one item, such as /compute/instances/{id}/storage,
// as raw JSON. An empty answer (204) gives nil.
func (f *Family) GetSub(ctx context.Context, id int64, sub ...string) (json.RawMessage, error) {
	var raw json.RawMessage
	if _, err := f.c.Get(ctx, f.itemPath(id, sub...), nil, f.subject(id)+" "+strings.Join(sub, " "), &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// Resolve turns an id or a name into an id. A name is looked up through the
// names filter and must match exactly one resource (case-insensitively);
// otherwise a *ResolveError lists the candidates.
func (f *Family) Resolve(ctx context.Context, idOrName string) (int64, error) {
	return Resolve(ctx, f.Kind, idOrName, func(ctx context.Context, name string) ([]Named, error) {
		p, err := f.List(ctx, url.Values{f.NameParam: {name}}, PageOptions{All: true})
		if err != nil {
			return nil, err
		}
		out := make([]Named, len(p.Content))
		for i, o := range p.Content {
			out[i] = o.Summary()
		}
		return out, nil
	})
}

// ResolveSub turns the id or name of an item of a sub-collection (a node of
// a cluster: kind "node", sub "nodes") into its id, as Resolve does for
// resources; a name is looked up in GET {path}/{id}/{sub}.
func (f *Family) ResolveSub(ctx context.Context, id int64, kind, sub, idOrName string) (int64, error) {
	return Resolve(ctx, kind, idOrName, func(ctx context.Context, name string) ([]Named, error) {
		list, err := f.SubItems(ctx, id, kind, sub)
		if err != nil {
			return nil, err
		}
		out := make([]Named, len(list))
		for i, o := range list {
			out[i] = o.Summary()
		}
		return out, nil
	})
}

// SubItems reads the items of a sub-collection of one resource (the nodes
// of a cluster: kind "node", sub "nodes").
func (f *Family) SubItems(ctx context.Context, id int64, kind, sub string) ([]Object, error) {
	raw, err := f.GetSub(ctx, id, sub)
	if err != nil {
		return nil, err
	}
	items, err := ItemsOf(raw)
	if err != nil {
		return nil, err
	}
	var list []Object
	if err := json.Unmarshal(items, &list); err != nil {
		return nil, fmt.Errorf("the %ss of %s: %w", kind, f.subject(id), err)
	}
	return list, nil
}

// Operate sends PATCH {path}/{id} {"operation": op, "options": options}.
func (f *Family) Operate(ctx context.Context, id int64, op string, options map[string]any) (*Accepted, error) {
	body := map[string]any{"operation": op}
	if len(options) > 0 {
		body["options"] = options
	}
	return f.c.Mutate(ctx, &Request{Method: http.MethodPatch, Path: f.itemPath(id), Body: body, Subject: f.subject(id)})
}

// Create sends POST {path}/{id}/{sub...} with body.
func (f *Family) Create(ctx context.Context, id int64, body any, sub ...string) (*Accepted, error) {
	return f.c.Mutate(ctx, &Request{Method: http.MethodPost, Path: f.itemPath(id, sub...), Body: body, Subject: f.subject(id)})
}

// CreateResource sends POST {path} with body: the creation of a resource.
func (f *Family) CreateResource(ctx context.Context, body map[string]any) (*Accepted, error) {
	return f.c.Mutate(ctx, &Request{Method: http.MethodPost, Path: f.Path, Body: body, Subject: "new " + f.Kind})
}

// Created returns the resource a creation made: by the id the API gave
// (the tracking object's resourceId), else by its name.
func (f *Family) Created(ctx context.Context, id int64, name string) (*Object, error) {
	if id == 0 {
		var err error
		if id, err = f.Resolve(ctx, name); err != nil {
			return nil, err
		}
	}
	return f.Get(ctx, id)
}

// Delete sends DELETE {path}/{id}[/{sub...}], with {"changeReference": ref} when given.
func (f *Family) Delete(ctx context.Context, id int64, changeRef string, sub ...string) (*Accepted, error) {
	r := &Request{Method: http.MethodDelete, Path: f.itemPath(id, sub...), Subject: f.subject(id)}
	if len(sub) > 0 {
		r.Subject += " " + strings.Join(sub, " ")
	}
	if changeRef != "" {
		r.Body = map[string]string{"changeReference": changeRef}
	}
	return f.c.Mutate(ctx, r)
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
		return nil, fmt.Errorf("%s %s: the API accepted the change (%d) but its answer cannot be read: %w; %s",
			r.Method, r.displayPath(), resp.StatusCode, err, MaybeAppliedNote)
	}
	return acc, c.checkDryRun(resp)
}

// FilterKind says how a filter's values are checked and written (the
// table's kinds).
type FilterKind = family.FilterKind

const (
	FilterText = family.Text // sent as given
	FilterEnum = family.Enum // upper-cased (ACTIVE, PRODUCTION...)
	FilterInt  = family.Int  // a number
	FilterTag  = family.Tag  // key:value
	FilterName = family.Name // a name, "!" negates
	FilterBool = family.Bool // true or false
)

// Filter is one documented list filter: a query parameter, its kind and,
// for a closed set the documentation fixes, its only values.
type Filter struct {
	Param  string
	Kind   FilterKind
	Values []string // closed set (upper case); nil: any value is sent
}

// Add validates values and appends them to q as repeated parameters
// (names=a&names=b, which Spring reads like names=a,b).
func (f Filter) Add(q url.Values, values []string) error {
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		switch f.Kind {
		case FilterEnum:
			v = strings.ToUpper(v)
			if f.Values != nil && !slices.Contains(f.Values, v) {
				return fmt.Errorf("invalid %s %q: want one of %s", f.Param, v, strings.Join(f.Values, ", "))
			}
		case FilterInt:
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return fmt.Errorf("invalid %s %q: want a number", f.Param, v)
			}
		case FilterTag:
			if k, _, ok := strings.Cut(v, ":"); !ok || k == "" {
				return fmt.Errorf("invalid tag %q: want key:value", v)
			}
		case FilterName:
			if strings.TrimPrefix(v, "!") == "" {
				return fmt.Errorf("invalid name filter %q", v)
			}
		case FilterBool:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("invalid %s %q: want true or false", f.Param, v)
			}
			v = strconv.FormatBool(b)
		}
		q.Add(f.Param, v)
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
		return 0, inputErrorf("empty %s id or name", kind)
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
