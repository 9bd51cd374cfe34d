// Package family is the single declaration of every ITCare resource family:
// its path, its nouns, its resource type, its list filters, its operations,
// its delete rules and its sub-resources, each fact tagged with where it
// comes from. The commands (cmd), the client (internal/api), the sandbox
// and the contract test all derive from this table, so a new family is one
// entry here plus the sandbox's seed data.
//
// It imports only the standard library and knows nothing of HTTP, cobra or
// output: columns are plain data (header, JSON path, kind, wide) converted by
// the command layer.
package family

import "slices"

// Source says where a fact comes from.
type Source string

const (
	// Documented: stated by the API's public documentation.
	Documented Source = "documented"
	// Inferred: not documented; the most likely behaviour, written down in
	// docs/api-assumptions.md and accepted tolerantly.
	Inferred Source = "inferred"
)

// Noun names a kind of resource in messages and help.
type Noun struct {
	Singular string // "instance", "Kubernetes cluster"
	Plural   string // "instances"
	// Article is "a" or "an", for "an instance" and "a Kubernetes cluster".
	Article string
}

// A is the singular with its article: "an instance".
func (n Noun) A() string { return n.Article + " " + n.Singular }

// FilterKind says how a filter's values are checked and written.
type FilterKind int

const (
	Text    FilterKind = iota // sent as given, matched case-insensitively
	Enum                      // upper-cased (ACTIVE, PRODUCTION...)
	Int                       // a number
	Tag                       // key:value
	Name                      // a name, "!" negates
	Bool                      // true or false
	Version                   // a version; the leading "v" is optional
)

// Filter is one list filter of a family: a query parameter of its list
// endpoint.
type Filter struct {
	Param string // query parameter: "statuses"
	Kind  FilterKind
	// Flag is the command-line flag ("status"); "" keeps the filter API-only
	// (accepted by the sandbox and the contract, not offered as a flag).
	Flag  string
	Usage string // flag help, without "(repeatable)"
	// Fields are the resource fields the filter matches (default: none; the
	// sandbox matches names on "name" and tags on "tags").
	Fields []string
	// Values are the known values of an Enum filter; values present in the
	// data are accepted too.
	Values []string
	// Closed: Values is the whole set the documentation fixes, so the
	// client refuses any other value before sending (a usage error). An
	// open set (environments, OS families...) may grow on the server and is
	// sent as given.
	Closed bool
	Source Source
}

// Field is one JSON field of a request body: the options of an operation
// today, the body of a `create` command tomorrow.
type Field struct {
	Key      string   // JSON key: "nodeSizing"
	Type     string   // "string", "integer", "boolean", "array", "object"
	Required bool     // must be given
	Values   []string // allowed values, when they are a closed set
	Pattern  string   // a regular expression the value matches, when known
	Min, Max int      // bounds of an integer (both 0: unbounded)
	Usage    string   // one line of help
	Fields   []Field  // the fields of an object, or of each item of an array
	Source   Source
}

// Operation is a PATCH {path}/{id} {"operation": Name, "options": {...}}.
type Operation struct {
	Name  string // "stop"
	Short string // one line of help: "Stop an active instance"
	// Requires is the status the resource must have ("" : any settled
	// status); the API answers 409 otherwise.
	Requires string
	// During is the status shown while the action runs ("": unchanged).
	During string
	// After is the status once the action succeeded ("": unchanged).
	After string
	// Process is the process code of the action ("stop-instance").
	Process string
	// Options are the fields of "options" (nil: none). Operations with
	// options (create_nodes, a future resize with cpu/ram) declare them here.
	Options []Field
	// Custom: a family-specific command sends it (kubernetes nodes add), not
	// the generic `<family> <operation>` one.
	Custom bool
	Source Source
}

// Delete is DELETE {path}/{id}, with an optional {"changeReference": ...}.
type Delete struct {
	Requires string // status the resource must have ("" : any settled status)
	During   string // status while the deletion runs
	Process  string // "delete-instance"
	Confirm  bool   // destructive: the CLI asks, or wants --yes
	Long     string // help: what the API demands ("The API only deletes INACTIVE instances: stop it first.")
	Source   Source
}

// Sub is a sub-resource of one item: {path}/{id}/{Name}[/{subId}].
type Sub struct {
	Name    string   // "snapshots"
	Methods []string // methods on {path}/{id}/{Name}: "GET", "POST"
	// ItemMethods are the methods on {path}/{id}/{Name}/{subId} (nil: no item path).
	ItemMethods []string
	Source      Source
}

