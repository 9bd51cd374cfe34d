package output

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/watch"
)

func watchUpdate(t *testing.T, first bool, marks map[string]string, raw string, events ...watch.Event) watch.Update {
	t.Helper()
	items, err := watch.Items([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	return watch.Update{At: at, Next: at.Add(5 * time.Second), Items: items, Marks: marks, First: first, Events: events}
}

var watchCols = []Column{{Header: "ID", Path: "id"}, {Header: "STATUS", Path: "status"}}

func TestWatchViewRedrawsInPlaceAndMarksChanges(t *testing.T) {
	ios, _, out, _ := testStreams()
	ios.stdoutTTY = true
	ios.height = 40
	p := &Printer{IO: ios}
	v := p.NewWatchView("itcare test", watchCols, 5*time.Second)
	if err := v.Update(watchUpdate(t, true, map[string]string{}, `[{"id":1,"status":"ACTIVE"},{"id":2,"status":"ACTIVE"}]`)); err != nil {
		t.Fatal(err)
	}
	first := out.String()
	if !strings.HasPrefix(first, hideCursor+"\r\x1b[J") || strings.Contains(first, "~") {
		t.Fatalf("first frame %q", first)
	}
	lines := strings.Count(first, "\n")
	out.Reset()
	ch := watch.Event{Kind: watch.Changed}
	if err := v.Update(watchUpdate(t, false, map[string]string{"2": watch.Changed}, `[{"id":1,"status":"ACTIVE"},{"id":2,"status":"STOPPING"}]`, ch)); err != nil {
		t.Fatal(err)
	}
	second := out.String()
	if !strings.HasPrefix(second, fmt.Sprintf("\x1b[%dA\r\x1b[J", lines)) {
		t.Fatalf("second frame does not go back %d lines: %q", lines, second)
	}
	if !strings.Contains(second, "~ 2   STOPPING") || !strings.Contains(second, "  1   ACTIVE") || !strings.Contains(second, "1 changed") {
		t.Fatalf("changed row not marked:\n%s", second)
	}
	if strings.Contains(second, "\x1b[1m") {
		t.Fatalf("bold without colour: %q", second)
	}
	out.Reset()
	v.Close()
	if out.String() != showCursor {
		t.Fatalf("Close wrote %q", out.String())
	}
}

func TestWatchViewBoldWithColour(t *testing.T) {
	ios, _, out, _ := testStreams()
	ios.stdoutTTY = true
	ios.colorEnabled = true
	p := &Printer{IO: ios}
	v := p.NewWatchView("t", watchCols, time.Second)
	_ = v.Update(watchUpdate(t, false, map[string]string{"1": watch.Added}, `[{"id":1,"status":"ACTIVE"}]`))
	if !strings.Contains(out.String(), "\x1b[1m1") {
		t.Fatalf("added row not bold: %q", out.String())
	}
}

func TestWatchViewJSONLines(t *testing.T) {
	ios, _, out, _ := testStreams()
	p := &Printer{IO: ios}
	v := p.NewWatchView("t", watchCols, time.Second)
	items, _ := watch.Items([]byte(`[{"id":2,"status":"STOPPING"}]`))
	at := time.Date(2026, 1, 1, 10, 0, 5, 0, time.UTC)
	_ = v.Update(watch.Update{Items: items, Events: []watch.Event{{Kind: watch.Changed, At: at, Item: items[0]}}})
	_ = v.Update(watch.Update{Items: items}) // nothing changed: nothing printed
	want := `{"event":"changed","at":"2026-01-01T10:00:05Z","item":{"id":2,"status":"STOPPING"}}` + "\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	out.Reset()
	p.Opts.JQ = ".item.status"
	_ = v.Update(watch.Update{Items: items, Events: []watch.Event{{Kind: watch.Changed, At: at, Item: items[0]}}})
	if out.String() != "STOPPING\n" {
		t.Fatalf("--jq per event: %q", out.String())
	}
}

func TestWatchViewCutToTerminalHeight(t *testing.T) {
	ios, _, out, _ := testStreams()
	ios.stdoutTTY = true
	ios.height = 8
	p := &Printer{IO: ios}
	v := p.NewWatchView("t", watchCols, time.Second)
	var rows []string
	for i := 1; i <= 20; i++ {
		rows = append(rows, fmt.Sprintf(`{"id":%d,"status":"ACTIVE"}`, i))
	}
	_ = v.Update(watchUpdate(t, true, nil, "["+strings.Join(rows, ",")+"]"))
	if n := strings.Count(out.String(), "\n"); n != 7 {
		t.Fatalf("%d lines on an 8-line terminal:\n%s", n, out.String())
	}
	if !strings.Contains(out.String(), "… 17 more rows") {
		t.Fatalf("no cut notice:\n%s", out.String())
	}
}
