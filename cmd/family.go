package cmd

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/output"
)

// familySpec is a family of the table (internal/family) with what only the
// command line adds: examples and family-specific subcommands. command()
// turns it into `<family> list|get|<operation>...|delete`, all built the
// same way.
type familySpec struct {
	*family.Family
	Columns []output.Column // the table's columns as output columns
	// GetColumns are the columns of get: Columns, then the detail ones.
	GetColumns []output.Column
	familyHelp
}

// familyHelp is the command-line side of a family; a family without one
// gets generated examples.
type familyHelp struct {
	ListExample   string
	GetExample    string
	DeleteExample string
	CreateExample string
	// Sub adds family-specific subcommands (snapshots, nodes...).
	Subcommands func(f *Factory, s *familySpec) []*cobra.Command
}

// lazyFamily is a family's command under the root: a stand-in until build
// replaces it with the real command and its subcommands.
type lazyFamily struct {
	fam   *family.Family
	f     *Factory
	root  *cobra.Command
	cmd   *cobra.Command // the stand-in, then the real command
	built bool
}

// lazyFamilies adds a stand-in for every family of the table to root. A
// stand-in shows in the root's help and completion as the real command
// does (same name and summary; runnable, so listed); it is never run: every
// command line that reaches a family names it (see named).
func lazyFamilies(f *Factory, root *cobra.Command) []*lazyFamily {
	out := make([]*lazyFamily, 0, len(family.All))
	for _, fam := range family.All {
		l := &lazyFamily{fam: fam, f: f, root: root}
		l.cmd = &cobra.Command{
			Use:     fam.Name + " <command>",
			Aliases: fam.Aliases,
			Short:   fam.Short,
			Args:    cobra.ArbitraryArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return fmt.Errorf("internal error: the %s command was not built", fam.Name)
			},
		}
		root.AddCommand(l.cmd)
		out = append(out, l)
	}
	return out
}

// named reports whether args may reach the family: cobra finds a command
// only by its name or an alias given as a word of the line (prefix matching
// is off), so a family whose name is not one of the words is not run, nor
// asked for help or completion. Case is ignored, which may build a family
// needlessly but never misses one.
func (l *lazyFamily) named(args []string) bool {
	if cobra.EnablePrefixMatching {
		return true
	}
	for _, a := range args {
		if strings.EqualFold(a, l.fam.Name) || slices.ContainsFunc(l.fam.Aliases, func(al string) bool { return strings.EqualFold(a, al) }) {
			return true
		}
	}
	return false
}

// build replaces the stand-in with the family's real command.
func (l *lazyFamily) build() {
	if l.built {
		return
	}
	l.built = true
	l.root.RemoveCommand(l.cmd)
	l.cmd = newFamilySpec(l.fam).command(l.f)
	l.root.AddCommand(l.cmd)
	wrapArgs(l.cmd)
}

func newFamilySpec(fam *family.Family) *familySpec {
	s := &familySpec{Family: fam, Columns: outputColumns(fam.Columns), familyHelp: familyHelps[fam.Name]}
	s.GetColumns = append(append([]output.Column{}, s.Columns...), outputColumns(fam.DetailColumns)...)
	if s.ListExample == "" {
		s.ListExample = "  itcare " + fam.Name + " list"
	}
	if s.GetExample == "" {
		s.GetExample = "  itcare " + fam.Name + " get NAME -o yaml"
	}
	if s.CreateExample == "" {
		s.CreateExample = "  itcare " + fam.Name + " create --from-file body.yaml --dry-run"
	}
	if s.DeleteExample == "" {
		s.DeleteExample = "  itcare " + fam.Name + " delete NAME --yes"
	}
	return s
}

// outputColumns converts the table's columns.
func outputColumns(cols []family.Column) []output.Column {
	out := make([]output.Column, len(cols))
	for i, c := range cols {
		out[i] = output.Column{Header: c.Header, Path: c.Path, Wide: c.Wide}
		switch c.Kind {
		case family.Date:
			out[i].Kind = output.Date
		case family.List:
			out[i].Kind = output.List
		case family.Tags:
			out[i].Kind = output.Tags
		case family.Count:
			path := c.Path
			out[i].Value = func(o map[string]any) string { return fmt.Sprint(len(asList(o[path]))) }
		}
	}
	return out
}

// client is the family's API client.
func (s *familySpec) client(c *api.Client) *api.Family { return c.Family(s.Family) }

