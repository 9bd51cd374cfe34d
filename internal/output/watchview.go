package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/itcare-cli/itcare/internal/watch"
)

// WatchView shows what a watch sees (it is a watch.Sink).
//
// On a terminal, with a table format (table, wide, columns=), the table is
// redrawn in place on stdout: the cursor goes back to the top of the previous
// frame and the screen below it is cleared, so nothing scrolls. A status line
// above the table gives the time of the last refresh and of the next one and
// counts the changes; rows added or changed by the last refresh are marked in
// a two-column gutter ("+" added, "~" changed) and, with colour, in bold. The
// frame is cut to the terminal's height. The cursor is hidden while watching
// and shown again by Close.
//
// Otherwise (piped, -o json, --jq) each change is one compact JSON object
// per line, {"event":"added|changed|removed","at":"RFC 3339","item":{...}}
// (with --jq, the expression runs on that object); unchanged items print
// nothing. The first poll reports every item as added.
//
// Failed polls are reported on stderr as warnings; on a terminal the line is
// counted so that the next frame replaces it too.
type WatchView struct {
	p        *Printer
	cols     []Column
	title    string
	interval time.Duration
	liveScreen
}

// NewWatchView prepares the view of a watch over a list of cols, titled
// (e.g. "itcare instances list"), refreshed every interval.
func (p *Printer) NewWatchView(title string, cols []Column, interval time.Duration) *WatchView {
	return &WatchView{
		p: p, cols: cols, title: title, interval: interval,
		liveScreen: newLiveScreen(p),
	}
}

// Update draws one successful poll.
func (v *WatchView) Update(u watch.Update) error {
	if !v.live {
		return v.printEvents(u.Events)
	}
	v.p.IO.UpdateSize()
	return v.draw(v.frame(u))
}

// liveScreen is what a watch draws on: live (a terminal and a table
// format) frames are redrawn in place; otherwise data is printed and
// warnings go to stderr as lines.
type liveScreen struct {
	redraw
	live bool
}

func newLiveScreen(p *Printer) liveScreen {
	return liveScreen{redraw: redraw{ios: p.IO}, live: p.Opts.Format.IsTable() && p.Opts.JQ == "" && p.IO.IsStdoutTTY()}
}

// Error reports a failed poll that is retried at next.
func (l *liveScreen) Error(err error, at, next time.Time) {
	if !l.live {
		l.ios.writeErrLine(retryWarning(err, at, next))
		return
	}
	l.warn(retryWarning(err, at, next))
}

// Close leaves the terminal as it was: the cursor shown, after the last frame.
func (l *liveScreen) Close() { l.close() }

func clockTime(t time.Time) string { return t.In(time.Local).Format("15:04:05") }

func retryWarning(err error, at, next time.Time) string {
	return fmt.Sprintf("warning: %s: %v; retrying at %s\n", clockTime(at), err, clockTime(next))
}

// statusLine is the first line of a frame: what is watched, how often,
// when it was refreshed and will be next, and notes (change counts).
func statusLine(ios *IOStreams, title string, interval time.Duration, at, next time.Time, notes ...string) string {
	parts := append([]string{title, "every " + interval.String(), "refreshed " + clockTime(at), "next " + clockTime(next)}, notes...)
	return ios.Gray(truncateDisplay(strings.Join(parts, " · "), ios.TerminalWidth()-1))
}

// redraw redraws a frame in place on stdout (a watch) or stderr (the board
// of a change): back to the top of the previous frame, clear below, write.
// The cursor is hidden until close.
type redraw struct {
	ios    *IOStreams
	w      io.Writer // where frames go; nil: stdout
	drawn  int       // lines written since the top of the current frame
	hidden bool
}

func (f *redraw) out() io.Writer {
	if f.w != nil {
		return f.w
	}
	return f.ios.Out
}

