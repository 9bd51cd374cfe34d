package cmd

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/fleet"
	"github.com/itcare-cli/itcare/internal/output"
)

// familySpec declares a resource family; command() turns it into
// `<family> list|get|<operation>...|delete`, all built the same way.
type familySpec struct {
	Use     string // "instances"
	Aliases []string
	Short   string
	Long    string
	Kind    string // singular for messages: "instance"
	Plural  string // "instances"
	Family  func(c *api.Client) *api.Family
	Columns []output.Column
	Filters []filterSpec
	// ListExample and GetExample are shown in the help.
	ListExample string
	GetExample  string
	Operations  []operationSpec
	Delete      *deleteSpec
	// Sub adds family-specific subcommands (snapshots, nodes...).
	Sub func(f *Factory, s *familySpec) []*cobra.Command
}

// filterSpec maps a list flag onto a documented query parameter.
type filterSpec struct {
	Flag  string
	Usage string
	api.Filter
}

// operationSpec is a PATCH {"operation": Name} on one resource.
type operationSpec struct {
	Name  string
	Short string
	Note  string // documented or inferred, shown in the help
	Done  string // past tense for the summary: "stopped"
	Rule  fleet.Rule
}

type deleteSpec struct {
	Long     string
	Example  string
	Requires []string // statuses that allow deletion; empty: any
}

func (s *familySpec) command(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     s.Use + " <command>",
		Aliases: s.Aliases,
		Short:   s.Short,
		Long:    s.Long,
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(s.listCmd(f), s.getCmd(f))
	for _, op := range s.Operations {
		cmd.AddCommand(s.operationCmd(f, op))
	}
	if s.Delete != nil {
		cmd.AddCommand(s.deleteCmd(f))
	}
	if s.Sub != nil {
		cmd.AddCommand(s.Sub(f, s)...)
	}
	completeFamilyTree(cmd, completeFamilyArgs(f, s.Family))
	return cmd
}

func (s *familySpec) listCmd(f *Factory) *cobra.Command {
	values := make([][]string, len(s.Filters))
	var page api.PageOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List " + s.Plural,
		Long: fmt.Sprintf(`Lists %[1]s, filtered on the server with the documented query parameters.
Repeat a filter flag, or separate values with commas, to match any of them.

Without --all one page is fetched (pages are numbered from 0). With --all every
page is fetched and merged.

Columns: %[2]s.`, s.Plural, columnNames(s.Columns)),
		Example: s.ListExample,
		Aliases: []string{"ls"},
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			for i, fs := range s.Filters {
				if err := fs.Add(q, values[i]); err != nil {
					return &UsageError{Err: err}
				}
			}
			if err := validatePaging(page); err != nil {
				return err
			}
			ss, err := f.Session(s.Columns)
			if err != nil {
				return err
			}
			f.IO.StartProgress(" fetching " + s.Plural)
			res, err := s.Family(ss.C).List(cmd.Context(), q, page)
			f.IO.StopProgress()
			if err != nil {
				return err
			}
			if err := ss.P.PrintList(res.Content, s.Columns, s.Plural); err != nil {
				return err
			}
			pageFooter(f, ss.P, page, res.Number, res.TotalPages, res.TotalElements, len(res.Content))
			return nil
		},
	}
	for i, fs := range s.Filters {
		cmd.Flags().StringSliceVar(&values[i], fs.Flag, nil, fs.Usage+" (repeatable)")
	}
	registerPageFlags(cmd, &page)
	return cmd
}

func (s *familySpec) getCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "get <id|name>",
		Short:   "Show one " + s.Kind,
		Example: s.GetExample,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := s.resolve(cmd, f, args[0], s.Columns)
			if err != nil {
				return err
			}
			obj, err := t.fam.Get(cmd.Context(), t.id)
			if err != nil {
				return err
			}
			return t.P.PrintObject(obj, s.Columns)
		},
	}
}