func (s *familySpec) command(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:         s.Name + " <command>",
		Aliases:     s.Aliases,
		Short:       s.Short,
		Long:        s.Long,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{kindAnnotation: s.Noun.Singular},
	}
	cmd.AddCommand(s.listCmd(f), s.getCmd(f))
	for _, op := range s.Operations {
		if !op.Custom {
			cmd.AddCommand(s.operationCmd(f, op))
		}
	}
	if s.Create != nil {
		cmd.AddCommand(s.createCmd(f))
	}
	if s.Delete != nil {
		cmd.AddCommand(s.deleteCmd(f))
	}
	if s.Subcommands != nil {
		cmd.AddCommand(s.Subcommands(f, s)...)
	}
	completeFamilyTree(cmd, completeFamilyArgs(f, s.client))
	return cmd
}

// flagFilters are the filters offered as flags.
func (s *familySpec) flagFilters() []family.Filter {
	var out []family.Filter
	for _, fl := range s.Filters {
		if fl.Flag != "" {
			out = append(out, fl)
		}
	}
	return out
}

// inferredNote tells users, in the help, that a request is not in the
// ITCare documentation.
const inferredNote = `Inferred: the ITCare documentation does not describe this request; itcare
sends what the API most likely expects (docs/api-assumptions.md).`

// operationNote says in the help, in a user's words, what state the
// resource must be in and ends in, and whether the request is inferred.
func operationNote(kind string, op family.Operation) string {
	var parts []string
	if op.Requires != "" {
		parts = append(parts, fmt.Sprintf("The %s must be %s.", kind, op.Requires))
	}
	if op.After != "" {
		parts = append(parts, fmt.Sprintf("Once the action succeeds it is %s.", op.After))
	}
	if op.Source == family.Inferred {
		parts = append(parts, inferredNote)
	}
	return strings.Join(parts, " ")
}

// deleteNote marks an inferred deletion in the help.
func deleteNote(d *family.Delete) string {
	if d.Source == family.Inferred {
		return "\n" + inferredNote
	}
	return ""
}

// listOptions are the flags of `<family> list`.
type listOptions struct {
	Values    [][]string // per flag filter of the family, in order
	Page      api.PageOptions
	SizeGiven bool          // --size was on the command line
	Watch     bool          // --watch
	Interval  time.Duration // of --watch
}

func (s *familySpec) listCmd(f *Factory) *cobra.Command {
	filters := s.flagFilters()
	opts := &listOptions{Values: make([][]string, len(filters))}
	var w watchFlag
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List " + s.Noun.Plural,
		Long: fmt.Sprintf(`Lists %[1]s, filtered on the server with the documented query parameters.
Repeat a filter flag, or separate values with commas, to match any of them.

Without --all one page is fetched (pages are numbered from 0). With --all every
page is fetched and merged.

Columns: %[2]s.

`+watchHelp, s.Noun.Plural, columnNames(s.Columns)),
		Example: s.ListExample,
		Aliases: []string{"ls"},
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Interval, opts.Watch, err = w.interval(cmd); err != nil {
				return err
			}
			opts.SizeGiven = cmd.Flags().Changed("size")
			return s.runList(cmd.Context(), f, opts)
		},
	}
	for i, fl := range filters {
		cmd.Flags().StringSliceVar(&opts.Values[i], fl.Flag, nil, fl.Usage+" (repeatable)")
	}
	registerPageFlags(cmd, &opts.Page)
	w.register(cmd)
	return cmd
}

// runList checks the filters and paging (usage errors before anything is
// sent), fetches the page(s) and prints them, or watches them.
func (s *familySpec) runList(ctx context.Context, f *Factory, opts *listOptions) error {
	q := url.Values{}
	for i, fl := range s.flagFilters() {
		if i >= len(opts.Values) {
			break
		}
		af := api.Filter{Param: fl.Param, Kind: fl.Kind}
		if fl.Closed {
			af.Values = fl.Values
		}
		if err := af.Add(q, opts.Values[i]); err != nil {
			return &UsageError{Err: err}
		}
	}
	if err := validatePaging(opts.Page, opts.SizeGiven); err != nil {
		return err
	}
	ss, err := f.Session(s.Columns)
	if err != nil {
		return err
	}
	if opts.Watch {
		return s.watchList(ctx, f, ss, q, opts.Page, opts.Interval)
	}
	f.IO.StartProgress(" fetching " + s.Noun.Plural)
	o, stream := opts.Page, (*output.ListStream)(nil)
	if o.All {
		// -o json prints every page as it comes: memory stays flat.
		if stream = ss.P.StreamList(); stream != nil {
			o.Each = func(items any) error { f.IO.StopProgress(); return stream.Add(items) }
		}
	}
	res, err := s.client(ss.C).List(ctx, q, o)
	f.IO.StopProgress()
	if err != nil {
		return err
	}
	if stream != nil {
		return stream.Close()
	}
	if err := ss.P.PrintList(res.Content, s.Columns, s.Noun.Plural); err != nil {
		return err
	}
	if !opts.Page.All {
		ss.P.PrintPageFooter(output.PageShown{Number: res.Number, TotalPages: res.TotalPages, Total: res.TotalElements, Shown: len(res.Content)})
	}
	return nil
}

