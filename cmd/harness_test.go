package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/auth"
	"github.com/itcare-cli/itcare/internal/contract"
	"github.com/itcare-cli/itcare/internal/output"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// harness runs the real cobra commands in-process against a sandbox served
// over real HTTP on 127.0.0.1, with a private config folder.
type harness struct {
	t   *testing.T
	sb  *sandbox.Server
	dir string
	// stdoutTTY/stderrTTY/stdinTTY force terminal behaviour for the next runs.
	stdoutTTY, stderrTTY, stdinTTY bool
	stdin                          string
	width                          int
	transport                      http.RoundTripper
	// keyring replaces the system keyring (nil: the library's in-memory
	// mock, see TestMain).
	keyring    auth.Keyring
	watchPolls int // ends a --watch after that many polls
	height     int // terminal lines, when set
}

type result struct {
	code           int
	stdout, stderr string
}

func newHarness(t *testing.T, opts sandbox.Options) *harness {
	t.Helper()
	if opts.ActionDuration == 0 {
		opts.ActionDuration = 300 * time.Millisecond
	}
	if opts.Clients == nil {
		opts.Clients = map[string]string{"sandbox-client": "sandbox-secret", "other-client": "other-secret"}
	}
	if opts.Contract == nil {
		opts.Contract = contract.MustLoad(api.OpenAPISpec)
	}
	sb := sandbox.New(opts)
	if _, err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	t.Cleanup(func() {
		if v := sb.Violations(); len(v) > 0 {
			t.Errorf("ITCare API contract violations:\n%s", strings.Join(v, "\n"))
		}
	})
	dir := filepath.Join(t.TempDir(), "itcare")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ITCARE_CLIENT_ID", "ITCARE_CLIENT_SECRET", "ITCARE_PROFILE", "ITCARE_OUTPUT",
		"ITCARE_DRY_RUN", "ITCARE_DEBUG", "ITCARE_TIMEOUT", "NO_COLOR", "ITCARE_NO_COLOR"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("ITCARE_API_URL", sb.APIURL())
	t.Setenv("ITCARE_AUTH_URL", sb.AuthURL())
	t.Setenv("ITCARE_CONFIG", filepath.Join(dir, "config.yaml"))
	return &harness{t: t, sb: sb, dir: dir}
}

// testStreams returns streams on empty buffers, none a terminal.
func testStreams() *output.IOStreams {
	return output.NewIOStreams(strings.NewReader(""), io.Discard, io.Discard, output.Terminal{})
}

func (h *harness) run(args ...string) result {
	return h.runCtx(context.Background(), args...)
}

func (h *harness) runCtx(ctx context.Context, args ...string) result {
	h.t.Helper()
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	ios := output.NewIOStreams(strings.NewReader(h.stdin), out, errOut, output.Terminal{
		StdinTTY: h.stdinTTY, StdoutTTY: h.stdoutTTY, StderrTTY: h.stderrTTY, Width: h.width, Height: h.height})
	f := NewFactory(ios)
	f.Transport = h.transport
	f.Keyring = h.keyring
	f.WatchPolls = h.watchPolls
	f.WaitOptions = api.WaitOptions{MinInterval: 20 * time.Millisecond, MaxInterval: 100 * time.Millisecond}
	code := Execute(ctx, f, args)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// login saves the sandbox's default credentials for the default profile,
// the secret in the credentials file: the tests that then run the itcare
// binary need it there (the keyring of these tests is an in-process mock).
func (h *harness) login() {
	h.t.Helper()
	h.stdin = "sandbox-secret\n"
	r := h.run("login", "--client-id", "sandbox-client", "--client-secret-stdin", "--insecure-storage")
	h.stdin = ""
	if r.code != 0 {
		h.t.Fatalf("login failed: %d\n%s", r.code, r.stderr)
	}
	h.sb.ResetRequests()
}

func (h *harness) mustRun(args ...string) result {
	h.t.Helper()
	r := h.run(args...)
	if r.code != 0 {
		h.t.Fatalf("itcare %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// apiRequests returns the recorded requests under /itcare whose path has the prefix.
func (h *harness) apiRequests(method, prefix string) []sandbox.RecordedRequest {
	var out []sandbox.RecordedRequest
	for _, r := range h.sb.Requests() {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, "/itcare"+prefix) {
			out = append(out, r)
		}
	}
	return out
}

func (h *harness) tokenRequests() []sandbox.RecordedRequest {
	var out []sandbox.RecordedRequest
	for _, r := range h.sb.Requests() {
		if strings.HasSuffix(r.Path, "/protocol/openid-connect/token") {
			out = append(out, r)
		}
	}
	return out
}

func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, s)
	}
	return v
}

func assertCode(t *testing.T, r result, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, want, r.stdout, r.stderr)
	}
}