// draw replaces the previous frame with lines.
func (f *redraw) draw(lines []string) error {
	var b strings.Builder
	if !f.hidden {
		b.WriteString(hideCursor)
		f.hidden = true
	}
	if f.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", f.drawn)
	}
	b.WriteString("\r\x1b[J")
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\n")
	}
	f.drawn = len(lines)
	_, err := fmt.Fprint(f.out(), b.String())
	return err
}

// warn writes a one-line warning on stderr, cut to the width; when stderr
// is the terminal too, the next frame clears it.
func (f *redraw) warn(msg string) {
	msg = oneLine.Replace(strings.TrimSuffix(msg, "\n"))
	fmt.Fprintln(f.ios.ErrOut, f.ios.Yellow(truncateDisplay(msg, f.ios.TerminalWidth()-1)))
	if f.ios.IsStderrTTY() {
		f.drawn++
	}
}

// close shows the cursor again.
func (f *redraw) close() {
	if f.hidden {
		fmt.Fprint(f.out(), showCursor)
		f.hidden = false
	}
}

func (v *WatchView) printEvents(events []watch.Event) error {
	for _, e := range events {
		if v.p.Opts.JQ != "" {
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			g, err := toGeneric(json.RawMessage(b))
			if err != nil {
				return err
			}
			if err := v.p.printJQ(g); err != nil {
				return err
			}
			continue
		}
		if err := encodeJSON(v.p.IO.Out, e, false); err != nil {
			return err
		}
	}
	return nil
}

// frame renders the lines of one frame: the status line, then the table.
func (v *WatchView) frame(u watch.Update) []string {
	ios := v.p.IO
	width := ios.TerminalWidth()
	counts := map[string]int{}
	for _, e := range u.Events {
		counts[e.Kind]++
	}
	var notes []string
	if !u.First {
		for _, k := range []string{watch.Added, watch.Changed, watch.Removed} {
			if counts[k] > 0 {
				notes = append(notes, fmt.Sprintf("%d %s", counts[k], k))
			}
		}
	}
	lines := []string{statusLine(ios, v.title, v.interval, u.At, u.Next, notes...)}

	list := make([]any, 0, len(u.Items))
	for _, it := range u.Items {
		g, err := toGeneric(it.Raw)
		if err != nil {
			g = map[string]any{}
		}
		list = append(list, g)
	}
	if len(list) == 0 {
		return append(lines, "", ios.Gray("  (nothing)"))
	}
	cols := v.cols
	if cols == nil {
		cols = deriveColumns(list)
	}
	t, err := v.p.listTable(list, cols)
	if err != nil {
		return append(lines, "", "  "+err.Error())
	}
	t.width = width - 2 // the gutter
	var buf bytes.Buffer
	if err := renderTable(&buf, ios, t); err != nil {
		return append(lines, "", "  "+err.Error())
	}
	table := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	headerLines := 0
	if t.header != nil {
		headerLines = 1
	}
	lines = append(lines, "")
	for i, l := range table {
		mark := ""
		if r := i - headerLines; r >= 0 && r < len(u.Items) && !u.First {
			mark = u.Marks[u.Items[r].Key]
		}
		switch mark {
		case watch.Added:
			lines = append(lines, ios.Green("+")+" "+v.bold(l))
		case watch.Changed:
			lines = append(lines, ios.Yellow("~")+" "+v.bold(l))
		default:
			lines = append(lines, "  "+l)
		}
	}
	// Keep the frame within the terminal, with a line left for the cursor.
	if h := ios.TerminalHeight() - 1; len(lines) > h && h >= 4 {
		hidden := len(lines) - (h - 1)
		lines = append(lines[:h-1], ios.Gray(fmt.Sprintf("  … %d more rows (make the terminal taller, or filter)", hidden)))
	}
	return lines
}

// bold makes a whole row bold, through the colour resets inside it.
func (v *WatchView) bold(line string) string {
	if !v.p.IO.ColorEnabled() {
		return line
	}
	return "\x1b[1m" + strings.ReplaceAll(line, "\x1b[0m", "\x1b[0m\x1b[1m") + "\x1b[0m"
}
