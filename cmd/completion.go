package cmd

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/auth"
	"github.com/itcare-cli/itcare/internal/compcache"
	"github.com/itcare-cli/itcare/internal/config"
	"github.com/itcare-cli/itcare/internal/output"
)

// completionTimeout bounds every API call made to complete one word: a shell
// waiting on a TAB must not hang on a slow or unreachable API (a variable for
// tests).
var completionTimeout = 2 * time.Second

// Bounds of the instance listing used for completion: pages of
// completionPageSize, at most completionMaxPages of them (within
// completionTimeout in any case).
const (
	completionPageSize = 200
	completionMaxPages = 5
)

// Shells whose completion script `itcare completion` prints.
var completionShells = []cobra.Completion{
	cobra.CompletionWithDesc("bash", "Bash 4.1 or later, with the bash-completion package"),
	cobra.CompletionWithDesc("zsh", "Z shell"),
	cobra.CompletionWithDesc("fish", "fish shell"),
	cobra.CompletionWithDesc("powershell", "PowerShell 5 or later"),
}

// completionOptions are the argument and flag of `itcare completion`.
type completionOptions struct {
	Shell  string
	NoDesc bool // --no-descriptions
}

func newCompletionCmd() *cobra.Command {
	opts := &completionOptions{}
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script for bash, zsh, fish or PowerShell",
		Long: `Prints a script that teaches your shell to complete itcare's commands and flags
and, from the API, their arguments: instance names and ids (instances get, start,
stop, reset, delete), ids of the actions in progress (actions get, wait), profile
names (--profile) and output formats (--output).

Names and ids are fetched only when the profile has credentials (saved by
'itcare login' or in ITCARE_CLIENT_ID and ITCARE_CLIENT_SECRET), within 2 seconds;
completion never prompts and never prints an error: without an answer you simply
get no suggestions.

Homebrew and the deb and rpm packages install the scripts for bash, zsh and
fish: open a new shell and press TAB. Otherwise, set it up as below.

bash (needs the bash-completion package, v2; on macOS: brew install bash-completion@2):

    # in this shell only
    source <(itcare completion bash)
    # in every new shell
    mkdir -p ~/.local/share/bash-completion/completions
    itcare completion bash > ~/.local/share/bash-completion/completions/itcare

zsh:

    # in every new shell: write the function into a folder of $fpath...
    mkdir -p ~/.zfunc
    itcare completion zsh > ~/.zfunc/_itcare
    # ...and in ~/.zshrc, before compinit runs:
    #   fpath=(~/.zfunc $fpath); autoload -Uz compinit && compinit
    # in this shell only (compinit already run)
    source <(itcare completion zsh)

fish:

    itcare completion fish > ~/.config/fish/completions/itcare.fish

PowerShell:

    # in this session only
    itcare completion powershell | Out-String | Invoke-Expression
    # in every session: add the line above to the file named by $PROFILE

Suggestions come with a short description (an instance's status, an action's
process); --no-descriptions leaves them out.`,
		Example: `  source <(itcare completion bash)
  itcare completion zsh > "${fpath[1]}/_itcare"
  itcare completion fish --no-descriptions > ~/.config/fish/completions/itcare.fish`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("want one shell: bash, zsh, fish or powershell")
			}
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return completionShells, cobra.ShellCompDirectiveNoFileComp
		},
		// Printing a script needs no settings: a broken config file or
		// environment must not stop it (packaging runs it in bare build
		// environments).
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error { return nil },
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Shell = args[0]
			return writeCompletion(cmd.Root(), cmd.OutOrStdout(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.NoDesc, "no-descriptions", false, "leave the descriptions of suggestions out")
	return cmd
}

