package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

// Person-like tests: the built binary in a real pseudo-terminal, as a person
// at a terminal would run it.

// ptySession is a process whose stdin, stdout and stderr are a pseudo-terminal.
type ptySession struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startPTY(t *testing.T, env []string, name string, args ...string) *ptySession {
	t.Helper()
	return startPTYSize(t, 120, env, name, args...)
}

// startPTYSize is startPTY on a terminal cols columns wide.
func startPTYSize(t *testing.T, cols uint16, env []string, name string, args ...string) *ptySession {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no pseudo-terminals on Windows")
	}
	c := exec.Command(name, args...)
	c.Env = env
	tty, err := pty.StartWithSize(c, &pty.Winsize{Rows: 40, Cols: cols})
	if err != nil {
		t.Fatalf("starting %s in a pty: %v", name, err)
	}
	s := &ptySession{t: t, cmd: c, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = c.Process.Kill()
		_ = c.Wait()
		tty.Close()
	})
	return s
}

func (s *ptySession) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

func (s *ptySession) send(text string) {
	if _, err := s.tty.Write([]byte(text)); err != nil {
		s.t.Fatalf("writing to the pty: %v", err)
	}
}

// expect waits until the output since mark contains want.
func (s *ptySession) expect(mark int, want string, timeout time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if o := s.output(); len(o) >= mark && strings.Contains(o[mark:], want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("no %q on the terminal within %s; screen so far:\n%q", want, timeout, s.output()[min(mark, len(s.output())):])
}

// wait returns the exit code.
func (s *ptySession) wait(timeout time.Duration) int {
	s.t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		<-s.done
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if st, ok := ee.Sys().(syscall.WaitStatus); ok && st.Signaled() {
				return 128 + int(st.Signal())
			}
			return ee.ExitCode()
		}
		if err != nil {
			s.t.Fatal(err)
		}
		return 0
	case <-time.After(timeout):
		s.t.Fatalf("still running after %s; screen:\n%q", timeout, s.output())
		return -1
	}
}

// binEnv is the environment for the built binary against the harness's sandbox.
func binEnv(h *harness, bin string, extra ...string) []string {
	env := []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + h.dir,
		"TERM=xterm-256color",
		"ITCARE_API_URL=" + h.sb.APIURL(),
		"ITCARE_AUTH_URL=" + h.sb.AuthURL(),
		"ITCARE_CONFIG=" + filepath.Join(h.dir, "config.yaml"),
		"ITCARE_CLIENT_ID=sandbox-client",
		"ITCARE_CLIENT_SECRET=sandbox-secret",
	}
	return append(env, extra...)
}

const (
	hideCursorSeq = "\x1b[?25l"
	showCursorSeq = "\x1b[?25h"
)

// spinnerFrame reports whether s holds one of the spinner's braille frames.
func spinnerFrame(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x2800 && r <= 0x28FF })
}

func TestSpinnerDrawnOnTerminalNotWhenPiped(t *testing.T) {
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{ActionDuration: 1500 * time.Millisecond})
	id := fmt.Sprint(firstInstanceBin(t, h, bin))

	s := startPTY(t, binEnv(h, bin), bin, "instances", "stop", id)
	if code := s.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%q", code, s.output())
	}
	screen := s.output()
	if !spinnerFrame(screen) || !strings.Contains(screen, hideCursorSeq) {
		t.Fatalf("no spinner frames on the terminal:\n%q", screen)
	}
	if !strings.Contains(screen, showCursorSeq) || strings.LastIndex(screen, showCursorSeq) < strings.LastIndex(screen, hideCursorSeq) {
		t.Fatalf("cursor not shown again at the end:\n%q", screen)
	}
	if !strings.Contains(screen, "SUCCESS") {
		t.Fatalf("no final status:\n%q", screen)
	}

	// Piped: the same command draws nothing.
	c := exec.Command(bin, "instances", "start", id)
	c.Env = binEnv(h, bin)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if spinnerFrame(stderr.String()) || strings.Contains(stderr.String(), "\x1b[") || stdout.Len() != 0 {
		t.Fatalf("piped run drew on the terminal: stdout %q stderr %q", stdout.String(), stderr.String())
	}
}

func TestCtrlCRestoresCursorAndExits130(t *testing.T) {
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{ActionDuration: time.Hour})
	id := fmt.Sprint(firstInstanceBin(t, h, bin))
	s := startPTY(t, binEnv(h, bin), bin, "instances", "stop", id)
	s.expect(0, "stop-instance", 10*time.Second) // the spinner names the running action
	mark := len(s.output())
	start := time.Now()
	s.send("\x03") // Ctrl-C: the terminal sends SIGINT to the foreground process
	code := s.wait(5 * time.Second)
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want 130:\n%q", code, s.output())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %s to stop after Ctrl-C", d)
	}
	after := s.output()[mark:]
	if !strings.Contains(after, showCursorSeq) {
		t.Fatalf("cursor not restored after Ctrl-C:\n%q", after)
	}
	if !strings.Contains(after, "itcare actions wait") {
		t.Fatalf("no resume hint after Ctrl-C:\n%q", after)
	}
}

