// Package cmd holds the cobra commands of itcare: each parses its flags into
// an options struct, calls internal/api and hands the result to
// internal/output. No HTTP, decoding or formatting logic lives here.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/auth"
	"github.com/itcare-cli/itcare/internal/config"
	"github.com/itcare-cli/itcare/internal/output"
)

// Main runs itcare with the process's arguments and streams and returns the
// exit code. Ctrl-C cancels the command's context (exit 130); a second
// Ctrl-C kills the process at once.
func Main() int {
	tuneGC()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ios := output.System()
	f := NewFactory(ios)
	f.watchInterrupts = func() { watchInterrupts(ctx, cancel, ios) }
	code := Execute(ctx, f, os.Args[1:])
	ios.StopProgress()
	ios.Flush() // what the redacting writers kept back, e.g. the end of the cursor sequence
	return code
}

// watchInterrupts makes Ctrl-C and SIGTERM cancel ctx; a second one ends the
// process at once. It is set up once the command is known (root's
// PersistentPreRunE), and not for commands that end at once (help, version):
// handling signals costs a process two threads at start.
func watchInterrupts(ctx context.Context, cancel context.CancelFunc, ios *output.IOStreams) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
		case <-ctx.Done():
		}
		signal.Stop(sig) // restore default handling: a second Ctrl-C ends the process
		if ctx.Err() != nil {
			return // the command ended
		}
		cancel()
		// Every wait of a command ends with the context; should one not,
		// the signal still ends the process promptly, with the same code.
		time.AfterFunc(interruptGrace, func() {
			ios.StopProgress()
			ios.Flush()
			fmt.Fprintln(ios.ErrOut, "error: interrupted")
			os.Exit(ExitInterrupted)
		})
	}()
}

// interruptGrace is how long a command has, after Ctrl-C or SIGTERM, to end
// by itself (cancelled context) before the process exits anyway.
const interruptGrace = 2 * time.Second

// Execute runs the command line args and returns the exit code. Errors are
// printed here, once, on stderr.
func Execute(ctx context.Context, f *Factory, args []string) int {
	root, families := newRootCmd(f)
	for _, fam := range families {
		if fam.named(args) {
			fam.build()
		}
	}
	return execute(ctx, f, root, args)
}

// execute runs args on the command tree root.
func execute(ctx context.Context, f *Factory, root *cobra.Command, args []string) int {
	f.ctx = ctx
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	f.IO.StopProgress()
	defer f.IO.Flush()
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	if code == ExitUsage && cmd != nil && cmd.Name() == "login" {
		err = &UsageError{Err: errors.New(hideValues(err.Error(), args))}
	}
	var silent *SilentError
	if errors.As(err, &silent) {
		return code
	}
	if errors.Is(err, errCancelled) {
		fmt.Fprintln(f.IO.ErrOut, err)
		return code
	}
	if p, perr := f.Printer(); perr == nil {
		p.PrintError(err)
	} else {
		fmt.Fprintf(f.IO.ErrOut, "error: %v\n", err)
	}
	if h := hint(err, auth.EnvCredentials()); h != "" {
		fmt.Fprintln(f.IO.ErrOut, h)
	}
	if code == ExitUsage && cmd != nil {
		fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// NewRootCmd builds the whole command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root, families := newRootCmd(f)
	for _, fam := range families {
		fam.build()
	}
	return root
}

// newRootCmd builds the command tree with each resource family as a stand-in
// (name, aliases, summary: what the root's help and completion show); the
// returned families build their subcommands on demand. A family's
// subcommands are most of the tree (flags, completion, examples), and a
// command line reaches at most one family, so Execute builds only that one.
func newRootCmd(f *Factory) (*cobra.Command, []*lazyFamily) {
	root := &cobra.Command{
		Use:   "itcare <command> <subcommand> [flags]",
		Short: "Work with the cegedim.cloud ITCare API from the command line",
		Long: `itcare manages cegedim.cloud ITCare resources: it logs in once with an API
account (OAuth 2.0 client credentials), caches and refreshes the token, lists and
changes instances, waits on asynchronous actions, and prints tables for people
and JSON or YAML for scripts.`,
		Example: `  # log in once per profile
  itcare login --client-id my-api-account

  # list production instances, then stop one and wait for the action
  itcare instances list --env PRODUCTION
  itcare instances stop pdeb12web01

  # script-friendly output
  itcare instances list --all -o json --jq '.[].name'

  # try everything against the built-in simulator
  itcare sandbox &`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			// A jq filter can run for ever, whatever the command.
			if jq, _ := cmd.Flags().GetString("jq"); f.watchInterrupts != nil && (cmd.Annotations[instantAnnotation] == "" || jq != "") {
				f.watchInterrupts()
			}
			f.setFlags(cmd.Flags())
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			if cfg.NoColor {
				f.IO.DisableColor()
			}
			_, err = f.Printer()
			return err
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(cmd, args[0])
			}
			return cmd.Help()
		},
	}
	root.Version = versionString()
	root.SetVersionTemplate("{{.Version}}\n")
	pf := root.PersistentFlags()
	config.RegisterFlags(pf)
	pf.String("jq", "", "filter JSON output with a jq expression (embedded, no jq needed)")
	pf.Bool("no-header", false, "do not print the table header")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &UsageError{Err: err} })

	root.AddCommand(
		newVersionCmd(f),
		newStatusCmd(f),
		newLoginCmd(f),
		newLogoutCmd(f),
		newAuthCmd(f),
		newProfilesCmd(f, "profiles"),
		newConfigCmd(f),
		newActionsCmd(f),
		newChangesCmd(f),
		newAPICmd(f),
		newSandboxCmd(f),
	)
	families := lazyFamilies(f, root)
	registerCompletions(root, f)
	wrapArgs(root)
	return root, families
}