// writeCompletion prints the completion script of root for the shell of
// opts (an unknown shell is a usage error).
func writeCompletion(root *cobra.Command, w io.Writer, opts *completionOptions) error {
	desc := !opts.NoDesc
	switch opts.Shell {
	case "bash":
		return root.GenBashCompletionV2(w, desc)
	case "zsh":
		return withOrWithout(desc, root.GenZshCompletion, root.GenZshCompletionNoDesc)(w)
	case "fish":
		return root.GenFishCompletion(w, desc)
	case "powershell":
		return withOrWithout(desc, root.GenPowerShellCompletionWithDesc, root.GenPowerShellCompletion)(w)
	}
	return usageErrorf("unknown shell %q: want bash, zsh, fish or powershell", opts.Shell)
}

// withOrWithout picks the generator of a shell's script with descriptions
// or the one without.
func withOrWithout(desc bool, with, without func(io.Writer) error) func(io.Writer) error {
	if desc {
		return with
	}
	return without
}

// CompletionScripts returns the completion script of every shell, keyed by
// the file name it is packaged under (completions/ in the repository and the
// release archives).
func CompletionScripts(root *cobra.Command) (map[string][]byte, error) {
	files := map[string]string{"bash": "itcare.bash", "zsh": "_itcare", "fish": "itcare.fish", "powershell": "itcare.ps1"}
	out := map[string][]byte{}
	for shell, name := range files {
		var b strings.Builder
		if err := writeCompletion(root, &b, &completionOptions{Shell: shell}); err != nil {
			return nil, err
		}
		out[name] = []byte(b.String())
	}
	return out, nil
}

// registerCompletions adds the completion command and the dynamic completion
// of arguments and flags to the tree built by NewRootCmd. Commands are found
// by path; a path that does not exist (any more) is skipped.
func registerCompletions(root *cobra.Command, f *Factory) {
	root.AddCommand(newCompletionCmd())

	// cobra runs the root's PersistentPreRunE for its hidden __complete
	// command, before the command line is parsed. The settings it loads are
	// not those of the line being completed, and an error there (a bad
	// ITCARE_OUTPUT, a broken config file) would suppress every suggestion,
	// commands included. Completion functions load the settings themselves.
	if pre := root.PersistentPreRunE; pre != nil {
		root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
			if cmd.Name() == cobra.ShellCompRequestCmd {
				return nil
			}
			return pre(cmd, args)
		}
	}

	setArgsCompletion(root, completeRunningActions(f), "actions", "get")
	setArgsCompletion(root, completeRunningActions(f), "actions", "wait")

	setArgsCompletion(root, completeProfiles(f), "auth", "switch")
	_ = root.RegisterFlagCompletionFunc(config.KeyProfile, completeProfiles(f))
	_ = root.RegisterFlagCompletionFunc(config.KeyOutput, completeOutputFormats)
}

// findCommand returns the command at path (names, not aliases), or nil.
func findCommand(root *cobra.Command, path ...string) *cobra.Command {
	c := root
	for _, name := range path {
		var next *cobra.Command
		for _, sub := range c.Commands() {
			if sub.Name() == name {
				next = sub
				break
			}
		}
		if next == nil {
			return nil
		}
		c = next
	}
	return c
}

// setArgsCompletion sets fn on the command at path, unless the command
// already completes its arguments.
func setArgsCompletion(root *cobra.Command, fn cobra.CompletionFunc, path ...string) {
	if c := findCommand(root, path...); c != nil && c.ValidArgsFunction == nil {
		c.ValidArgsFunction = fn
	}
}

// completeFamilyTree sets fn on the commands under c whose first argument,
// as their usage line shows it, names a resource: <id|name>, <instance>,
// <cluster>... (not <command>).
func completeFamilyTree(c *cobra.Command, fn cobra.CompletionFunc) {
	for _, sub := range c.Commands() {
		completeFamilyTree(sub, fn)
		fields := strings.Fields(sub.Use)
		if len(fields) < 2 || sub.ValidArgsFunction != nil || sub.HasSubCommands() {
			continue
		}
		if arg := fields[1]; strings.HasPrefix(arg, "<") && arg != "<command>" {
			sub.ValidArgsFunction = fn
		}
	}
}