// getOptions are the argument and flags of `<family> get`.
type getOptions struct {
	Arg      string        // id or name
	Watch    bool          // --watch
	Interval time.Duration // of --watch
}

func (s *familySpec) getCmd(f *Factory) *cobra.Command {
	opts := &getOptions{}
	var w watchFlag
	cmd := &cobra.Command{
		Use:     "get <id|name>",
		Short:   "Show one " + s.Noun.Singular,
		Long:    "Shows one " + s.Noun.Singular + ", by id or name.\n\n" + watchHelp,
		Example: s.GetExample,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Interval, opts.Watch, err = w.interval(cmd); err != nil {
				return err
			}
			opts.Arg = args[0]
			return s.runGet(cmd.Context(), f, opts)
		},
	}
	w.register(cmd)
	return cmd
}

// runGet checks the output options (usage errors before anything is sent),
// finds the resource and prints it, or watches it.
func (s *familySpec) runGet(ctx context.Context, f *Factory, opts *getOptions) error {
	if opts.Watch {
		p, err := f.Printer()
		if err != nil {
			return err
		}
		if err := checkWatchFormat(p); err != nil {
			return err
		}
	}
	t, err := s.resolve(ctx, f, opts.Arg, s.GetColumns)
	if err != nil {
		return err
	}
	if opts.Watch {
		return s.watchGet(ctx, f, t, opts.Interval)
	}
	obj, err := t.fam.Get(ctx, t.id)
	if err != nil {
		return err
	}
	return t.P.PrintObject(obj, s.GetColumns)
}

func (s *familySpec) operationCmd(f *Factory, op family.Operation) *cobra.Command {
	var fl fleetFlags
	filters := s.flagFilters()
	example := fmt.Sprintf("  itcare %[1]s %[2]s NAME", s.Name, op.Name)
	if sel := exampleSelector(filters, op.Requires); sel != "" {
		example += fmt.Sprintf("\n  itcare %[1]s %[2]s %[3]s --yes --max-parallel 5", s.Name, op.Name, sel)
	}
	example += fmt.Sprintf("\n  itcare %[1]s %[2]s ID NAME --yes --no-wait\n  itcare %[1]s %[2]s ID --dry-run", s.Name, op.Name)
	cmd := &cobra.Command{
		Use:     op.Name + " <id|name>... | --FILTER VALUE...",
		Short:   op.Short,
		Long:    op.Short + ". " + operationNote(s.Noun.Singular, op) + fleetHelp(s.Noun.Singular),
		Example: example,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.runFleet(cmd.Context(), f, &fl, args, changeSpec{Op: op.Name, Rule: operationRule(op),
				Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
					return fam.Operate(ctx, id, op.Name, nil)
				}})
		},
	}
	s.registerFleet(cmd, &fl, true)
	return cmd
}

// exampleSelector is a selection for the help's examples: the QA
// environment, with the status the operation requires ("" when any), when
// the family filters on them.
func exampleSelector(filters []family.Filter, requires string) string {
	has := func(flag string) bool {
		return slices.ContainsFunc(filters, func(f family.Filter) bool { return f.Flag == flag })
	}
	if !has("env") {
		return ""
	}
	if requires != "" && has("status") {
		return "--env QA --status " + requires
	}
	return "--env QA"
}

func (s *familySpec) deleteCmd(f *Factory) *cobra.Command {
	var (
		fl        fleetFlags
		changeRef string
	)
	cmd := &cobra.Command{
		Use:   "delete <id|name>... | --FILTER VALUE...",
		Short: "Delete " + s.Noun.A() + " (irreversible)",
		Long: s.Delete.Long + deleteNote(s.Delete) + `

This cannot be undone. On a terminal you are asked to confirm; elsewhere --yes is
required.` + fleetHelp(s.Noun.Singular),
		Example: s.DeleteExample,
		Aliases: []string{"rm"},
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.runFleet(cmd.Context(), f, &fl, args, changeSpec{Op: "delete", Rule: deleteRule(s.Delete),
				Destructive: s.Delete.Confirm,
				Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
					return fam.Delete(ctx, id, changeRef)
				}})
		},
	}
	s.registerFleet(cmd, &fl, true)
	cmd.Flags().StringVar(&changeRef, "change-ref", "", "change reference (e.g. an RFC number) recorded with the deletion")
	return cmd
}

