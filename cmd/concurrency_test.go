package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/netfault"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// procResult is one finished itcare process.
type procResult struct {
	code           int
	stdout, stderr string
}

func runProc(cmd *exec.Cmd) procResult {
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
		errOut.WriteString(err.Error())
	}
	return procResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// TestConcurrency20ProcessesWithAnExpiredToken starts 20 itcare processes at
// once on one profile whose cached access token has expired (or whose cache
// is corrupt): all succeed, the cache stays valid and private, and the token
// endpoint sees few requests.
func TestConcurrency20ProcessesWithAnExpiredToken(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are POSIX")
	}
	bin := buildItcare(t)
	for _, tc := range []struct {
		name    string
		spoil   func(t *testing.T, path string)
		warning string
	}{
		{"expired access token", func(t *testing.T, path string) {
			var m map[string]any
			if err := json.Unmarshal(mustRead(t, path), &m); err != nil {
				t.Fatal(err)
			}
			m["expiry"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano)
			data, _ := json.MarshalIndent(m, "", "  ")
			writeFile(t, path, data)
		}, ""},
		{"truncated cache", func(t *testing.T, path string) {
			data := mustRead(t, path)
			writeFile(t, path, data[:len(data)/2])
		}, "ignoring the corrupt token cache"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Options{})
			h.login()
			cache := filepath.Join(h.dir, "default.token.json")
			before := mustRead(t, cache)
			tc.spoil(t, cache)
			h.sb.ResetRequests()

			const n = 20
			results := make([]procResult, n)
			var ready, done sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				ready.Add(1)
				done.Add(1)
				go func() {
					defer done.Done()
					cmd := exec.Command(bin, "instances", "list", "--size", "1", "-o", "json")
					cmd.Env = os.Environ() // the harness's ITCARE_CONFIG, ITCARE_API_URL, ITCARE_AUTH_URL
					ready.Done()
					<-start
					results[i] = runProc(cmd)
				}()
			}
			ready.Wait()
			began := time.Now()
			close(start)
			done.Wait()
			elapsed := time.Since(began)

			warned := 0
			for i, r := range results {
				if r.code != 0 {
					t.Errorf("process %d: exit %d\n%s", i, r.code, r.stderr)
					continue
				}
				var items []map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || len(items) != 1 {
					t.Errorf("process %d: stdout is not a JSON list of one instance: %v %q", i, err, r.stdout)
				}
				if tc.warning != "" && strings.Contains(r.stderr, tc.warning) {
					warned++
				} else if strings.TrimSpace(r.stderr) != "" {
					t.Errorf("process %d: unexpected stderr %q", i, r.stderr)
				}
			}
			if tc.warning != "" && warned == 0 {
				t.Errorf("no process warned about the corrupt cache")
			}
			tokens := len(h.tokenRequests())
			if tokens < 1 || tokens > 2 {
				t.Errorf("the token endpoint saw %d requests, want 1 or 2", tokens)
			}
			after := mustRead(t, cache)
			var tok struct {
				AccessToken string    `json:"access_token"`
				Expiry      time.Time `json:"expiry"`
			}
			if err := json.Unmarshal(after, &tok); err != nil || tok.AccessToken == "" || !tok.Expiry.After(time.Now()) {
				t.Errorf("the cache is not a valid fresh token afterwards: %v %+v", err, tok.Expiry)
			}
			if bytes.Equal(after, before) {
				t.Errorf("the cache was not renewed")
			}
			assertMode(t, cache, 0o600)
			assertMode(t, h.dir, 0o700)
			if left, _ := filepath.Glob(filepath.Join(h.dir, ".*tmp*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
			t.Logf("%d processes in %s, %d token request(s), %d warning(s)", n, elapsed.Round(time.Millisecond), tokens, warned)
		})
	}
}

// TestCorruptCacheIsAWarningInProcess: a garbled cache is replaced, with a
// warning, and the command succeeds.
func TestCorruptCacheIsAWarningInProcess(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	cache := filepath.Join(h.dir, "default.token.json")
	for _, garbage := range []string{"", "{", "null", `{"access_token": 42}`, "\x00\x01binary", `{"access_token":"x"}`} {
		writeFile(t, cache, []byte(garbage))
		r := h.run("instances", "list", "--size", "1")
		assertCode(t, r, 0)
		if !strings.Contains(r.stderr, "token cache") || !strings.Contains(r.stderr, "it will be replaced") {
			t.Errorf("cache %q: no warning: %q", garbage, r.stderr)
		}
		if !json.Valid(mustRead(t, cache)) {
			t.Errorf("cache %q: not replaced", garbage)
		}
	}
}

// TestSIGINTExits130Promptly sends SIGINT to the real binary while it waits
// on a long action, and while a request hangs. (TestCtrlCRestoresCursorAndExits130
// checks the terminal in a pty.)
func TestSIGINTExits130Promptly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT on Windows")
	}
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{ActionDuration: time.Hour})
	h.login()
	id := fmt.Sprint(firstInstance(t, h, "--status", "ACTIVE")["id"])

	interrupt := func(t *testing.T, args []string, started func() bool) (procResult, time.Duration) {
		t.Helper()
		h.sb.ResetRequests()
		cmd := exec.Command(bin, args...)
		cmd.Env = os.Environ()
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !started() {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("the command did not get going: %s", errOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		sent := time.Now()
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		var err error
		select {
		case err = <-waited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-waited
			t.Fatalf("still running 5s after SIGINT: %s", errOut.String())
		}
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return procResult{code: code, stdout: out.String(), stderr: errOut.String()}, time.Since(sent)
	}

	t.Run("waiting on an action", func(t *testing.T) {
		r, took := interrupt(t, []string{"instances", "stop", id}, func() bool { return len(h.apiRequests("GET", "/actions/")) > 0 })
		if r.code != ExitInterrupted || took > 2*time.Second {
			t.Fatalf("exit %d after %s, want 130 within 2s\n%s", r.code, took, r.stderr)
		}
		patches := h.apiRequests("PATCH", "/compute/instances/"+id)
		if len(patches) != 1 {
			t.Fatalf("%d PATCH requests", len(patches))
		}
		if !strings.Contains(r.stderr, "the action(s) go on in ITCare; to keep waiting, run: itcare actions wait ") {
			t.Fatalf("no resume hint: %q", r.stderr)
		}
		t.Logf("exit %d %s after SIGINT: %s", r.code, took.Round(time.Millisecond), strings.TrimSpace(r.stderr))
	})

	t.Run("during a hanging request", func(t *testing.T) {
		if err := h.sb.Faults().Set(netfault.Fault{Match: "GET /itcare/compute/instances", Kind: netfault.Hang}); err != nil {
			t.Fatal(err)
		}
		defer h.sb.Faults().Set()
		r, took := interrupt(t, []string{"instances", "list"}, func() bool { return len(h.sb.Faults().Applied()) > 0 })
		if r.code != ExitInterrupted || took > 2*time.Second {
			t.Fatalf("exit %d after %s, want 130 within 2s\n%s", r.code, took, r.stderr)
		}
		if !strings.Contains(r.stderr, "interrupted") {
			t.Fatalf("stderr %q", r.stderr)
		}
		t.Logf("exit %d %s after SIGINT: %s", r.code, took.Round(time.Millisecond), strings.TrimSpace(r.stderr))
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// writeFile replaces path's content, keeping it private.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", path, got, want)
	}
}
