package testsum

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A go test -json stream: one package passes (a test skipped), one has a
// failing subtest, one does not build.
const stream = `{"Action":"start","Package":"m/a"}
{"Action":"run","Package":"m/a","Test":"TestOK"}
{"Action":"output","Package":"m/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"pass","Package":"m/a","Test":"TestOK","Elapsed":0.1}
{"Action":"skip","Package":"m/a","Test":"TestSkip"}
{"Action":"pass","Package":"m/a","Elapsed":0.2}
{"Action":"run","Package":"m/b","Test":"TestParent"}
{"Action":"output","Package":"m/b","Test":"TestParent/child","Output":"    b_test.go:9: want 2, got 3\n"}
{"Action":"fail","Package":"m/b","Test":"TestParent/child"}
{"Action":"fail","Package":"m/b","Test":"TestParent"}
{"Action":"fail","Package":"m/b","Elapsed":0.3}
{"ImportPath":"m/c","Action":"build-output","Output":"c/c.go:3:1: syntax error\n"}
{"ImportPath":"m/c","Action":"build-fail"}
{"Action":"output","Package":"m/c","Output":"FAIL\tm/c [build failed]\n"}
{"Action":"fail","Package":"m/c","FailedBuild":"m/c"}
go: a line that is not JSON
`

func TestStreamShowsFailuresOnlyAndCounts(t *testing.T) {
	var rec, out bytes.Buffer
	c, err := Stream(strings.NewReader(stream), &rec, &out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Passed != 1 || c.Failed != 3 || c.Skipped != 1 {
		t.Errorf("counts %+v", c)
	}
	got := out.String()
	for _, want := range []string{
		"ok    m/a  2 tests, 1 skipped (0.2s)\n",
		"--- FAIL: TestParent/child (m/b)\n    b_test.go:9: want 2, got 3\n",
		"FAIL  m/b  2 tests, 2 failed (0.3s)\n",
		"c/c.go:3:1: syntax error\n",
		"FAIL\tm/c [build failed]\n",
		"go: a line that is not JSON\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "=== RUN   TestOK") {
		t.Errorf("output of a passed test shown:\n%s", got)
	}
	if rec.String() != stream {
		t.Errorf("recorded %q", rec.String())
	}

	// The recorded file, with a check, sums up the same.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "unit.json"), rec.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var chk, shown bytes.Buffer
	if _, err := Check("lint", "gofmt", errors.New("exit status 1"), []byte("main.go"), &chk, &shown); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown.String(), "--- FAIL: gofmt (lint): exit status 1\nmain.go\n") {
		t.Errorf("check shown as %q", shown.String())
	}
	if _, err := Check("lint", "vet", nil, []byte("noise"), &chk, &shown); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lint.json"), chk.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Summarize(dir)
	if err != nil {
		t.Fatal(err)
	}
	if line := sum.Line(); line != "2 passed, 4 failed, 1 skipped" {
		t.Errorf("summary %q", line)
	}
	want := []string{"lint gofmt", "m/b TestParent/child", "m/b TestParent", "m/c (did not build or run)"}
	if strings.Join(sum.FailedNames, "|") != strings.Join(want, "|") {
		t.Errorf("failed names %q", sum.FailedNames)
	}
	if (Counts{Passed: 3}).Line() != "3 passed, 0 failed" {
		t.Error("no skipped: no skipped count")
	}
}
