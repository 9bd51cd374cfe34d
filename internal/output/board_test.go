package output

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestBoardFoldsToTerminalHeight(t *testing.T) {
	ios, _, _, errOut := testStreams()
	ios.stderrTTY = true
	ios.height = 8 // 6 lines: 5 rows and the count of the rest
	rows := make([]BoardRow, 12)
	for i := range rows {
		rows[i] = BoardRow{Name: fmt.Sprintf("web%02d", i), State: "QUEUED"}
	}
	b := NewBoard(ios, rows)
	b.Start()
	now := time.Now()
	for i := 0; i < 3; i++ {
		b.Update(i, BoardRow{Name: rows[i].Name, State: "SUCCESS", ActionID: int64(100 + i), Started: now, Done: true})
	}
	b.Update(7, BoardRow{Name: "web07", State: "IN_PROGRESS", ActionID: 107, Started: now})
	b.Stop()
	screen := errOut.String()
	last := screen[strings.LastIndex(screen, "\x1b[6A"):]
	if !strings.Contains(last, "web07  action 107") || !strings.Contains(last, "… and 7 more (7 queued)") {
		t.Fatalf("folded board:\n%q", last)
	}
	if n := strings.Count(last, "\n"); n != 6 {
		t.Fatalf("%d lines on a terminal of 8:\n%q", n, last)
	}
}

func TestBoardPipedPrintsOneLinePerStateChange(t *testing.T) {
	ios, _, _, errOut := testStreams()
	b := NewBoard(ios, []BoardRow{{Name: "web01", State: "QUEUED"}})
	b.Start()
	b.Update(0, BoardRow{Name: "web01", State: "SENDING"})
	b.Update(0, BoardRow{Name: "web01", State: "IN_PROGRESS", ActionID: 5, Message: "stop-instance"})
	b.Update(0, BoardRow{Name: "web01", State: "IN_PROGRESS", ActionID: 5, Message: "stop-instance"})
	b.Update(0, BoardRow{Name: "web01", State: "ERROR", ActionID: 5, Message: "no", Done: true, Started: time.Now()})
	b.Stop()
	want := "web01: IN_PROGRESS (action 5): stop-instance\nweb01: ERROR (action 5) in 0s: no\n"
	if errOut.String() != want {
		t.Fatalf("piped:\n%q\nwant\n%q", errOut.String(), want)
	}
}

func TestPlanFoldsLongLists(t *testing.T) {
	ios, _, _, errOut := testStreams()
	var names []string
	for i := 0; i < 15; i++ {
		names = append(names, fmt.Sprintf("n%d", i))
	}
	PrintPlan(ios, Plan{Operation: "stop", Noun: "instances", Send: names, Skip: []PlanItem{{Name: "x", Why: "already INACTIVE"}}})
	want := "stop 15 of 16 instances: n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, … and 5 more\n  skip x: already INACTIVE\n"
	if errOut.String() != want {
		t.Fatalf("plan %q", errOut.String())
	}
}

// Names and messages come from the server: an escape sequence in them is
// shown, not obeyed.
func TestBoardAndPlanShowServerEscapesHarmless(t *testing.T) {
	ios, _, _, errOut := testStreams()
	b := NewBoard(ios, []BoardRow{{Name: "web\x1b]0;pwned\x07", State: "QUEUED"}})
	b.Start()
	b.Update(0, BoardRow{Name: "web\x1b]0;pwned\x07", State: "ERROR", Message: "bad\x1b[2J", Done: true})
	b.Stop()
	PrintPlan(ios, Plan{Operation: "stop", Noun: "instances", Send: []string{"a\x1b[2Jb"}, Skip: []PlanItem{{Name: "c\x1b[H", Why: "x\x1b[1A"}}})
	if strings.Contains(errOut.String(), "\x1b") {
		t.Fatalf("raw escape on stderr: %q", errOut.String())
	}
}
