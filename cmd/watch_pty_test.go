package cmd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func stripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }

// --watch in a real terminal: the table is redrawn in place (the cursor goes
// back up over the previous frame, which is cleared), the rows added or
// changed by the last refresh are marked and bold, and Ctrl-C ends the watch
// with exit 0 and the cursor shown again.
func TestWatchInTerminalRedrawsInPlace(t *testing.T) {
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{ActionDuration: 2500 * time.Millisecond})
	h.login()
	s := startPTY(t, binEnv(h, bin), bin, "actions", "list", "--watch=1s", "--resource-name", "pdeb12web01")
	s.expect(0, "refreshed", 10*time.Second)
	s.expect(0, "(nothing)", 5*time.Second)
	if !strings.HasPrefix(s.output(), hideCursorSeq) {
		t.Fatalf("the cursor is not hidden first: %q", s.output())
	}
	mark := len(s.output())
	h.mustRun("instances", "stop", "pdeb12web01", "--no-wait")
	s.expect(mark, "IN_PROGRESS", 10*time.Second)
	s.expect(mark, "SUCCESS", 15*time.Second)
	screen := s.output()[mark:]
	plain := stripANSI(screen)
	if !regexp.MustCompile(`\+ 5\d+ +IN_PROGRESS +stop-instance`).MatchString(plain) {
		t.Fatalf("the new row is not marked +:\n%s", plain)
	}
	if !regexp.MustCompile(`~ 5\d+ +SUCCESS +stop-instance`).MatchString(plain) {
		t.Fatalf("the changed row is not marked ~:\n%s", plain)
	}
	if !strings.Contains(screen, "\x1b[1m") {
		t.Fatalf("changed rows not bold with colour on: %q", screen)
	}
	// Each refresh goes back to the top of the previous frame and clears it:
	// as many lines up as the previous frame had.
	frames := strings.Split(screen, "\r\x1b[J")
	if len(frames) < 3 {
		t.Fatalf("fewer than 3 frames: %q", screen)
	}
	for i := 1; i < len(frames)-1; i++ {
		lines := strings.Count(frames[i], "\n")
		if up := fmt.Sprintf("\x1b[%dA", lines); !strings.HasSuffix(frames[i], up) {
			t.Fatalf("frame %d has %d lines but the next one does not go up %d: %q", i, lines, lines, frames[i])
		}
	}
	if strings.Contains(screen, "\x1b[2J") {
		t.Fatal("the whole screen was cleared")
	}
	// A resized terminal gets frames of its new width.
	if err := pty.Setsize(s.tty, &pty.Winsize{Rows: 40, Cols: 70}); err != nil {
		t.Fatal(err)
	}
	mark = len(s.output())
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(s.output()[mark:], "\r\x1b[J") < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	frames = strings.Split(s.output()[mark:], "\r\x1b[J")
	if len(frames) < 4 {
		t.Fatalf("no two frames after the resize: %q", s.output()[mark:])
	}
	last := frames[len(frames)-2] // the last complete frame
	for _, l := range strings.Split(stripANSI(last), "\n") {
		if w := utf8.RuneCountInString(strings.TrimRight(l, "\r")); w > 70 {
			t.Fatalf("a %d-column line on a 70-column terminal: %q", w, l)
		}
	}
	mark = len(s.output())
	s.send("\x03")
	if code := s.wait(5 * time.Second); code != 0 {
		t.Fatalf("Ctrl-C: exit %d, want 0:\n%q", code, s.output())
	}
	if !strings.Contains(s.output()[mark:], showCursorSeq) {
		t.Fatalf("cursor not shown after Ctrl-C: %q", s.output()[mark:])
	}
}