// Create is POST {path} with a body (an extension point: no family declares
// one yet). Fields describe the body, so a `create` command and the
// sandbox's validation derive from them.
type Create struct {
	Fields  []Field
	Process string
	Source  Source
}

// Column is one output column, as plain data: cmd converts it to its own
// output type.
type Column struct {
	Header string
	Path   string     // JSON path in the resource
	Kind   ColumnKind // how the value is shown
	Wide   bool       // only with -o wide
}

// ColumnKind says how a column shows its value.
type ColumnKind string

const (
	Date  ColumnKind = "date"  // an API date
	List  ColumnKind = "list"  // a list joined with ","
	Tags  ColumnKind = "tags"  // {key, value} pairs
	Count ColumnKind = "count" // the length of a list
)

// Family is one resource family.
type Family struct {
	Name    string   // command and lookup name: "instances"
	Aliases []string // "vm", "pg"
	Short   string   // one line of help for the command
	Long    string   // more help, may be ""
	Noun    Noun
	// Columns of list and get (output data, converted by cmd).
	Columns []Column
	// DetailColumns are shown by get only, after Columns: fields of the
	// detail answer that list items lack.
	DetailColumns []Column
	// Path is the list endpoint relative to the API base: "/compute/instances".
	Path       string
	PathSource Source
	// ResourceType is the resourceType of /compute/resources and actions
	// ("INSTANCE"); "" for the index itself.
	ResourceType string
	// Category is the category /compute/resources gives the family.
	Category   string
	Filters    []Filter
	Operations []Operation
	Delete     *Delete
	Create     *Create
	Subs       []Sub
	// Index: the family lists the resources of every other family
	// (/compute/resources).
	Index bool
}

// Methods returns the methods served at {path}/{id}.
func (f *Family) Methods() []string {
	m := []string{"GET"}
	if len(f.Operations) > 0 {
		m = append(m, "PATCH")
	}
	if f.Delete != nil {
		m = append(m, "DELETE")
	}
	return m
}

// Operation returns the operation called name.
func (f *Family) Operation(name string) (Operation, bool) {
	return find(f.Operations, func(o Operation) bool { return o.Name == name })
}

func find[T any](xs []T, match func(T) bool) (T, bool) {
	var zero T
	if i := slices.IndexFunc(xs, match); i >= 0 {
		return xs[i], true
	}
	return zero, false
}

// Filter returns the filter of query parameter param, or nil.
func (f *Family) Filter(param string) *Filter {
	for i := range f.Filters {
		if f.Filters[i].Param == param {
			return &f.Filters[i]
		}
	}
	return nil
}

// Sub returns the sub-resource called name.
func (f *Family) Sub(name string) (Sub, bool) {
	return find(f.Subs, func(s Sub) bool { return s.Name == name })
}

// Params are the query parameters of the list endpoint: the filters' and
// the paging ones.
func (f *Family) Params() []string {
	p := make([]string, 0, len(f.Filters)+3)
	for _, fl := range f.Filters {
		p = append(p, fl.Param)
	}
	return append(p, "page", "size", "sort")
}

// Lookup returns the family called name (or one of its aliases).
func Lookup(name string) (*Family, bool) {
	for _, f := range All {
		if f.Name == name || slices.Contains(f.Aliases, name) {
			return f, true
		}
	}
	return nil, false
}

// MustLookup is Lookup for names known at compile time.
func MustLookup(name string) *Family {
	f, ok := Lookup(name)
	if !ok {
		panic("family: unknown family " + name)
	}
	return f
}

// ByType returns the family of a resource type ("INSTANCE").
func ByType(typ string) (*Family, bool) {
	for _, f := range All {
		if f.ResourceType != "" && f.ResourceType == typ {
			return f, true
		}
	}
	return nil, false
}

// Typed returns the families that have a resource type, in table order: the
// ones /compute/resources indexes.
func Typed() []*Family {
	var out []*Family
	for _, f := range All {
		if f.ResourceType != "" {
			out = append(out, f)
		}
	}
	return out
}

// ResourceTypes returns the resource types of the table, in table order.
func ResourceTypes() []string {
	var out []string
	for _, f := range Typed() {
		out = append(out, f.ResourceType)
	}
	return out
}