// Annotations read by wrapArgs: a resource family's command names its kind
// ("instance"), and a command may say in words what its argument is.
const (
	kindAnnotation     = "itcare/kind"
	questionAnnotation = "itcare/question"
	// instantAnnotation marks a command that ends at once (unless given a
	// jq filter): Ctrl-C needs no handling of its own.
	instantAnnotation = "itcare/instant"
)

// wrapArgs checks the positional arguments of every command the same way:
// a missing or blank argument is named with a question and the usage line;
// a command group (`itcare instances`) given an unknown subcommand suggests
// the closest ones; cobra's own argument errors become usage errors.
func wrapArgs(c *cobra.Command) {
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(cmd, args[0])
			}
			return nil
		}
		c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	}
	if c.Args != nil {
		orig := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := missingArg(cmd, args); err != nil {
				return err
			}
			if err := orig(cmd, args); err != nil {
				var ue *UsageError
				if errors.As(err, &ue) {
					return err
				}
				return &UsageError{Err: err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
}

// unknownCommand is the error for a mistyped subcommand, with the closest
// names (`instances lsit` suggests list).
func unknownCommand(cmd *cobra.Command, arg string) error {
	msg := fmt.Sprintf("unknown command %q for %q", arg, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(arg); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return &UsageError{Err: errors.New(msg)}
}

// missingArg names the first required argument (a <placeholder> of the
// usage line) that is missing or blank: "missing <id|name>: which instance
// to stop?", followed by the usage line.
func missingArg(cmd *cobra.Command, args []string) error {
	fields := strings.Fields(cmd.Use)
	if len(fields) < 2 || cmd.HasSubCommands() {
		return nil
	}
	for i, ph := range fields[1:] {
		if !strings.HasPrefix(ph, "<") {
			continue
		}
		what := "missing"
		if strings.HasSuffix(ph, "...") { // repeats: every one given must be non-blank
			blank := slices.IndexFunc(args[min(i, len(args)):], func(a string) bool { return strings.TrimSpace(a) == "" })
			switch {
			case blank >= 0:
				what = "empty"
			case i < len(args) || strings.Contains(cmd.Use, "|"):
				continue // given, or a selection may stand for them (the command checks)
			}
		}
		switch {
		case what == "empty":
		case i < len(args) && strings.TrimSpace(args[i]) != "":
			continue
		case i < len(args):
			what = "empty"
		}
		return &UsageError{Err: fmt.Errorf("%s %s: %s\nUsage: %s", what, ph, argQuestion(cmd, ph), cmd.UseLine())}
	}
	return nil
}

// questionVerbs say what a command does where its name is not a verb.
var questionVerbs = map[string]string{"get": "show", "history": "show the history of"}

// argQuestion says in words what a placeholder asks for.
func argQuestion(cmd *cobra.Command, ph string) string {
	if q := cmd.Annotations[questionAnnotation]; q != "" {
		return q
	}
	name := strings.TrimRight(strings.Trim(ph, "<>."), ">")
	if name == "id|name" {
		for p := cmd.Parent(); p != nil; p = p.Parent() {
			if kind := p.Annotations[kindAnnotation]; kind != "" {
				verb := cmd.Name()
				if v, ok := questionVerbs[verb]; ok {
					verb = v
				}
				return fmt.Sprintf("which %s to %s?", kind, verb)
			}
		}
	}
	return "which " + name + "?"
}

// hideValues removes from msg the values given on the command line, for a
// command whose arguments may be secrets typed in the wrong place (login):
// a mistaken `--client-secret-stdin=S3CRET` or a secret given as an
// argument is never echoed in the usage error.
func hideValues(msg string, args []string) string {
	for _, a := range args {
		v := a
		if strings.HasPrefix(a, "-") {
			_, val, ok := strings.Cut(a, "=")
			if !ok {
				continue
			}
			v = val
		}
		if v == "" {
			continue
		}
		msg = strings.ReplaceAll(msg, strconv.Quote(v), `"(value not shown)"`)
		msg = strings.ReplaceAll(msg, "="+v, "=(value not shown)")
	}
	return msg
}

// tuneGC trades a little memory for CPU: a command's heap is small and
// short-lived, so the collector runs at a quarter of its default pace, with a
// soft memory limit that brings it back to work before a long listing (which
// is streamed and keeps little alive) could grow the process. GOGC and
// GOMEMLIMIT in the environment still win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(40 << 20)
	}
}

// serverGC gives a long-running server (`itcare sandbox`) back the runtime's
// own pace: its heap is large and lives for the whole run, so tuneGC's soft
// limit, below it, would keep the collector running without end (a sandbox
// of 50,000 instances seeded 3x slower and served pages 3x slower with it).
// GOGC and GOMEMLIMIT in the environment still win.
func serverGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(100)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(math.MaxInt64)
	}
}
