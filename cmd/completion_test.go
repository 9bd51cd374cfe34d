package cmd

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/itcare-cli/itcare/internal/gendocs"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// completed runs `itcare __complete args...` and returns the suggested values
// (descriptions cut off), their descriptions and the directive.
func (h *harness) completed(args ...string) (values []string, desc map[string]string, directive int) {
	h.t.Helper()
	r := h.run(append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		h.t.Fatalf("__complete %q: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, ":") {
		h.t.Fatalf("__complete %q: no directive line\n%s", args, r.stdout)
	}
	directive, err := strconv.Atoi(last[1:])
	if err != nil {
		h.t.Fatalf("bad directive %q", last)
	}
	desc = map[string]string{}
	for _, l := range lines[:len(lines)-1] {
		v, d, _ := strings.Cut(l, "\t")
		values = append(values, v)
		desc[v] = d
	}
	return values, desc, directive
}

const noFileComp = 4 // cobra.ShellCompDirectiveNoFileComp

func TestCompletionInstanceNames(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	for i, op := range []string{"get", "start", "stop", "reset", "delete"} {
		got, desc, d := h.completed("instances", op, "pdeb12web01")
		if !slices.Equal(got, []string{"pdeb12web01", "pdeb12web010"}) || d != noFileComp {
			t.Fatalf("instances %s pdeb12web01<TAB>: %q :%d", op, got, d)
		}
		// The first TAB asks the API and shows the status; the next ones
		// answer from the cache, which keeps names and ids only.
		if i == 0 && desc["pdeb12web01"] != "ACTIVE PRODUCTION" {
			t.Errorf("description %q, want status and environment", desc["pdeb12web01"])
		}
	}
	// Aliases, case-insensitive prefixes and the other commands taking an instance.
	for _, args := range [][]string{{"vm", "get", "PDEB12WEB01"}, {"instances", "storage", "pdeb12web01"},
		{"instances", "snapshots", "list", "pdeb12web01"}} {
		if got, _, _ := h.completed(args...); !slices.Contains(got, "pdeb12web01") {
			t.Errorf("%q: %q, want pdeb12web01", args, got)
		}
	}
	// An empty word suggests names (not ids), more than one page of them.
	got, _, _ := h.completed("instances", "get", "")
	if len(got) < 250 || !slices.Contains(got, "ewin22sql02") {
		t.Errorf("instances get <TAB>: %d suggestions, want every seeded instance", len(got))
	}
	for _, g := range got {
		if _, err := strconv.Atoi(g); err == nil {
			t.Fatalf("id %s suggested for an empty word", g)
		}
	}
	// The argument is taken: nothing more.
	if got, _, d := h.completed("instances", "get", "pdeb12web01", ""); len(got) != 0 || d != noFileComp {
		t.Errorf("second argument: %q :%d", got, d)
	}
}

func TestCompletionInstanceIDs(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	inst := decodeJSON[map[string]any](t, h.mustRun("instances", "get", "pdeb12web01", "-o", "json").stdout)
	id := strconv.FormatInt(int64(inst["id"].(float64)), 10)
	got, desc, _ := h.completed("instances", "stop", id[:len(id)-1])
	if !slices.Contains(got, id) {
		t.Fatalf("instances stop %s<TAB>: %q, want %s", id[:len(id)-1], got, id)
	}
	if !strings.HasPrefix(desc[id], "pdeb12web01") {
		t.Errorf("description of %s: %q, want the name first", id, desc[id])
	}
}

// A change takes many targets: every argument completes, not only the first.
func TestCompletionOfEveryTargetOfAChange(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	if got, _, _ := h.completed("instances", "stop", "pdeb12web02", "pdeb12web01"); !slices.Contains(got, "pdeb12web01") {
		t.Fatalf("instances stop pdeb12web02 pdeb12web01<TAB>: %q", got)
	}
	if got, _, _ := h.completed("instances", "get", "pdeb12web02", "pdeb12web01"); len(got) != 0 {
		t.Fatalf("get takes one argument, got %q", got)
	}
}

func TestCompletionWithoutCredentialsIsSilent(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.stdin = "a-secret-nobody-should-read\n"
	r := h.run("__complete", "instances", "get", "pdeb")
	assertCode(t, r, 0)
	if r.stdout != ":4\n" {
		t.Fatalf("stdout %q, want only the directive", r.stdout)
	}
	if strings.Contains(r.stderr, "error") || strings.Contains(r.stderr, "login") {
		t.Errorf("stderr: %q", r.stderr)
	}
	if n := len(h.sb.Requests()); n != 0 {
		t.Errorf("%d requests sent without credentials", n)
	}
}

func TestCompletionUsesProfileOnTheLine(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.stdin = "sandbox-secret\n"
	h.mustRun("login", "-p", "other", "--client-id", "sandbox-client", "--client-secret-stdin")
	h.stdin = ""
	if got, _, _ := h.completed("instances", "get", "pdeb12web01"); len(got) != 0 {
		t.Fatalf("default profile is not logged in, got %q", got)
	}
	for _, args := range [][]string{{"-p", "other", "instances", "get", "pdeb12web01"},
		{"instances", "get", "--profile", "other", "pdeb12web01"}} {
		if got, _, _ := h.completed(args...); !slices.Contains(got, "pdeb12web01") {
			t.Errorf("%q: %q", args, got)
		}
	}
	t.Setenv("ITCARE_PROFILE", "other")
	if got, _, _ := h.completed("instances", "get", "pdeb12web01"); !slices.Contains(got, "pdeb12web01") {
		t.Errorf("ITCARE_PROFILE=other: %q", got)
	}
}

// blockingTransport never answers: it waits for the request's context.
type blockingTransport struct{}

func (blockingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return nil, r.Context().Err()
}

func TestCompletionGivesUpQuickly(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	old := completionTimeout
	completionTimeout = 300 * time.Millisecond
	t.Cleanup(func() { completionTimeout = old })
	h.transport = blockingTransport{}
	start := time.Now()
	r := h.run("__complete", "instances", "get", "pdeb")
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("completion took %v against a hung API", took)
	}
	assertCode(t, r, 0)
	if r.stdout != ":4\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	h.transport = nil
	r = h.run("__complete", "actions", "wait", "")
	if r.stdout == "" || !strings.HasSuffix(r.stdout, ":4\n") {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestCompletionRunningActions(t *testing.T) {
	h := newHarness(t, sandbox.Options{ActionDuration: time.Minute})
	h.login()
	id := strings.TrimSpace(h.mustRun("instances", "stop", "pdeb12web01", "--no-wait").stdout)
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("--no-wait printed %q", id)
	}
	got, desc, d := h.completed("actions", "wait", "")
	if !slices.Contains(got, id) || d != noFileComp {
		t.Fatalf("actions wait <TAB>: %q :%d, want %s", got, d, id)
	}
	if !strings.Contains(desc[id], "pdeb12web01") {
		t.Errorf("description %q, want the resource name", desc[id])
	}
	reqs := h.apiRequests("GET", "/actions")
	if len(reqs) == 0 || reqs[len(reqs)-1].Query.Get("statuses") != "IN_PROGRESS" {
		t.Errorf("want GET /actions?statuses=IN_PROGRESS, got %+v", reqs)
	}
	if got, _, _ := h.completed("actions", "get", ""); !slices.Contains(got, id) {
		t.Errorf("actions get <TAB>: %q", got)
	}
	if got, _, _ := h.completed("actions", "wait", id, ""); slices.Contains(got, id) {
		t.Errorf("actions wait %s <TAB> suggests it again: %q", id, got)
	}
	if got, _, _ := h.completed("actions", "get", id, ""); len(got) != 0 {
		t.Errorf("actions get takes one id, got %q", got)
	}
}

func TestCompletionProfiles(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	cfg := "profiles:\n  default:\n    output: json\n  staging:\n    timeout: 10s\n"
	if err := os.WriteFile(filepath.Join(h.dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	h.stdin = "sandbox-secret\n"
	h.mustRun("login", "-p", "ci", "--client-id", "sandbox-client", "--client-secret-stdin")
	h.stdin = ""
	got, desc, d := h.completed("instances", "list", "--profile", "")
	if !slices.Equal(got, []string{"ci", "default", "staging"}) || d != noFileComp {
		t.Fatalf("--profile <TAB>: %q :%d", got, d)
	}
	if desc["ci"] != "logged in" || desc["staging"] != "in config file" {
		t.Errorf("descriptions %q", desc)
	}
	if got, _, _ := h.completed("-p", "st"); !slices.Equal(got, []string{"staging"}) {
		t.Errorf("-p st<TAB>: %q", got)
	}
	// --config on the line names another file.
	other := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.WriteFile(other, []byte("profiles:\n  elsewhere: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := h.completed("--config", other, "status", "--profile", ""); !slices.Equal(got, []string{"elsewhere"}) {
		t.Errorf("--config other --profile <TAB>: %q", got)
	}
}

func TestCompletionOutputFormats(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	got, _, d := h.completed("instances", "list", "-o", "")
	want := []string{"table", "wide", "json", "yaml", "columns=", "template="}
	if !slices.Equal(got, want) || d != noFileComp {
		t.Fatalf("-o <TAB>: %q :%d", got, d)
	}
	if got, _, d := h.completed("version", "--output", "col"); !slices.Equal(got, []string{"columns="}) || d != noFileComp|2 {
		t.Errorf("--output col<TAB>: %q :%d, want columns= without a space", got, d)
	}
}

func TestCompletionSurvivesBadSettings(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	t.Setenv("ITCARE_OUTPUT", "bogus")
	if got, _, _ := h.completed("inst"); !slices.Equal(got, []string{"instances"}) {
		t.Errorf("inst<TAB> with a bad ITCARE_OUTPUT: %q", got)
	}
	// Printing a script needs no valid settings either.
	r := h.run("completion", "bash")
	assertCode(t, r, 0)
}

func TestCompletionCommand(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := h.mustRun("completion", shell)
		if !strings.Contains(r.stdout, "itcare") || len(r.stdout) < 1000 {
			t.Errorf("completion %s: %d bytes", shell, len(r.stdout))
		}
	}
	assertCode(t, h.run("completion"), ExitUsage)
	assertCode(t, h.run("completion", "tcsh"), ExitUsage)
	help := h.mustRun("completion", "--help").stdout
	for _, want := range []string{"source <(itcare completion bash)", "_itcare", "itcare.fish", "Invoke-Expression", "bash-completion"} {
		if !strings.Contains(help, want) {
			t.Errorf("completion --help lacks %q", want)
		}
	}
	if got, _, _ := h.completed("completion", ""); !slices.Equal(got, []string{"bash", "zsh", "fish", "powershell"}) {
		t.Errorf("completion <TAB>: %q", got)
	}
	withDesc := h.mustRun("completion", "fish").stdout
	noDesc := h.mustRun("completion", "fish", "--no-descriptions").stdout
	if withDesc == noDesc {
		t.Error("--no-descriptions changed nothing")
	}
}

// TestCompletionScriptsUpToDate fails when completions/ no longer matches what
// `itcare completion SHELL` prints: run `make completions`.
func TestCompletionScriptsUpToDate(t *testing.T) {
	ios := testStreams()
	scripts, err := CompletionScripts(NewRootCmd(NewFactory(ios)))
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) != 4 {
		t.Fatalf("%d scripts", len(scripts))
	}
	if problems := gendocs.Completions(scripts).Check(".."); len(problems) > 0 {
		t.Fatalf("completion scripts out of date; run `make completions`:\n  %s", strings.Join(problems, "\n  "))
	}
	h := newHarness(t, sandbox.Options{})
	if out := h.mustRun("completion", "bash").stdout; out != string(scripts["itcare.bash"]) {
		t.Error("`itcare completion bash` differs from completions/itcare.bash")
	}
}

// TestCompletionInRealBash loads the bash script into a real bash, as a user's
// shell would, and completes against the sandbox through the built binary.
func TestCompletionInRealBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{})
	t.Setenv("ITCARE_CLIENT_ID", "sandbox-client")
	t.Setenv("ITCARE_CLIENT_SECRET", "sandbox-secret")

	// The script needs bash-completion's _get_comp_words_by_ref; without the
	// package, a minimal stand-in for it does the same for these lines.
	script := `
if [[ -n $BASH_COMPLETION_SCRIPT ]]; then
  . "$BASH_COMPLETION_SCRIPT"
fi
if ! declare -F _get_comp_words_by_ref >/dev/null; then
  _get_comp_words_by_ref() {
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  }
fi
source <(itcare completion bash) || exit 1
fn=$(complete -p itcare | sed -E 's/.* -F ([^ ]+) .*/\1/')
[[ $fn == __start_itcare ]] || { echo "itcare completes with '$fn'" >&2; exit 1; }
complete_line() {
  COMP_LINE=$1
  COMP_POINT=${#COMP_LINE}
  read -ra COMP_WORDS <<<"$COMP_LINE"
  [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  __start_itcare itcare "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  echo "== $1"
  printf '%s\n' "${COMPREPLY[@]}"
}
complete_line 'itcare inst'
complete_line 'itcare instances get pdeb12w'
complete_line 'itcare instances get pdeb12web010'
`
	c := exec.Command(bash, "--norc", "--noprofile", "-c", script)
	c.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"), "COLUMNS=100",
		"BASH_COMPLETION_SCRIPT="+findBashCompletion())
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("bash: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	replies := map[string][]string{}
	var line string
	for _, l := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(l, "== "); ok {
			line = rest
		} else if f := strings.Fields(l); len(f) > 0 {
			replies[line] = append(replies[line], f[0])
		}
	}
	if got := replies["itcare inst"]; !slices.Equal(got, []string{"instances"}) {
		t.Errorf("itcare inst<TAB>: %q\n%s", got, out)
	}
	if got := replies["itcare instances get pdeb12w"]; !slices.Contains(got, "pdeb12web01") || !slices.Contains(got, "pdeb12web010") {
		t.Errorf("itcare instances get pdeb12w<TAB>: %q\n%s", got, out)
	}
	if got := replies["itcare instances get pdeb12web010"]; !slices.Equal(got, []string{"pdeb12web010"}) {
		t.Errorf("itcare instances get pdeb12web010<TAB>: %q\n%s", got, out)
	}
	if len(h.apiRequests("GET", "/compute/instances")) == 0 {
		t.Error("the sandbox saw no instance listing")
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildItcare builds the itcare binary once per test run and returns its path.
func buildItcare(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	buildOnce.Do(func() {
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goBin); err != nil {
			if goBin, err = exec.LookPath("go"); err != nil {
				buildErr = fmt.Errorf("no go command to build itcare with")
				return
			}
		}
		dir, err := os.MkdirTemp("", "itcare-test-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "itcare")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		c := exec.CommandContext(ctx, goBin, "build", "-o", builtBin, ".")
		c.Dir = ".."
		if out, err := c.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	// No test may reach the developer's keyring: in-process commands get
	// the library's in-memory mock.
	gokeyring.MockInit()
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// TAB answers from a per-profile cache younger than a minute without any
// request, refreshes a stale one, and logout drops it.
func TestCompletionCache(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.sb.ResetRequests()
	if got, _, _ := h.completed("instances", "get", "pdeb12web01"); !slices.Contains(got, "pdeb12web01") {
		t.Fatalf("first TAB: %q", got)
	}
	if n := len(h.apiRequests("GET", "/compute/instances")); n == 0 {
		t.Fatal("the first TAB made no request")
	}
	file := filepath.Join(h.dir, "cache", "completion", "default.compute-instances.json")
	st, err := os.Stat(file)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("cache file %s: %v %v", file, st, err)
	}
	b, _ := os.ReadFile(file)
	if strings.Contains(string(b), "ACTIVE") || strings.Contains(string(b), "PRODUCTION") {
		t.Errorf("the cache holds more than names and ids: %.200s", b)
	}
	h.sb.ResetRequests()
	start := time.Now()
	got, _, _ := h.completed("instances", "stop", "pdeb12web0")
	if !slices.Contains(got, "pdeb12web01") || !slices.Contains(got, "pdeb12web02") {
		t.Errorf("warm TAB: %q", got)
	}
	if reqs := h.sb.Requests(); len(reqs) != 0 {
		t.Errorf("a warm TAB made %d requests (first %s %s)", len(reqs), reqs[0].Method, reqs[0].Path)
	}
	t.Logf("warm TAB in %v", time.Since(start))
	// Another profile does not see this one's names.
	if got, _, _ := h.completed("-p", "other", "instances", "get", "pdeb"); len(got) != 0 {
		t.Errorf("profile other (not logged in) got %q", got)
	}
	// Stale: saved over a minute ago, it is refreshed from the API.
	old := strings.Replace(string(b), `"savedAt":"`, `"savedAt":"2000`, 1)
	old = old[:strings.Index(old, `"savedAt":"2000`)+len(`"savedAt":"2000`)] + `-01-01T00:00:00Z"` + old[strings.Index(old, `,"entries"`):]
	if err := os.WriteFile(file, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	h.sb.ResetRequests()
	h.completed("instances", "get", "pdeb")
	if len(h.apiRequests("GET", "/compute/instances")) == 0 {
		t.Error("a stale cache was used without asking the API")
	}
	if b, _ := os.ReadFile(file); strings.Contains(string(b), `"savedAt":"2000`) {
		t.Error("the stale cache was not rewritten")
	}
	h.mustRun("logout")
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("logout left the completion cache: %v", err)
	}
}
