package output

import (
	"strings"
	"testing"
	"time"
)

// A finished action shows how long it ran; blank process and resource
// leave no empty brackets.
func TestWaitUIFinalLine(t *testing.T) {
	s, _, _, errOut := testStreams()
	u := NewWaitUI(s, []int64{778})
	u.Start()
	u.Update(WaitItem{ID: 778, Process: " ", Resource: "", Status: "SUCCESS", Took: 12*time.Second + 340*time.Millisecond})
	u.Stop()
	got := errOut.String()
	if !strings.Contains(got, "action 778: SUCCESS (took 12.3s)\n") || strings.Contains(got, "( )") {
		t.Fatalf("got %q", got)
	}
	s, _, _, errOut = testStreams()
	s.stderrTTY = true
	u = NewWaitUI(s, []int64{779})
	u.Start()
	u.Update(WaitItem{ID: 779, Process: "stop-instance", Resource: "web01", Status: "ERROR", Took: 3 * time.Minute})
	u.Stop()
	if got := errOut.String(); !strings.Contains(got, "action 779 (stop-instance web01): ERROR (took 3m0s)\n") {
		t.Fatalf("terminal: %q", got)
	}
}
