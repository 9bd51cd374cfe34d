package output

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// unsetenv removes k for the test and restores it after.
func unsetenv(t *testing.T, k string) {
	t.Helper()
	t.Setenv(k, "")
	os.Unsetenv(k)
}

func TestColorFromEnvironment(t *testing.T) {
	for _, c := range []struct {
		name          string
		noColor, term *string
		want          bool
	}{
		{"default", nil, ptr("xterm-256color"), true},
		{"NO_COLOR=1", ptr("1"), ptr("xterm"), false},
		{"NO_COLOR empty but set", ptr(""), ptr("xterm"), false},
		{"NO_COLOR=false", ptr("false"), ptr("xterm"), false},
		{"TERM=dumb", nil, ptr("dumb"), false},
		{"no TERM", nil, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range map[string]*string{"NO_COLOR": c.noColor, "TERM": c.term} {
				if v == nil {
					unsetenv(t, k)
				} else {
					t.Setenv(k, *v)
				}
			}
			if got := colorAllowedByEnv(); got != c.want {
				t.Errorf("colour allowed = %v, want %v", got, c.want)
			}
			// System() never colours a stdout that is not a terminal (go test's is not).
			s := System()
			if s.ColorEnabled() && (!c.want || !s.IsStdoutTTY()) {
				t.Errorf("System() enabled colour (stdout TTY %v)", s.IsStdoutTTY())
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestSystemWidthHonoursColumns(t *testing.T) {
	t.Setenv("COLUMNS", "123")
	if w := System().TerminalWidth(); w != 123 {
		t.Errorf("COLUMNS=123: width %d", w)
	}
	t.Setenv("COLUMNS", "wide")
	if w := System().TerminalWidth(); w <= 0 {
		t.Errorf("COLUMNS=wide: width %d", w)
	}
	if !System().IsStdoutTTY() {
		if w := System().TerminalWidth(); w != 80 {
			t.Errorf("no terminal, bad COLUMNS: width %d, want 80", w)
		}
	}
}

func TestTestStreamsAndSetters(t *testing.T) {
	s, _, _, _ := testStreams()
	if s.IsStdinTTY() || s.IsStdoutTTY() || s.IsStderrTTY() || s.ColorEnabled() || s.CanPrompt() || s.TerminalWidth() != 80 {
		t.Fatalf("testStreams() streams: %+v", s)
	}
	s.stdinTTY = true
	if s.CanPrompt() {
		t.Error("CanPrompt without a stderr terminal")
	}
	s.stderrTTY = true
	if !s.CanPrompt() {
		t.Error("CanPrompt with stdin and stderr terminals")
	}
	s.stdoutTTY = true
	s.width = 132
	if !s.IsStdoutTTY() || s.TerminalWidth() != 132 {
		t.Error("setters")
	}
	s.width = 0
	if s.TerminalWidth() != 80 {
		t.Error("width 0 should fall back to 80")
	}
	if s.Green("ok") != "ok" || s.Bold("") != "" {
		t.Error("colour while disabled")
	}
	s.colorEnabled = true
	for got, want := range map[string]string{
		s.Bold("b"): "\x1b[1mb\x1b[0m", s.Green("g"): "\x1b[32mg\x1b[0m", s.Red("r"): "\x1b[31mr\x1b[0m",
		s.Yellow("y"): "\x1b[33my\x1b[0m", s.Gray("x"): "\x1b[90mx\x1b[0m",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	s.DisableColor()
	if s.ColorEnabled() || s.Red("r") != "r" {
		t.Error("DisableColor")
	}
}

func TestProgressSilentWhenStderrIsNotATerminal(t *testing.T) {
	s, _, out, errOut := testStreams()
	s.spinEvery = time.Millisecond
	s.StartProgress(" loading")
	s.UpdateProgress(" still loading")
	s.Warnf("slow answer (%d s)", 3)
	s.StopProgress()
	s.StopProgress()
	if errOut.String() != "warning: slow answer (3 s)\n" || out.Len() != 0 {
		t.Errorf("stderr %q stdout %q", errOut, out)
	}
}

// frames counts spinner frames written so far, reading under the lock the
// spinner writes under.
func frames(s *IOStreams, errOut *bytes.Buffer) (text string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text = errOut.String()
	return text, strings.Count(text, clearLine+"⠋") + strings.Count(text, clearLine+"⠙") + strings.Count(text, clearLine+"⠹")
}

func TestSpinnerOnForcedTerminal(t *testing.T) {
	s, _, out, errOut := testStreams()
	s.stderrTTY = true
	s.spinEvery = 2 * time.Millisecond

	s.StartProgress(" listing instances")
	deadline := time.Now().Add(250 * time.Millisecond)
	for {
		if _, n := frames(s, errOut); n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			text, _ := frames(s, errOut)
			t.Fatalf("no animation: %q", text)
		}
		time.Sleep(time.Millisecond)
	}
	s.Warnf("page %d was slow", 2)
	s.UpdateProgress("page 3")

	// Data printed meanwhile goes to Out, untouched.
	p := &Printer{IO: s, Opts: Options{Format: Format{Kind: JSON}}}
	if err := p.PrintList(fixture(t), instanceColumns, "instances"); err != nil {
		t.Fatal(err)
	}
	s.StopProgress()
	s.StopProgress() // twice is fine
	after := errOut.Len()
	time.Sleep(10 * time.Millisecond)
	if errOut.Len() != after {
		t.Error("frames written after StopProgress")
	}

	var v []map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || len(v) != 4 {
		t.Fatalf("stdout is not the JSON list (%v): %q", err, out)
	}
	if strings.ContainsAny(out.String(), "\r\x1b") {
		t.Error("terminal codes on stdout")
	}

	e := errOut.String()
	if !strings.HasPrefix(e, hideCursor+clearLine+"⠋ listing instances") {
		t.Errorf("start: %q", e[:min(len(e), 60)])
	}
	if !strings.Contains(e, clearLine+"warning: page 2 was slow\n") {
		t.Errorf("warning not on a cleared line: %q", e)
	}
	if !strings.Contains(e, " page 3") {
		t.Errorf("label not updated: %q", e)
	}
	if !strings.HasSuffix(e, clearLine+showCursor) {
		t.Errorf("stop must clear the line and show the cursor: %q", e[max(0, len(e)-40):])
	}
	if strings.Count(e, showCursor) != 1 || strings.Count(e, hideCursor) != 1 {
		t.Errorf("cursor toggled more than once: %q", e)
	}
}

func TestStopProgressWithoutStart(t *testing.T) {
	s, _, _, errOut := testStreams()
	s.stderrTTY = true
	s.StopProgress()
	s.UpdateProgress("nothing runs")
	if errOut.Len() != 0 {
		t.Errorf("wrote %q", errOut)
	}
	// Restart after stop works.
	s.StartProgress("one")
	s.StopProgress()
	s.StartProgress("two")
	s.StopProgress()
	if got := strings.Count(errOut.String(), showCursor); got != 2 {
		t.Errorf("%d stops in %q", got, errOut)
	}
}

func TestSpinnerLineFitsWidth(t *testing.T) {
	s, _, _, errOut := testStreams()
	s.stderrTTY = true
	s.width = 20
	s.StartProgress(" waiting for action 123456 (stop-instance pdeb12web01)")
	s.StopProgress()
	line := strings.Split(errOut.String(), clearLine)[1]
	if w := twwidth.Width(line); w > 19 || !strings.HasSuffix(line, "…") {
		t.Errorf("line %q is %d wide", line, w)
	}
}

func TestPrintErrorStopsSpinner(t *testing.T) {
	s, _, _, errOut := testStreams()
	s.stderrTTY = true
	s.StartProgress("working")
	(&Printer{IO: s}).PrintError(os.ErrNotExist)
	if !strings.HasSuffix(errOut.String(), clearLine+showCursor+"error: file does not exist\n") {
		t.Errorf("%q", errOut)
	}
}

func TestTableOnTerminalStopsSpinner(t *testing.T) {
	s, _, out, errOut := testStreams()
	s.stderrTTY = true
	s.stdoutTTY = true
	s.width = 200 // wide enough for every column: nothing hidden, no note after the table
	s.StartProgress("listing")
	if err := (&Printer{IO: s}).PrintList(fixture(t), instanceColumns, "instances"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(errOut.String(), showCursor) || !strings.HasPrefix(out.String(), "ID ") {
		t.Errorf("stderr %q stdout %q", errOut, out)
	}
}

// testStreams returns streams on buffers: nothing is a terminal, colour is
// off and the width is 80; tests set the fields to simulate a terminal.
func testStreams() (ios *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return NewIOStreams(in, out, errOut, Terminal{}), in, out, errOut
}
