package output

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/briandowns/spinner"
	"github.com/mattn/go-isatty"
	"golang.org/x/term"

	"github.com/itcare-cli/itcare/internal/redact"
)

// IOStreams is the one place commands read and write through. Data goes to
// Out; everything meant for the person at the terminal (progress, spinner,
// warnings, errors) goes to ErrOut, so `itcare ... | jq` always reads clean
// data.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer // data only
	ErrOut io.Writer // progress, spinner, warnings, errors

	// rawOut is Out without the redaction of known secrets, for the one
	// command that prints a token on purpose (`auth token`).
	rawOut io.Writer

	stdinTTY     bool
	stdoutTTY    bool
	stderrTTY    bool
	colorEnabled bool
	width        int
	height       int
	resize       func() (width, height int) // nil: a fixed size (tests)

	// mu guards the spinner state and every write the spinner competes with
	// on ErrOut (frames, warnings, the final clear).
	mu         sync.Mutex
	spinActive bool
	spinLabel  string
	spinFrame  int
	spinEvery  time.Duration
	spinStop   chan struct{}
	spinDone   chan struct{}
}

const defaultWidth = 80

// spinnerFrames is the braille set of github.com/briandowns/spinner. The
// animation loop is ours: that library only draws when its writer is a real
// terminal file, which would make the forced-TTY mode of tests (and any
// non-file ErrOut) silently show nothing.
var spinnerFrames = spinner.CharSets[14]

// Terminal says which streams are terminals, the terminal's size and
// whether colour is on.
type Terminal struct {
	StdinTTY, StdoutTTY, StderrTTY bool
	Width                          int // 0: 80
	Height                         int // 0: unknown (24 assumed)
	Color                          bool
}

// NewIOStreams returns streams on in, out and errOut that behave as t says.
// What is written to out and errOut goes through the masking of known
// secrets.
func NewIOStreams(in io.Reader, out, errOut io.Writer, t Terminal) *IOStreams {
	return &IOStreams{
		In:           in,
		Out:          redact.NewWriter(out),
		ErrOut:       redact.NewWriter(errOut),
		rawOut:       out,
		stdinTTY:     t.StdinTTY,
		stdoutTTY:    t.StdoutTTY,
		stderrTTY:    t.StderrTTY,
		colorEnabled: t.Color,
		width:        cmp.Or(max(t.Width, 0), defaultWidth),
		height:       max(t.Height, 0),
		spinEvery:    100 * time.Millisecond,
	}
}

// System returns streams on the process's stdin, stdout and stderr, with
// terminal detection, size and colour decided from the environment.
func System() *IOStreams {
	t := Terminal{StdinTTY: isTerminal(os.Stdin), StdoutTTY: isTerminal(os.Stdout), StderrTTY: isTerminal(os.Stderr)}
	t.Width, t.Height = systemSize(t.StdoutTTY, t.StderrTTY)
	t.Color = t.StdoutTTY && colorAllowedByEnv()
	s := NewIOStreams(os.Stdin, os.Stdout, os.Stderr, t)
	s.resize = func() (int, int) { return systemSize(s.stdoutTTY, s.stderrTTY) }
	return s
}

// UpdateSize reads the terminal's size again (it may have been resized
// since start-up), for displays that redraw; streams on buffers keep theirs.
func (s *IOStreams) UpdateSize() {
	if s.resize != nil {
		s.width, s.height = s.resize()
	}
}

// RawOut is stdout without the masking of known secrets: only for data that
// is a secret on purpose (`itcare auth token`). Everything else uses Out.
func (s *IOStreams) RawOut() io.Writer {
	s.Flush()
	if s.rawOut == nil {
		return s.Out
	}
	return s.rawOut
}

// Flush writes what the redacting writers kept back (the start of what
// might have been a secret split across writes). Called when a command ends.
func (s *IOStreams) Flush() {
	for _, w := range []io.Writer{s.Out, s.ErrOut} {
		if f, ok := w.(interface{ Flush() error }); ok {
			_ = f.Flush()
		}
	}
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// colorAllowedByEnv: NO_COLOR present with any value, or TERM=dumb, turn colour off.
func colorAllowedByEnv() bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	return os.Getenv("TERM") != "dumb"
}

// systemSize: COLUMNS and LINES when they are positive numbers, else the
// size of the terminal on stdout (or stderr); a width of 80 and a height of
// 0 (unknown) otherwise.
func systemSize(stdoutTTY, stderrTTY bool) (width, height int) {
	env := func(k string) int {
		if c, err := strconv.Atoi(strings.TrimSpace(os.Getenv(k))); err == nil && c > 0 {
			return c
		}
		return 0
	}
	width, height = env("COLUMNS"), env("LINES")
	for _, f := range []struct {
		tty bool
		fd  uintptr
	}{{stdoutTTY, os.Stdout.Fd()}, {stderrTTY, os.Stderr.Fd()}} {
		if !f.tty || (width > 0 && height > 0) {
			continue
		}
		if w, h, err := term.GetSize(int(f.fd)); err == nil && w > 0 {
			width, height = cmp.Or(width, w), cmp.Or(height, h)
		}
	}
	return cmp.Or(width, defaultWidth), height
}

