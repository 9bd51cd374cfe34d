// Command testsum runs the stages of `make test` and sums them up:
//
//	testsum -o FILE -- go test -json ARGS...   run go test, show it briefly, record its events in FILE
//	testsum -o FILE -check NAME -- CMD ARGS... run any command as one test named NAME
//	testsum -summary DIR [-exit CODE]         count every test recorded in DIR/*.json
//
// The summary ends with the line "N passed, M failed" (", K skipped" when
// some were), which CI reads. -exit is the status of the stages: when it is
// not 0 but no test failed, a stage failed outside the tests (an install,
// a script) and counts as one failure. The line is also written to
// DIR/summary.txt. testsum exits 1 when anything failed.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/itcare-cli/itcare/internal/testsum"
)

func main() {
	record := flag.String("o", "", "append the events to `FILE` (go test -json lines)")
	check := flag.String("check", "", "run the command as one check named `NAME` instead of go test -json")
	pkg := flag.String("pkg", "check", "the package name a check is recorded under")
	summary := flag.String("summary", "", "count the tests recorded in `DIR`/*.json")
	exit := flag.Int("exit", 0, "with -summary: the exit status of the stages")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: testsum -o FILE [-check NAME] -- CMD ARGS... | testsum -summary DIR [-exit CODE]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *summary != "" {
		os.Exit(summarize(*summary, *exit))
	}
	if flag.NArg() == 0 || *record == "" {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(*record, *check, *pkg, flag.Args()))
}

func run(record, check, pkg string, argv []string) int {
	if err := os.MkdirAll(filepath.Dir(record), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		return 1
	}
	rec, err := os.OpenFile(record, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		return 1
	}
	defer rec.Close()
	c := exec.Command(argv[0], argv[1:]...)
	c.Stdin = os.Stdin
	var counts testsum.Counts
	var runErr error
	if check != "" {
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		runErr = c.Run()
		counts, err = testsum.Check(pkg, check, runErr, out.Bytes(), rec, os.Stdout)
	} else {
		c.Stderr = os.Stdout
		pipe, perr := c.StdoutPipe()
		if perr != nil {
			fmt.Fprintln(os.Stderr, "testsum:", perr)
			return 1
		}
		if err := c.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "testsum:", err)
			return 1
		}
		counts, err = testsum.Stream(pipe, rec, os.Stdout)
		_, _ = io.Copy(io.Discard, pipe)
		runErr = c.Wait()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		return 1
	}
	var ee *exec.ExitError
	if runErr != nil && !errors.As(runErr, &ee) {
		fmt.Fprintf(os.Stderr, "testsum: %s: %v\n", argv[0], runErr)
		return 1
	}
	if runErr != nil || counts.Failed > 0 {
		return 1
	}
	return 0
}

func summarize(dir string, stagesExit int) int {
	c, err := testsum.Summarize(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		return 1
	}
	if stagesExit != 0 && c.Failed == 0 {
		c.Failed++
		c.FailedNames = append(c.FailedNames, fmt.Sprintf("a stage outside the tests (exit %d, see above)", stagesExit))
	}
	fmt.Println()
	if len(c.FailedNames) > 0 {
		fmt.Println("failed:")
		for _, n := range c.FailedNames {
			fmt.Println("  " + n)
		}
	}
	fmt.Println(c.Line())
	// Kept for CI, which prints it again after make's own last words.
	if err := os.WriteFile(filepath.Join(dir, "summary.txt"), []byte(c.Line()+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		return 1
	}
	if c.Failed > 0 {
		return 1
	}
	return 0
}
