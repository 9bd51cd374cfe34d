package cmd

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSandboxGCRunsAtTheRuntimesPace: `itcare sandbox` is a long-running
// server with a large heap; the CLI's soft memory limit (tuneGC) made the
// collector run without end while it seeded and served (115 collections to
// seed 20,000 instances, 3x slower pages at 50,000). The sandbox gives the
// runtime its own pace back.
func TestSandboxGCRunsAtTheRuntimesPace(t *testing.T) {
	bin := buildItcare(t)
	cmd := exec.Command(bin, "sandbox", "--addr", "127.0.0.1:0", "--instances", "20000")
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		cmd.Env = append(cmd.Env, k+"=") // empty: not set for the runtime, and not for tuneGC/serverGC
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var trace strings.Builder
	cmd.Stderr = &trace
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The first line comes once the seed is built.
	line, err := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if err != nil || !strings.HasPrefix(line, "export ITCARE_API_URL=") {
		t.Fatalf("first line %q: %v\n%s", line, err, trace.String())
	}
	gcs := 0
	for _, l := range strings.Split(trace.String(), "\n") {
		if strings.HasPrefix(l, "gc ") {
			gcs++
		}
	}
	if gcs == 0 || gcs > 60 {
		t.Fatalf("%d collections to seed 20,000 instances, want 1 to 60 (115 under the CLI's soft limit)", gcs)
	}
	t.Logf("%d collections", gcs)
}