func (s *IOStreams) IsStdoutTTY() bool  { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool  { return s.stderrTTY }
func (s *IOStreams) IsStdinTTY() bool   { return s.stdinTTY }
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }
func (s *IOStreams) DisableColor()      { s.colorEnabled = false }
func (s *IOStreams) CanPrompt() bool    { return s.stdinTTY && s.stderrTTY }

// defaultHeight is the terminal height assumed when it is unknown.
const defaultHeight = 24

// TerminalHeight is the number of lines of the terminal (24 when unknown).
func (s *IOStreams) TerminalHeight() int {
	if s.height <= 0 {
		return defaultHeight
	}
	return s.height
}

// TerminalWidth is the width tables and the spinner fit in (80 when unknown).
func (s *IOStreams) TerminalWidth() int {
	if s.width <= 0 {
		return defaultWidth
	}
	return s.width
}

// Colour helpers: plain text when colour is off.

func (s *IOStreams) Bold(t string) string   { return s.paint("1", t) }
func (s *IOStreams) Green(t string) string  { return s.paint("32", t) }
func (s *IOStreams) Red(t string) string    { return s.paint("31", t) }
func (s *IOStreams) Yellow(t string) string { return s.paint("33", t) }
func (s *IOStreams) Gray(t string) string   { return s.paint("90", t) }

func (s *IOStreams) paint(code, t string) string {
	if !s.colorEnabled || t == "" {
		return t
	}
	return "\x1b[" + code + "m" + t + "\x1b[0m"
}

// ANSI sequences the spinner uses.
const (
	clearLine  = "\r\x1b[K"
	hideCursor = "\x1b[?25l"
	showCursor = "\x1b[?25h"
)

// StartProgress shows a spinner with label on ErrOut when stderr is a
// terminal, and does nothing otherwise. The label follows the frame after a
// space. Starting while running only changes the label.
func (s *IOStreams) StartProgress(label string) {
	if !s.stderrTTY {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spinLabel = label
	if s.spinActive {
		s.drawLocked()
		return
	}
	s.spinActive = true
	s.spinFrame = 0
	fmt.Fprint(s.ErrOut, hideCursor)
	s.drawLocked()
	stop, done := make(chan struct{}), make(chan struct{})
	s.spinStop, s.spinDone = stop, done
	every := s.spinEvery
	if every <= 0 {
		every = 100 * time.Millisecond
	}
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.mu.Lock()
				if s.spinActive && s.spinStop == stop {
					s.spinFrame = (s.spinFrame + 1) % len(spinnerFrames)
					s.drawLocked()
				}
				s.mu.Unlock()
			}
		}
	}()
}

// UpdateProgress changes the label of a running spinner; it does nothing
// when no spinner runs.
func (s *IOStreams) UpdateProgress(label string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.spinActive {
		return
	}
	s.spinLabel = label
	s.drawLocked()
}

// StopProgress stops the spinner, clears its line and shows the cursor
// again. It is safe to call at any time, any number of times; it writes
// nothing when no spinner runs.
func (s *IOStreams) StopProgress() {
	s.mu.Lock()
	if !s.spinActive {
		s.mu.Unlock()
		return
	}
	s.spinActive = false
	stop, done := s.spinStop, s.spinDone
	s.spinStop, s.spinDone = nil, nil
	fmt.Fprint(s.ErrOut, clearLine+showCursor)
	s.mu.Unlock()
	close(stop)
	<-done
}

// drawLocked rewrites the spinner line, fitted to the width so that it never
// wraps (a wrapped line could not be cleared with \r). Caller holds s.mu.
func (s *IOStreams) drawLocked() {
	label := strings.TrimLeft(s.spinLabel, " ")
	line := spinnerFrames[s.spinFrame%len(spinnerFrames)]
	if label != "" {
		line += " " + label
	}
	line = truncateDisplay(strings.ReplaceAll(line, "\n", " "), s.TerminalWidth()-1)
	fmt.Fprint(s.ErrOut, clearLine+line)
}

// Warnf writes "warning: ..." on its own line of ErrOut. A running spinner
// is cleared first and redrawn after, so the two never share a line.
func (s *IOStreams) Warnf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.spinActive {
		fmt.Fprint(s.ErrOut, clearLine)
	}
	fmt.Fprint(s.ErrOut, "warning: "+msg)
	if s.spinActive {
		s.drawLocked()
	}
}

// writeErrLine writes a line to ErrOut without garbling a running spinner.
func (s *IOStreams) writeErrLine(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.spinActive {
		fmt.Fprint(s.ErrOut, clearLine)
	}
	fmt.Fprint(s.ErrOut, line)
	if s.spinActive {
		s.drawLocked()
	}
}