// firstInstanceBin returns the id of an ACTIVE instance, through the binary.
func firstInstanceBin(t *testing.T, h *harness, bin string) string {
	t.Helper()
	c := exec.Command(bin, "instances", "list", "--status", "ACTIVE", "--size", "1", "--jq", ".[0].id")
	c.Env = binEnv(h, bin)
	out, err := c.Output()
	if err != nil {
		t.Fatalf("listing: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// findBashCompletion is where bash-completion's main script is on this
// machine (the distribution's or Homebrew's folder), found by the script
// `make test-deps` uses; "" when bash-completion is not installed.
func findBashCompletion() string {
	out, err := exec.Command("bash", filepath.Join("..", "scripts", "find-bash-completion.sh")).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// bashCompletionScript is findBashCompletion, failing the test when
// bash-completion is missing.
func bashCompletionScript(t *testing.T) string {
	t.Helper()
	path := findBashCompletion()
	if path == "" {
		t.Fatal("bash-completion is not installed (make test-deps installs it)")
	}
	return path
}

// TestCompletionInRealShells types TAB in bash (with bash-completion), zsh and
// fish running in a pseudo-terminal and reads what the shell completed.
func TestCompletionInRealShells(t *testing.T) {
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{})
	shells := []struct {
		name  string
		argv  []string
		setup string
	}{
		{"bash", []string{"bash", "--norc", "--noprofile", "-i"},
			"PS1='$ '; . " + bashCompletionScript(t) + "; source <(itcare completion bash)\n"},
		{"zsh", []string{"zsh", "-f", "-i"},
			"PS1='$ '; autoload -U compinit && compinit -u && source <(itcare completion zsh)\n"},
		{"fish", []string{"fish", "--no-config", "-i"},
			"function fish_prompt; echo '$ '; end; itcare completion fish | source\n"},
	}
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			path, err := exec.LookPath(sh.argv[0])
			if err != nil {
				t.Fatalf("%s is not installed (make test-deps installs it)", sh.argv[0])
			}
			s := startPTY(t, binEnv(h, bin, "SHELL="+path), path, sh.argv[1:]...)
			s.send(sh.setup)
			time.Sleep(300 * time.Millisecond)
			mark := len(s.output())
			s.send("itcare inst\t")
			s.expect(mark, "ances", 10*time.Second) // the line became "itcare instances "
			s.send("get qrhel9app")
			s.expect(mark, "qrhel9app", 5*time.Second)
			mark = len(s.output())
			s.send("\t")
			s.expect(mark, "03", 10*time.Second) // the sandbox's instance qrhel9app03
			s.send("\x15")                       // clear the line
		})
	}
}

// TestNarrowTerminalHidesColumns: on a terminal 60 or 72 columns wide,
// `instances list` hides its least important columns, keeps every ID and
// NAME whole, fits every line in the width and says which columns it hid.
func TestNarrowTerminalHidesColumns(t *testing.T) {
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{})
	c := exec.Command(bin, "instances", "list", "--all", "-o", "columns=ID,NAME")
	c.Env = binEnv(h, bin)
	piped, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Fields(string(piped))[2:] // ID NAME id name id name ...
	for _, cols := range []uint16{60, 72} {
		t.Run(fmt.Sprint(cols), func(t *testing.T) {
			s := startPTYSize(t, cols, binEnv(h, bin, "NO_COLOR=1"), bin, "instances", "list", "--all")
			if code := s.wait(20 * time.Second); code != 0 {
				t.Fatalf("exit %d:\n%s", code, s.output())
			}
			// The screen without the spinner and cursor sequences.
			screen := regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]").ReplaceAllString(s.output(), "")
			screen = regexp.MustCompile("(?m)^.*\r").ReplaceAllString(strings.ReplaceAll(screen, "\r\n", "\n"), "")
			note := fmt.Sprintf("hidden to fit %d columns: ", cols)
			if !strings.Contains(screen, note) {
				t.Fatalf("no %q on the terminal:\n%s", note, screen)
			}
			hidden := strings.SplitN(strings.SplitN(screen, note, 2)[1], " (", 2)[0]
			for _, h := range []string{"AZ", "RAM"} {
				if !strings.Contains(hidden, h) {
					t.Errorf("%s still shown (hidden: %s):\n%s", h, hidden, screen)
				}
			}
			var table []string
			for _, line := range strings.Split(screen, "\n") {
				if line != "" && !strings.HasPrefix(line, note) {
					table = append(table, line)
				}
			}
			if !strings.HasPrefix(table[0], "ID") || !strings.Contains(table[0], "NAME") || !strings.Contains(table[0], "STATUS") {
				t.Errorf("header %q: want ID, NAME and STATUS", table[0])
			}
			for _, line := range table {
				if n := len([]rune(line)); n > int(cols) {
					t.Errorf("line of %d columns: %q", n, line)
				}
			}
			body := strings.Join(table, "\n")
			if strings.Contains(body, "…") {
				t.Errorf("a cell was cut although columns could go:\n%s", body)
			}
			for i := 0; i+1 < len(names); i += 2 {
				if !strings.Contains(body, names[i]+"  "+names[i+1]) {
					t.Errorf("%s %s not shown whole:\n%s", names[i], names[i+1], body)
				}
			}
		})
	}
}

// TestTestDepsSaysWhatToInstall: where neither apt-get nor Homebrew exists,
// `make test-deps` names what is missing and stops with status 1 instead of
// failing with 127 on a missing apt-get.
func TestTestDepsSaysWhatToInstall(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a bash script")
	}
	dir := t.TempDir()
	for _, tool := range []string{"bash", "dirname", "cat"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	c := exec.Command(filepath.Join(dir, "bash"), filepath.Join("..", "scripts", "test-deps.sh"))
	c.Env = []string{"PATH=" + dir, "HOME=" + dir}
	out, err := c.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1:\n%s", err, out)
	}
	for _, want := range []string{"missing:", "zsh", "fish", "Install them with your package manager"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}
