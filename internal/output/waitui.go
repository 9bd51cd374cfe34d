package output

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// WaitItem is what the wait display knows of one action.
type WaitItem struct {
	ID       int64
	Resource string
	Process  string
	Status   string
	Message  string
	// Took is how long the action ran by the API's dates (submitted to
	// completed), when it has ended and they are known.
	Took time.Duration
}

// WaitUI shows actions being waited on. On a terminal (stderr) it runs a
// spinner naming each running action with its elapsed time and prints one
// line when an action ends; otherwise it prints one plain line per status
// change. Everything goes to stderr.
type WaitUI struct {
	io    *IOStreams
	now   func() time.Time
	start time.Time

	mu      sync.Mutex
	items   map[int64]*WaitItem
	order   []int64
	stop    chan struct{}
	stopped chan struct{}
}

// NewWaitUI prepares a display for the given action ids.
func NewWaitUI(s *IOStreams, ids []int64) *WaitUI {
	u := &WaitUI{io: s, now: time.Now, items: map[int64]*WaitItem{}}
	for _, id := range ids {
		if _, dup := u.items[id]; !dup {
			u.items[id] = &WaitItem{ID: id}
			u.order = append(u.order, id)
		}
	}
	return u
}

// Start begins the display.
func (u *WaitUI) Start() {
	u.start = u.now()
	if !u.io.IsStderrTTY() {
		fmt.Fprintf(u.io.ErrOut, "waiting for action(s) %s\n", u.idList())
		return
	}
	u.io.StartProgress(u.label())
	u.stop, u.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(u.stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-u.stop:
				return
			case <-t.C:
				u.mu.Lock()
				l := u.label()
				u.mu.Unlock()
				u.io.UpdateProgress(l)
			}
		}
	}()
}

// Update records a status change.
func (u *WaitUI) Update(it WaitItem) {
	u.mu.Lock()
	defer u.mu.Unlock()
	cur, ok := u.items[it.ID]
	if !ok {
		cur = &WaitItem{ID: it.ID}
		u.items[it.ID] = cur
		u.order = append(u.order, it.ID)
	}
	*cur = it
	elapsed := u.elapsed()
	final := it.Status == "SUCCESS" || it.Status == "ERROR"
	if final && it.Took > 0 {
		elapsed = "took " + roundDuration(it.Took)
	}
	if !u.io.IsStderrTTY() {
		fmt.Fprintf(u.io.ErrOut, "action %d%s: %s (%s)\n", it.ID, describe(it), it.Status, elapsed)
		return
	}
	if final {
		mark := u.io.Green("✓")
		if it.Status == "ERROR" {
			mark = u.io.Red("✗")
		}
		u.io.StopProgress()
		fmt.Fprintf(u.io.ErrOut, "%s action %d%s: %s (%s)\n", mark, it.ID, describe(it), it.Status, elapsed)
		if u.running() > 0 {
			u.io.StartProgress(u.label())
		}
		return
	}
	u.io.UpdateProgress(u.label())
}

// Stop ends the display and leaves the terminal clean.
func (u *WaitUI) Stop() {
	if u.stop != nil {
		close(u.stop)
		<-u.stopped
		u.stop = nil
	}
	u.io.StopProgress()
}

func (u *WaitUI) elapsed() string {
	return u.now().Sub(u.start).Round(time.Second).String()
}

func (u *WaitUI) running() int {
	n := 0
	for _, it := range u.items {
		if it.Status != "SUCCESS" && it.Status != "ERROR" {
			n++
		}
	}
	return n
}

// label is the spinner text: every running action, fitted to the width.
func (u *WaitUI) label() string {
	var parts []string
	for _, id := range u.order {
		it := u.items[id]
		if it.Status == "SUCCESS" || it.Status == "ERROR" {
			continue
		}
		parts = append(parts, fmt.Sprintf("action %d%s", id, describe(*it)))
	}
	l := " " + strings.Join(parts, ", ") + " (" + u.elapsed() + ")"
	if w := u.io.TerminalWidth() - 4; w > 20 && len([]rune(l)) > w {
		l = fmt.Sprintf(" %d actions running (%s)", len(parts), u.elapsed())
	}
	return l
}

func (u *WaitUI) idList() string {
	ids := append([]int64(nil), u.order...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, " ")
}

// roundDuration shows d to the second, or to the tenth under a minute.
func roundDuration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func describe(it WaitItem) string {
	var parts []string
	for _, p := range []string{it.Process, it.Resource} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + Sanitize(strings.Join(parts, " ")) + ")"
}
