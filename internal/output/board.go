package output

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// BoardRow is what the live board shows of one target of a change.
type BoardRow struct {
	Name     string // "web01"
	ActionID int64  // 0 before the change is accepted
	State    string // QUEUED, SENDING, RETRY, IN_PROGRESS, or an outcome (SUCCESS, ERROR...)
	Message  string
	Started  time.Time // when it was sent; zero before
	Done     bool
}

// Board shows a change running on many targets, on stderr. On a terminal
// it is a block of lines, one per target (name, action id, state, elapsed
// time), redrawn in place and folded to the terminal's height with a count
// of the rest; otherwise it prints one plain line per state change and no
// escape codes.
type Board struct {
	io  *IOStreams
	now func() time.Time

	mu      sync.Mutex
	rows    []BoardRow
	screen  redraw // the block on stderr
	frame   int
	nameW   int
	stop    chan struct{}
	stopped chan struct{}
}

// NewBoard prepares a board for rows (their names and initial states).
func NewBoard(s *IOStreams, rows []BoardRow) *Board {
	b := &Board{io: s, now: time.Now, rows: append([]BoardRow(nil), rows...), screen: redraw{ios: s, w: s.ErrOut}}
	for i, r := range b.rows {
		b.rows[i].Name = Sanitize(r.Name)
		b.nameW = max(b.nameW, len([]rune(b.rows[i].Name)))
	}
	b.nameW = min(b.nameW, 40)
	return b
}

// Start draws the board and, on a terminal, redraws it every 200 ms (the
// elapsed times move on).
func (b *Board) Start() {
	if !b.io.IsStderrTTY() {
		return
	}
	b.mu.Lock()
	b.drawLocked()
	b.mu.Unlock()
	b.stop, b.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(b.stopped)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.mu.Lock()
				b.frame++
				b.drawLocked()
				b.mu.Unlock()
			}
		}
	}()
}

// Update records the new state of row i.
func (b *Board) Update(i int, r BoardRow) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i < 0 || i >= len(b.rows) {
		return
	}
	prev := b.rows[i]
	r.Name, r.Message = Sanitize(r.Name), Sanitize(r.Message) // they come from the server
	b.rows[i] = r
	if b.io.IsStderrTTY() {
		if b.stop != nil {
			b.drawLocked()
		}
		return
	}
	if r.State == prev.State || r.State == "QUEUED" || r.State == "SENDING" {
		return
	}
	line := r.Name + ": " + r.State
	if r.ActionID != 0 {
		line += fmt.Sprintf(" (action %d)", r.ActionID)
	}
	if r.Done && !r.Started.IsZero() && r.State != "SUBMITTED" && r.State != "VALIDATED" {
		line += " in " + b.elapsed(r)
	}
	if r.Message != "" {
		line += ": " + oneLine.Replace(r.Message)
	}
	fmt.Fprintln(b.io.ErrOut, line)
}

// Stop draws the final board (on a terminal) and leaves the cursor below it.
func (b *Board) Stop() {
	if b.stop != nil {
		close(b.stop)
		<-b.stopped
		b.stop = nil
		b.mu.Lock()
		b.drawLocked()
		b.screen.close()
		b.mu.Unlock()
	}
}

func (b *Board) elapsed(r BoardRow) string {
	if r.Started.IsZero() {
		return ""
	}
	return b.now().Sub(r.Started).Round(time.Second).String()
}

func active(r BoardRow) bool { return !r.Done && r.State != "QUEUED" }

// drawLocked redraws the block in place, each line fitted to the width.
func (b *Board) drawLocked() {
	lines := b.linesLocked()
	w := b.io.TerminalWidth() - 1
	for i, l := range lines {
		lines[i] = truncateDisplay(l, w)
	}
	_ = b.screen.draw(lines)
}

// linesLocked picks the rows that fit the terminal: the running ones first,
// then the finished ones, then the queued ones, shown in their own order,
// with one last line counting the others.
func (b *Board) linesLocked() []string {
	limit := max(b.io.TerminalHeight()-2, 3)
	show := make([]bool, len(b.rows))
	if len(b.rows) <= limit {
		for i := range show {
			show[i] = true
		}
	} else {
		room := limit - 1
		for _, pick := range []func(BoardRow) bool{active, func(r BoardRow) bool { return r.Done }, func(BoardRow) bool { return true }} {
			for i := range b.rows {
				if room == 0 {
					break
				}
				if !show[i] && pick(b.rows[i]) {
					show[i] = true
					room--
				}
			}
		}
	}
	var lines []string
	var hidden, hiddenDone, hiddenQueued int
	for i, r := range b.rows {
		if !show[i] {
			hidden++
			switch {
			case r.Done:
				hiddenDone++
			case r.State == "QUEUED":
				hiddenQueued++
			}
			continue
		}
		lines = append(lines, b.rowLine(r))
	}
	if hidden > 0 {
		l := fmt.Sprintf("  … and %d more", hidden)
		var parts []string
		if hiddenDone > 0 {
			parts = append(parts, fmt.Sprintf("%d done", hiddenDone))
		}
		if hiddenQueued > 0 {
			parts = append(parts, fmt.Sprintf("%d queued", hiddenQueued))
		}
		if n := hidden - hiddenDone - hiddenQueued; n > 0 {
			parts = append(parts, fmt.Sprintf("%d running", n))
		}
		lines = append(lines, l+" ("+strings.Join(parts, ", ")+")")
	}
	return lines
}

