// Command gendocs writes the generated files of the repository from itcare's
// command tree: `gendocs completions` the shell completion scripts
// (completions/), `gendocs docs` the man pages (docs/man/) and the Markdown
// reference (docs/reference/); `gendocs -check ...` only reports what is out of
// date and exits 1 if anything is. Run it from the repository root (make
// completions, make docs).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/cmd"
	"github.com/itcare-cli/itcare/internal/gendocs"
	"github.com/itcare-cli/itcare/internal/output"
)

func main() {
	check := flag.Bool("check", false, "report out-of-date files instead of writing them")
	base := flag.String("C", ".", "repository root")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gendocs [-check] [-C DIR] completions|docs...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if _, err := os.Stat(*base + "/go.mod"); err != nil {
		fail(fmt.Errorf("%s is not the repository root (no go.mod)", *base))
	}
	var sets []gendocs.Set
	for _, what := range flag.Args() {
		switch what {
		case "completions":
			scripts, err := cmd.CompletionScripts(newRoot())
			if err != nil {
				fail(err)
			}
			sets = append(sets, gendocs.Completions(scripts))
		case "docs":
			man, err := gendocs.Man(newRoot())
			if err != nil {
				fail(err)
			}
			md, err := gendocs.Markdown(newRoot())
			if err != nil {
				fail(err)
			}
			sets = append(sets, man, md)
		default:
			flag.Usage()
			os.Exit(2)
		}
	}
	stale := false
	for _, s := range sets {
		if *check {
			for _, p := range s.Check(*base) {
				fmt.Println(p)
				stale = true
			}
			continue
		}
		changed, err := s.Write(*base)
		for _, c := range changed {
			fmt.Println(c)
		}
		if err != nil {
			fail(err)
		}
	}
	if stale {
		fmt.Fprintln(os.Stderr, "out of date: run make completions docs")
		os.Exit(1)
	}
}

// newRoot builds a fresh command tree (generators adjust the one they get).
func newRoot() *cobra.Command { return cmd.NewRootCmd(cmd.NewFactory(output.System())) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gendocs:", err)
	os.Exit(1)
}