// target is one resolved resource of the family.
type target struct {
	*Session
	fam *api.Family
	id  int64
}

// resolve prepares the session (checking -o against cols) and turns arg, an
// id or a name, into the resource's id; a blank arg is a usage error.
func (s *familySpec) resolve(ctx context.Context, f *Factory, arg string, cols []output.Column) (*target, error) {
	if strings.TrimSpace(arg) == "" {
		return nil, usageErrorf("empty <id|name>: which %s?", s.Noun.Singular)
	}
	ss, err := f.Session(cols)
	if err != nil {
		return nil, err
	}
	fam := s.client(ss.C)
	id, err := fam.Resolve(ctx, arg)
	if err != nil {
		return nil, err
	}
	return &target{Session: ss, fam: fam, id: id}, nil
}

func columnNames(cols []output.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Header
		if c.Wide {
			names[i] += " (wide)"
		}
	}
	return strings.Join(names, ", ")
}

// subGroup is the group of commands on a sub-collection of a resource
// (`instances snapshots`, `kubernetes nodes`).
func subGroup(name, short string, cmds ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{Use: name + " <command>", Short: short, Args: cobra.NoArgs}
	g.AddCommand(cmds...)
	return g
}

// subListCmd lists a sub-collection of one resource, e.g. `kubernetes nodes
// list CLUSTER` (GET {family}/{id}/nodes).
func subListCmd(f *Factory, s *familySpec, use, short, noun string, cols []output.Column, example string, sub ...string) *cobra.Command {
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Aliases: []string{"ls"},
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.runSubList(cmd.Context(), f, args[0], noun, cols, sub...)
		},
	}
}

// runSubList prints the sub-collection sub of the resource arg names.
func (s *familySpec) runSubList(ctx context.Context, f *Factory, arg, noun string, cols []output.Column, sub ...string) error {
	t, err := s.resolve(ctx, f, arg, cols)
	if err != nil {
		return err
	}
	raw, err := t.fam.GetSub(ctx, t.id, sub...)
	if err != nil {
		return err
	}
	items, err := api.ItemsOf(raw)
	if err != nil {
		return err
	}
	return t.P.PrintList(items, cols, noun)
}

// subObjectCmd shows a sub-resource of one resource, e.g. `instances storage
// INSTANCE` (GET {family}/{id}/storage), or one item of a sub-collection when
// the command takes a second argument (`kubernetes nodes get CLUSTER NODE`).
func subObjectCmd(f *Factory, s *familySpec, use, short string, cols []output.Column, example string, sub string, withItem bool) *cobra.Command {
	nargs := 1
	if withItem {
		nargs = 2
	}
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    cobra.ExactArgs(nargs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := &subOptions{Arg: args[0]}
			if withItem {
				opts.Item = args[1]
			}
			return s.runSubObject(cmd.Context(), f, opts, cols, sub)
		},
	}
}

// subOptions are the arguments of a sub-resource command.
type subOptions struct {
	Arg  string // the resource, by id or name
	Item string // an item of the sub-collection, by id or name; "": all of sub
}

// runSubObject prints the sub-resource sub of the resource opts.Arg names,
// or one of its items.
func (s *familySpec) runSubObject(ctx context.Context, f *Factory, opts *subOptions, cols []output.Column, sub string) error {
	t, err := s.resolve(ctx, f, opts.Arg, cols)
	if err != nil {
		return err
	}
	path := []string{sub}
	if opts.Item != "" {
		// The item by id or name, as every resource is.
		item, err := t.fam.ResolveSub(ctx, t.id, strings.TrimSuffix(sub, "s"), sub, opts.Item)
		if err != nil {
			return err
		}
		path = append(path, strconv.FormatInt(item, 10))
	}
	raw, err := t.fam.GetSub(ctx, t.id, path...)
	if err != nil {
		return err
	}
	if len(raw) > 0 && raw[0] == '[' {
		return t.P.PrintList(raw, cols, sub)
	}
	return t.P.PrintObject(raw, cols)
}

// waitFlags are the flags of every command that starts an action.
type waitFlags struct {
	NoWait  bool
	Timeout time.Duration
	Yes     bool
}

func (w *waitFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&w.NoWait, "no-wait", false, "print the action id and return at once instead of waiting")
	cmd.Flags().DurationVar(&w.Timeout, "wait-timeout", 30*time.Minute, "give up waiting after this long (exit 5); the action goes on")
}

func (w *waitFlags) registerYes(cmd *cobra.Command) {
	cmd.Flags().BoolVarP(&w.Yes, "yes", "y", false, "do not ask for confirmation")
}

func (w *waitFlags) validate() error {
	return validateDurations(map[string]time.Duration{"wait-timeout": w.Timeout})
}
