package cmd

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// startSandboxBinary starts the built `itcare sandbox --addr 127.0.0.1:0
// args...` with env added to the environment, waits for its first line
// (printed once the seed is built) and returns the API URL it names; stop
// interrupts it and returns its stderr (it may be called more than once).
func startSandboxBinary(t *testing.T, env []string, args ...string) (apiURL string, stop func() string) {
	t.Helper()
	cmd := exec.Command(buildItcare(t), append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut strings.Builder
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() string {
		once.Do(func() {
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
		})
		return errOut.String()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	apiURL, ok := strings.CutPrefix(strings.TrimSpace(line), "export ITCARE_API_URL=")
	if err != nil || !ok {
		stop()
		t.Fatalf("first line %q: %v\n%s", line, err, errOut.String())
	}
	return apiURL, stop
}

// TestSandboxGCRunsAtTheRuntimesPace: `itcare sandbox` is a long-running
// server with a large heap; the CLI's soft memory limit (tuneGC) made the
// collector run without end while it seeded and served (115 collections to
// seed 20,000 instances, 3x slower pages at 50,000). The sandbox gives the
// runtime its own pace back.
func TestSandboxGCRunsAtTheRuntimesPace(t *testing.T) {
	// GOGC and GOMEMLIMIT empty: not set, for the runtime and for tuneGC/serverGC.
	_, stop := startSandboxBinary(t, []string{"GODEBUG=gctrace=1", "GOGC=", "GOMEMLIMIT="}, "--instances", "20000")
	trace := stop()
	gcs := 0
	for _, l := range strings.Split(trace, "\n") {
		if strings.HasPrefix(l, "gc ") {
			gcs++
		}
	}
	if gcs == 0 || gcs > 60 {
		t.Fatalf("%d collections to seed 20,000 instances, want 1 to 60 (115 under the CLI's soft limit)", gcs)
	}
	t.Logf("%d collections", gcs)
}