func (b *Board) rowLine(r BoardRow) string {
	mark := " "
	switch {
	case active(r):
		mark = spinnerFrames[b.frame%len(spinnerFrames)]
	case r.State == "SUCCESS" || r.State == "VALIDATED" || r.State == "SUBMITTED":
		mark = b.io.Green("✓")
	case r.State == "ERROR" || r.State == "FAILED" || r.State == "TIMEOUT":
		mark = b.io.Red("✗")
	case r.State == "SKIPPED":
		mark = b.io.Gray("-")
	case r.State == "QUEUED":
		mark = b.io.Gray("·")
	}
	name := truncateDisplay(r.Name, b.nameW)
	action := ""
	if r.ActionID != 0 {
		action = fmt.Sprintf("action %d", r.ActionID)
	}
	line := fmt.Sprintf("%s %-*s  %-14s  %-11s  %5s", mark, b.nameW, name, action, r.State, b.elapsed(r))
	if r.Message != "" {
		line += "  " + oneLine.Replace(r.Message)
	}
	return strings.TrimRight(line, " ")
}

// PlanItem is a target the plan mentions with a reason.
type PlanItem struct {
	Name string
	Why  string
}

// Plan is what a change on many targets will do, shown before anything is
// sent.
type Plan struct {
	Operation string   // "stop"
	Noun      string   // plural: "instances"
	Send      []string // the targets to send it to
	Skip      []PlanItem
	Fail      []PlanItem // status does not allow the operation
	Unknown   []PlanItem // did not resolve: nothing will be sent
}

// planFold is how many names of each part of the plan are shown.
const planFold = 10

// PrintPlan writes the plan on stderr: the operation, how many targets and
// their names (long lists folded with a count), and which are skipped or
// refused and why.
func PrintPlan(s *IOStreams, p Plan) {
	var b strings.Builder
	total := len(p.Send) + len(p.Skip) + len(p.Fail) + len(p.Unknown)
	if len(p.Send) == total {
		fmt.Fprintf(&b, "%s %d %s", p.Operation, len(p.Send), p.Noun)
	} else {
		fmt.Fprintf(&b, "%s %d of %d %s", p.Operation, len(p.Send), total, p.Noun)
	}
	if len(p.Send) > 0 {
		b.WriteString(": " + foldNames(p.Send))
	}
	b.WriteString("\n")
	for _, part := range []struct {
		label string
		items []PlanItem
	}{{"skip", p.Skip}, {"not allowed", p.Fail}, {"unknown", p.Unknown}} {
		for i, it := range part.items {
			if i == planFold {
				fmt.Fprintf(&b, "  %s: … and %d more\n", part.label, len(part.items)-planFold)
				break
			}
			fmt.Fprintf(&b, "  %s %s: %s\n", part.label, Sanitize(it.Name), Sanitize(oneLine.Replace(it.Why)))
		}
	}
	s.writeErrLine(b.String())
}

func foldNames(names []string) string {
	shown := names[:min(len(names), planFold)]
	out := Sanitize(strings.Join(shown, ", "))
	if len(names) > planFold {
		out += fmt.Sprintf(", … and %d more", len(names)-planFold)
	}
	return out
}

// SummaryPart is one count of the final summary line: 12 "stopped".
type SummaryPart struct {
	Count int
	Word  string
}

// PrintSummary writes the one summary line of a change on many targets:
// "12 stopped, 1 failed, 2 skipped in 48s".
func PrintSummary(s *IOStreams, parts []SummaryPart, d time.Duration) {
	var out []string
	for _, p := range parts {
		if p.Count > 0 {
			out = append(out, fmt.Sprintf("%d %s", p.Count, p.Word))
		}
	}
	if len(out) == 0 {
		out = []string{"nothing to do"}
	}
	s.writeErrLine(strings.Join(out, ", ") + " in " + d.Round(time.Second).String() + "\n")
}