func (s *familySpec) operationCmd(f *Factory, op operationSpec) *cobra.Command {
	var fl fleetFlags
	cmd := &cobra.Command{
		Use:   op.Name + " <id|name>... | --FILTER VALUE...",
		Short: op.Short,
		Long:  op.Short + ". " + op.Note + fleetHelp(s),
		Example: fmt.Sprintf("  itcare %[1]s %[2]s NAME\n  itcare %[1]s %[2]s ID NAME2 --no-wait\n  itcare %[1]s %[2]s --%[3]s VALUE --yes --max-parallel 5\n  itcare %[1]s %[2]s ID --dry-run",
			s.Use, op.Name, s.Filters[len(s.Filters)-1].Flag),
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.runFleet(cmd, f, &fl, args, changeSpec{Op: op.Name, Done: op.Done, Rule: op.Rule, Selectors: true,
				Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
					return fam.Operate(ctx, id, op.Name, nil)
				}})
		},
	}
	s.registerFleet(cmd, &fl, true)
	return cmd
}

// fleetHelp is the part of the help every change command shares.
func fleetHelp(s *familySpec) string {
	return fmt.Sprintf(`

Targets are %[1]s ids or names, several at once, or a selection by the list
filters (every page): not both, and not neither. Names are looked up together
in one list request. A target already in the state the change leads to is
skipped; one whose status does not allow the change is not sent.

With more than one target, or a selection, the plan is shown first and, on a
terminal, confirmed (elsewhere --yes is required). Changes run --max-parallel at
a time; a live board shows each target (plain lines when stderr is not a
terminal), then one summary line. With --no-wait the action ids are printed
and nothing is waited on; with --dry-run the API validates each change and
nothing changes. -o json|yaml prints one result per target (docs/results.md);
the exit code is that of the most severe outcome (docs/exit-codes.md).`, s.Plural)
}

func (s *familySpec) deleteCmd(f *Factory) *cobra.Command {
	var (
		fl        fleetFlags
		changeRef string
	)
	cmd := &cobra.Command{
		Use:   "delete <id|name>... | --FILTER VALUE...",
		Short: "Delete " + article(s.Kind) + " " + s.Kind + " (irreversible)",
		Long: s.Delete.Long + `

This cannot be undone. On a terminal you are asked to confirm; elsewhere --yes is
required.` + fleetHelp(s),
		Example: s.Delete.Example,
		Aliases: []string{"rm"},
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.runFleet(cmd, f, &fl, args, changeSpec{Op: "delete", Done: "deleted", Rule: fleet.Rule{Requires: s.Delete.Requires},
				Destructive: true, Selectors: true,
				Send: func(ctx context.Context, fam *api.Family, id int64) (*api.Accepted, error) {
					return fam.Delete(ctx, id, changeRef)
				}})
		},
	}
	s.registerFleet(cmd, &fl, true)
	cmd.Flags().StringVar(&changeRef, "change-ref", "", "change reference (e.g. an RFC number) recorded with the deletion")
	return cmd
}

// article is "an" before a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}

// target is one resolved resource of the family.
type target struct {
	*Session
	fam *api.Family
	id  int64
}

// resolve prepares the session (checking -o against cols) and turns arg, an
// id or a name, into the resource's id.
func (s *familySpec) resolve(cmd *cobra.Command, f *Factory, arg string, cols []output.Column) (*target, error) {
	ss, err := f.Session(cols)
	if err != nil {
		return nil, err
	}
	fam := s.Family(ss.C)
	id, err := fam.Resolve(cmd.Context(), arg)
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
			t, err := s.resolve(cmd, f, args[0], cols)
			if err != nil {
				return err
			}
			raw, err := t.fam.GetSub(cmd.Context(), t.id, sub...)
			if err != nil {
				return err
			}
			items, err := api.ItemsOf(raw)
			if err != nil {
				return err
			}
			return t.P.PrintList(items, cols, noun)
		},
	}
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
			t, err := s.resolve(cmd, f, args[0], cols)
			if err != nil {
				return err
			}
			path := []string{sub}
			if withItem {
				path = append(path, url.PathEscape(args[1]))
			}
			raw, err := t.fam.GetSub(cmd.Context(), t.id, path...)
			if err != nil {
				return err
			}
			if len(raw) > 0 && raw[0] == '[' {
				return t.P.PrintList(raw, cols, sub)
			}
			return t.P.PrintObject(raw, cols)
		},
	}
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