// completionAPI returns an API client for one completion request, with the
// settings of the line being completed (its -p, --config, --api-url...
// apply), writing nothing anywhere and never prompting, and the context that
// bounds its calls. ok is false when there is no client (no credentials, bad
// settings): then there is nothing to suggest.
func completionAPI(f *Factory, cmd *cobra.Command) (c *api.Client, ctx context.Context, cancel context.CancelFunc, ok bool) {
	cf := completionFactory(f, cmd)
	c, err := cf.API()
	if err != nil {
		return nil, nil, nil, false
	}
	ctx = cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel = context.WithTimeout(ctx, completionTimeout)
	return c, ctx, cancel, true
}

// completionFactory is a fresh factory on the flags of the command being
// completed, with silent streams: no spinner, warning, debug trace or prompt
// can reach the terminal while the shell waits for suggestions.
func completionFactory(f *Factory, cmd *cobra.Command) *Factory {
	cf := NewFactory(&output.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard})
	cf.Transport = f.Transport
	cf.setFlags(cmd.Flags())
	return cf
}

// completeFamilyArgs completes a resource of a paged family (names with
// their status, ids once digits are typed): at most completionMaxPages pages
// are read, fewer if the time runs out. familySpec.command sets it on every
// command of the family whose first argument names one of its resources.
func completeFamilyArgs(f *Factory, family func(*api.Client) *api.Family) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 && !manyTargets(cmd) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, ctx, cancel, ok := completionAPI(f, cmd)
		if !ok {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer cancel()
		fam := family(c)
		cache, profile, key := completionCache(f, cmd, fam)
		if entries, fresh := cache.Load(profile, key); fresh {
			items := make([]api.Candidate, len(entries))
			for i, e := range entries {
				items[i] = api.Candidate{ID: e.ID, Name: e.Name}
			}
			return matchResources(items, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
		items, complete := fam.Candidates(ctx, completionPageSize, completionMaxPages)
		if complete {
			entries := make([]compcache.Entry, len(items))
			for i, it := range items {
				entries[i] = compcache.Entry{ID: it.ID, Name: it.Name}
			}
			_ = cache.Save(profile, key, entries)
		}
		return matchResources(items, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// manyTargets: the command's first argument repeats ("stop <id|name>..."),
// so every argument is a resource of the family.
func manyTargets(cmd *cobra.Command) bool {
	fields := strings.Fields(cmd.Use)
	return len(fields) > 1 && strings.HasSuffix(fields[1], "...")
}

// completionCache is the completion cache of the line's profile, and the
// key of fam in it.
func completionCache(f *Factory, cmd *cobra.Command, fam *api.Family) (compcache.Cache, string, string) {
	cfg, err := completionFactory(f, cmd).Config()
	if err != nil {
		return compcache.Cache{}, "", ""
	}
	return compcache.Cache{Dir: cfg.Dir}, cfg.Profile, strings.ReplaceAll(strings.Trim(fam.Path, "/"), "/", "-")
}

// matchResources picks the names, and ids when digits are typed, that start
// with toComplete.
func matchResources(items []api.Candidate, toComplete string) []cobra.Completion {
	prefix := strings.ToLower(toComplete)
	digits := toComplete != "" && strings.Trim(toComplete, "0123456789") == ""
	var out []cobra.Completion
	seen := map[string]bool{}
	add := func(s, desc string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, cobra.CompletionWithDesc(s, desc))
		}
	}
	for _, it := range items {
		if strings.HasPrefix(strings.ToLower(it.Name), prefix) {
			add(it.Name, joinNonEmpty(" ", it.Status, it.Environment))
		}
	}
	if digits {
		for _, it := range items {
			if id := strconv.FormatInt(it.ID, 10); it.ID > 0 && strings.HasPrefix(id, toComplete) {
				add(id, joinNonEmpty(" ", it.Name, it.Status))
			}
		}
	}
	return out
}

// completeRunningActions completes action ids with the actions in progress
// (GET /actions?statuses=IN_PROGRESS), leaving out ids already on the line;
// `actions get` takes one id, `actions wait` several.
func completeRunningActions(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if cmd.Args != nil && cmd.Args(cmd, append(args[:len(args):len(args)], "1")) != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp // no room for one more id
		}
		c, ctx, cancel, ok := completionAPI(f, cmd)
		if !ok {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer cancel()
		actions, err := c.Actions.RunningCandidates(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		given := map[string]bool{}
		for _, a := range args {
			given[a] = true
		}
		var out []cobra.Completion
		for _, a := range actions {
			id := strconv.FormatInt(a.ID, 10)
			if a.ID <= 0 || given[id] || !strings.HasPrefix(id, toComplete) {
				continue
			}
			out = append(out, cobra.CompletionWithDesc(id, joinNonEmpty(" ", a.Process, a.ResourceName)))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeProfiles completes --profile with the profiles of the config file
// (its sections) and those with saved credentials (<profile>.credentials.json
// next to it). The config file is the one --config or ITCARE_CONFIG on the
// line names.
func completeProfiles(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		path := completionConfigFile(cmd)
		if path == "" {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		kinds := map[string][]string{}
		if file, _, err := config.ReadFile(path); err == nil {
			for name := range file.Profiles {
				kinds[name] = append(kinds[name], "in config file")
			}
		}
		for _, name := range (&auth.Store{Dir: filepath.Dir(path)}).Profiles() {
			kinds[name] = append(kinds[name], "logged in")
		}
		var names []string
		for name := range kinds {
			if config.ValidProfile(name) == nil && strings.HasPrefix(name, toComplete) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		out := make([]cobra.Completion, len(names))
		for i, name := range names {
			out[i] = cobra.CompletionWithDesc(name, strings.Join(kinds[name], ", "))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completionConfigFile is the config file in effect for the line being
// completed: --config, else ITCARE_CONFIG, else the default one. It does not
// go through config.Load, which fails on settings the completion does not
// need (an invalid ITCARE_PROFILE, an unknown key in the file...).
func completionConfigFile(cmd *cobra.Command) string {
	if fl := cmd.Flags().Lookup(config.KeyConfig); fl != nil && fl.Changed {
		return fl.Value.String()
	}
	if o, ok := config.Lookup(config.KeyConfig); ok {
		if v := os.Getenv(o.Env); v != "" {
			return v
		}
	}
	dir, err := config.DefaultDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "config.yaml")
}

// outputFormats are the values of -o; those ending in "=" take an argument.
var outputFormats = []cobra.Completion{
	cobra.CompletionWithDesc("table", "aligned columns, the default"),
	cobra.CompletionWithDesc("wide", "table with more columns"),
	cobra.CompletionWithDesc("json", "JSON, as the API sent it"),
	cobra.CompletionWithDesc("yaml", "YAML"),
	cobra.CompletionWithDesc("columns=", "chosen columns: columns=ID,NAME,..."),
	cobra.CompletionWithDesc("template=", "a Go template: template='{{.name}}'"),
}

// completeOutputFormats completes -o/--output. When only formats taking an
// argument match, no space is added after them.
func completeOutputFormats(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	needsValue := true
	for _, c := range outputFormats {
		name, _, _ := strings.Cut(c, "\t")
		if strings.HasPrefix(name, toComplete) {
			out = append(out, c)
			needsValue = needsValue && strings.HasSuffix(name, "=")
		}
	}
	d := cobra.ShellCompDirectiveNoFileComp
	if len(out) > 0 && needsValue {
		d |= cobra.ShellCompDirectiveNoSpace
	}
	return out, d
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}
