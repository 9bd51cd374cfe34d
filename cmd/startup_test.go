package cmd

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/output"
)

// runLines runs each command line twice, through Execute (which builds
// only the families a line names) and on the whole tree (NewRootCmd), and
// fails where the outputs or exit codes differ.
func runLines(t *testing.T, lines [][]string) {
	t.Helper()
	t.Setenv("ITCARE_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	run := func(args []string, whole bool) (int, string) {
		out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
		f := NewFactory(output.NewIOStreams(strings.NewReader(""), out, errOut, output.Terminal{}))
		var code int
		if whole {
			code = execute(context.Background(), f, NewRootCmd(f), args)
		} else {
			code = Execute(context.Background(), f, args)
		}
		return code, out.String() + "\x00" + errOut.String()
	}
	for _, args := range lines {
		lazyCode, lazy := run(args, false)
		wholeCode, whole := run(args, true)
		if lazy != whole || lazyCode != wholeCode {
			t.Errorf("itcare %s: built on demand, exit %d:\n%s\nwhole tree, exit %d:\n%s",
				strings.Join(args, " "), lazyCode, lazy, wholeCode, whole)
		}
	}
}

// commandPaths lists the path of every command of the whole tree, aliases
// of the families included.
func commandPaths() [][]string {
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		out = append(out, path)
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			walk(sub, append(append([]string{}, path...), sub.Name()))
			if len(path) == 0 {
				for _, a := range sub.Aliases {
					out = append(out, []string{a})
				}
			}
		}
	}
	walk(NewRootCmd(docsRoot()), nil)
	return out
}

// The families' commands are built on demand: every help, `help` topic
// and completion of subcommands is the one the whole tree gives.
func TestFamiliesBuiltOnDemandMatchTheWholeTree(t *testing.T) {
	var lines [][]string
	for _, p := range commandPaths() {
		lines = append(lines,
			append(append([]string{}, p...), "--help"),
			append([]string{"help"}, p...),
			append(append([]string{"__complete"}, p...), ""))
	}
	lines = append(lines,
		[]string{}, []string{"-p", "x", "instances", "--help"}, []string{"instnces"},
		[]string{"instances", "lsit"}, []string{"__complete", "inst"}, []string{"__complete", "vm", "l"},
		[]string{"completion", "bash"}, []string{"completion", "zsh"}, []string{"completion", "fish"},
		[]string{"completion", "powershell"})
	runLines(t, lines)
}
