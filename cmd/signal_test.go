package cmd

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runUntilSignal starts the built binary, sends sig after delay and
// returns the exit code, stderr and how long the process took to end
// after the signal.
func runUntilSignal(t *testing.T, env []string, sig os.Signal, delay time.Duration, args ...string) (int, string, time.Duration) {
	t.Helper()
	bin := buildItcare(t)
	c := exec.Command(bin, args...)
	c.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	time.Sleep(delay)
	sent := time.Now()
	if err := c.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return code, stderr.String(), time.Since(sent)
	case <-time.After(10 * time.Second):
		c.Process.Kill()
		t.Fatalf("%v: still running 10s after %v\n%s", args, sig, stderr.String())
	}
	return 0, "", 0
}

func TestOneSignalEndsEveryCommandWith130(t *testing.T) {
	dir := t.TempDir()
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"access_token":"tok-tok-tok-tok","token_type":"Bearer","expires_in":300}`)
			return
		}
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	env := []string{"ITCARE_CONFIG=" + filepath.Join(dir, "config.yaml"), "ITCARE_API_URL=" + srv.URL + "/itcare",
		"ITCARE_AUTH_URL=" + srv.URL + "/auth/realms/cloud", "ITCARE_CLIENT_ID=c", "ITCARE_CLIENT_SECRET=secret-secret"}
	for _, tc := range []struct {
		name string
		sig  os.Signal
		args []string
	}{
		{"jq evaluation, SIGTERM", syscall.SIGTERM, []string{"version", "-o", "json", "--jq", "last(range(1e10))"}},
		{"jq evaluation, SIGINT", os.Interrupt, []string{"version", "-o", "json", "--jq", "[range(1e10)] | length"}},
		{"hanging API request, SIGTERM", syscall.SIGTERM, []string{"api", "/hang"}},
		{"hanging API request, SIGINT", os.Interrupt, []string{"instances", "list", "--all"}},
	} {
		code, stderr, took := runUntilSignal(t, env, tc.sig, 400*time.Millisecond, tc.args...)
		if code != ExitInterrupted || took > 1500*time.Millisecond {
			t.Errorf("%s: exit %d after %s, want %d promptly\n%s", tc.name, code, took, ExitInterrupted, stderr)
		}
	}
}

func TestConfigThatIsNotARegularFileIsRefusedAtOnce(t *testing.T) {
	bin := buildItcare(t)
	fifo := filepath.Join(t.TempDir(), "config.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, []byte("profiles: {}\n"+strings.Repeat("# padding\n", 200000)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []string{fifo, "/dev/zero", big} {
		c := exec.Command(bin, "version", "--config", cfg)
		start := time.Now()
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				c.Process.Kill()
			}
		}()
		out, err := c.CombinedOutput()
		close(done)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != ExitUsage || time.Since(start) > 3*time.Second {
			t.Errorf("--config %s: %v after %s\n%s", cfg, err, time.Since(start), out)
		}
		if !strings.Contains(string(out), "not a regular file") && !strings.Contains(string(out), "larger than") {
			t.Errorf("--config %s: %s", cfg, out)
		}
	}
}
