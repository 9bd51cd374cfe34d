// Package testsum makes `make test` readable: it shows what `go test -json`
// reports (one line per package, the output of failed tests only), records
// the events of every stage in files, and ends with one line counting every
// test of every stage: "N passed, M failed" (", K skipped" when some were).
// Checks that are not Go tests (gofmt, go vet, a fuzz target, a linter) are
// recorded as one test each, so the same line counts them.
package testsum

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Event is one line of `go test -json` (cmd/test2json), the fields used here.
type Event struct {
	Time        time.Time `json:",omitempty"`
	Action      string
	Package     string  `json:",omitempty"`
	Test        string  `json:",omitempty"`
	Elapsed     float64 `json:",omitempty"`
	Output      string  `json:",omitempty"`
	FailedBuild string  `json:",omitempty"`
	ImportPath  string  `json:",omitempty"`
}

// Counts are tests by outcome; a test is a Go test, subtest or fuzz seed
// run, or a check.
type Counts struct {
	Passed, Failed, Skipped int
	FailedNames             []string // "package TestName", in the order they failed
}

func (c *Counts) add(o Counts) {
	c.Passed += o.Passed
	c.Failed += o.Failed
	c.Skipped += o.Skipped
	c.FailedNames = append(c.FailedNames, o.FailedNames...)
}

// Line is the summary line: "N passed, M failed" and ", K skipped" when K > 0.
func (c Counts) Line() string {
	s := fmt.Sprintf("%d passed, %d failed", c.Passed, c.Failed)
	if c.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", c.Skipped)
	}
	return s
}

// brief is a package's counts, worded unlike the summary line: "12 tests,
// 1 failed, 2 skipped".
func (c Counts) brief() string {
	s := fmt.Sprintf("%d tests", c.Passed+c.Failed+c.Skipped)
	if c.Failed > 0 {
		s += fmt.Sprintf(", %d failed", c.Failed)
	}
	if c.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", c.Skipped)
	}
	return s
}

// count adds one test event to c.
func (c *Counts) count(e Event) {
	if e.Test == "" {
		return
	}
	switch e.Action {
	case "pass":
		c.Passed++
	case "fail":
		c.Failed++
		c.FailedNames = append(c.FailedNames, strings.TrimSpace(e.Package+" "+e.Test))
	case "skip":
		c.Skipped++
	}
}

// Stream reads `go test -json` from r, appends every line to rec, and
// writes to out one line per package ("ok"/"FAIL", its counts and time),
// the whole output of each failed test, and any line that is not JSON (a
// build error) as is. A package that fails without a failed test (a build
// error, a panic in TestMain) shows its own output.
func Stream(r io.Reader, rec, out io.Writer) (Counts, error) {
	type pkgState struct {
		counts Counts
		output []string
		tests  map[string][]string
	}
	pkgs := map[string]*pkgState{}
	state := func(p string) *pkgState {
		s := pkgs[p]
		if s == nil {
			s = &pkgState{tests: map[string][]string{}}
			pkgs[p] = s
		}
		return s
	}
	var total Counts
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if _, err := rec.Write(append(line, '\n')); err != nil {
			return total, err
		}
		var e Event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil || e.Action == "" {
			fmt.Fprintf(out, "%s\n", line)
			continue
		}
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
			continue
		case "build-fail":
			continue
		}
		s := state(e.Package)
		switch {
		case e.Action == "output" && e.Test != "":
			s.tests[e.Test] = append(s.tests[e.Test], e.Output)
		case e.Action == "output":
			s.output = append(s.output, e.Output)
		case e.Test != "":
			s.counts.count(e)
			total.count(e)
			if e.Action == "fail" {
				fmt.Fprintf(out, "--- FAIL: %s (%s)\n%s", e.Test, e.Package, strings.Join(s.tests[e.Test], ""))
			}
			if e.Action == "pass" || e.Action == "fail" || e.Action == "skip" {
				delete(s.tests, e.Test)
			}
		case e.Action == "pass":
			if n := s.counts.Passed + s.counts.Skipped; n > 0 {
				fmt.Fprintf(out, "ok    %s  %s (%.1fs)\n", e.Package, s.counts.brief(), e.Elapsed)
			}
		case e.Action == "fail":
			if s.counts.Failed == 0 {
				// No test failed: the package itself did (build, panic, TestMain).
				fmt.Fprint(out, strings.Join(s.output, ""))
				total.Failed++
				total.FailedNames = append(total.FailedNames, e.Package+" (did not build or run)")
			}
			fmt.Fprintf(out, "FAIL  %s  %s (%.1fs)\n", e.Package, s.counts.brief(), e.Elapsed)
		}
	}
	return total, sc.Err()
}

// Check records a check that is not a Go test as one test named name in
// package pkg: it passed when err is nil; a failed check shows its output.
func Check(pkg, name string, err error, output []byte, rec, out io.Writer) (Counts, error) {
	e := Event{Time: time.Now(), Action: "pass", Package: pkg, Test: name}
	if err != nil {
		e.Action = "fail"
		fmt.Fprintf(out, "--- FAIL: %s (%s): %v\n%s", name, pkg, err, output)
		if len(output) > 0 && !bytes.HasSuffix(output, []byte("\n")) {
			fmt.Fprintln(out)
		}
	} else {
		fmt.Fprintf(out, "ok    %s  %s\n", pkg, name)
	}
	var c Counts
	c.count(e)
	enc := json.NewEncoder(rec)
	for _, ev := range []Event{{Time: e.Time, Action: "output", Package: pkg, Test: name, Output: string(output)}, e} {
		if err := enc.Encode(ev); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Summarize counts the tests recorded in the *.json files of dir.
func Summarize(dir string) (Counts, error) {
	var total Counts
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return total, err
	}
	sort.Strings(files)
	for _, f := range files {
		c, err := countFile(f)
		if err != nil {
			return total, err
		}
		total.add(c)
	}
	return total, nil
}

func countFile(path string) (Counts, error) {
	var c Counts
	f, err := os.Open(path)
	if err != nil {
		return c, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	fails := map[string]bool{} // packages with a failed test
	for sc.Scan() {
		var e Event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		c.count(e)
		if e.Action == "fail" && e.Test != "" {
			fails[e.Package] = true
		}
		if e.Action == "fail" && e.Test == "" && e.Package != "" && !fails[e.Package] {
			c.Failed++
			c.FailedNames = append(c.FailedNames, e.Package+" (did not build or run)")
		}
	}
	return c, sc.Err()
}
