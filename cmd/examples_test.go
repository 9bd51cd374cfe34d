//go:build unix

package cmd

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// Every command shown to users runs as written against the sandbox:
//
//   - README.md: the fenced blocks marked runnable, written ```sh runnable
//     (GitHub shows them as ordinary sh blocks). Blocks that install or
//     download (brew, curl a release) are plain ```sh and are not run.
//     They run in order, as one session, against one fresh sandbox.
//   - every Example of the command tree (`itcare --help` and below): the
//     examples of each command run in order against a fresh sandbox of
//     their own, with credentials in ITCARE_CLIENT_ID/ITCARE_CLIENT_SECRET;
//     those of the root, login, auth and logout run as one session (log in,
//     look, log out) without them.
//
// Each runs in bash, through the built binary, in a temporary HOME holding
// the files examples read (exampleFiles). Words that stand for the user's
// own values (placeholders: my-api-account, NAME, ID...) are replaced from
// examplePlaceholders, and a sandbox an example starts listens on a free
// port and serves in the background; nothing else is changed. A command
// fails the test when it exits non-zero; the failure names the example,
// its source, what ran and its stderr.

// examplePlaceholder replaces a word of an example with a sandbox value.
// The word is replaced where it stands alone (not inside a longer name).
// Only, when set, limits the replacement to examples of that source
// ("README.md", or a command path such as "itcare overdrive stop").
type examplePlaceholder struct {
	Word, Value string
	Only        string
}

// examplePlaceholders: the values of the sandbox that the examples' words
// stand for. Seeded names and ids (pdeb12web01, pk8sapp01, podshare01...)
// are not placeholders: the sandbox has them. NAME and ID in the examples
// of a family's commands are resolved from the sandbox (familyPlaceholders).
func examplePlaceholders(sandboxAddr, freeAddr string) []examplePlaceholder {
	return []examplePlaceholder{
		{Word: "my-api-account", Value: "sandbox-client"},
		{Word: "staging-account", Value: "other-client"},
		// The API and auth URLs of the real service: this sandbox's.
		{Word: "https://api.cegedim.cloud/itcare", Value: "http://" + sandboxAddr + "/itcare"},
		// The address a sandbox example serves on: a free one.
		{Word: "127.0.0.1:8080", Value: freeAddr},
		// A shell's completion folder (zsh's $fpath, in a bash here).
		{Word: `"${fpath[1]}"`, Value: `"$HOME/.zfunc"`},
	}
}

// exampleFiles are the files examples read, in the working folder (HOME).
var exampleFiles = map[string]string{
	"secret.txt":    "sandbox-secret\n",
	"instance.json": `{"name": "pdeb12new01", "family": "DEBIAN", "cpu": 2, "ram": 4096}` + "\n",
}

// exampleSecrets: an example that logs in without --client-secret-stdin
// asks for the secret on a terminal; here ITCARE_CLIENT_SECRET gives it,
// as a person would type it.
var exampleSecrets = map[string]string{"sandbox-client": "sandbox-secret", "other-client": "other-secret"}

// exampleKnownFailures are examples of endpoints the sandbox does not serve
// yet, with why. Each must still fail with its exit code (one that starts
// to pass fails the test: remove it from here), and the contract
// violations naming Request are expected.
var exampleKnownFailures = []struct {
	Contains, Request, Why string
	Exit                   int
}{
	{"itcare api -X POST /compute/instances ", "POST /itcare/compute/instances:", "the sandbox does not create instances", 1},
}

type example struct {
	source string // "README.md:123" or "itcare instances stop (Example)"
	group  string // "README.md" or the command path, for examplePlaceholder.Only
	text   string // as shown
	run    string // as run: placeholders replaced
	serves bool   // runs until stopped (a sandbox, --watch): passes when still running after serveFor
	keep   bool   // and is left running for the examples after it (a sandbox)
}

// readmeExamples returns the commands of README.md's runnable blocks.
func readmeExamples(t *testing.T) []example {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	sc := bufio.NewScanner(f)
	n, inBlock, runnable, blocks := 0, false, false, 0
	var lines []string
	var starts []int
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			if !inBlock {
				info := strings.Fields(strings.TrimPrefix(trimmed, "```"))
				runnable = len(info) >= 2 && info[0] == "sh" && info[1] == "runnable"
				if runnable {
					blocks++
				}
			} else if runnable {
				for i, l := range joinContinuations(lines) {
					if l == "" {
						continue
					}
					out = append(out, example{source: fmt.Sprintf("README.md:%d", starts[i]), group: "README.md", text: l})
				}
				lines, starts = nil, nil
			}
			inBlock = !inBlock
			continue
		}
		if inBlock && runnable {
			lines = append(lines, line)
			starts = append(starts, n)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if blocks == 0 {
		t.Fatal("README.md has no ```sh runnable block")
	}
	return out
}

// joinContinuations joins lines ending with a backslash to the next and
// skips blank and comment-only lines: each command is at the index of its
// first line (so that callers can say where it starts), "" elsewhere.
func joinContinuations(lines []string) []string {
	out := make([]string, len(lines))
	cur, at := "", -1
	for i, l := range lines {
		s := strings.TrimSpace(l)
		if at < 0 {
			if s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			at = i
		}
		if strings.HasSuffix(s, `\`) {
			cur += strings.TrimSuffix(s, `\`) + " "
			continue
		}
		out[at] = cur + s
		cur, at = "", -1
	}
	return out
}

// exampleSession are the commands whose examples run as one session,
// without credentials in the environment, in this order.
var exampleSession = []string{"itcare", "itcare login", "itcare auth status", "itcare auth token", "itcare auth list", "itcare auth switch", "itcare logout"}

// helpExamples returns the commands of every Example of the command tree,
// by command path, and the paths in the order of help.
func helpExamples(t *testing.T) (map[string][]example, []string) {
	t.Helper()
	root := NewRootCmd(NewFactory(testStreams()))
	byPath := map[string][]example{}
	var order []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Example != "" {
			path := c.CommandPath()
			for _, l := range joinContinuations(strings.Split(c.Example, "\n")) {
				if l != "" {
					byPath[path] = append(byPath[path], example{source: path + " (Example)", group: path, text: l})
				}
			}
			order = append(order, path)
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	return byPath, order
}

// commentRE matches a trailing shell comment (one without quotes).
var commentRE = regexp.MustCompile(`\s+#[^'"]*$`)

// watchRE matches the --watch flag.
var watchRE = regexp.MustCompile(`(^| )--watch(=| |$)`)

// serveFor is how long a command that serves until stopped (a sandbox,
// --watch) must keep running to pass.
const serveFor = 3 * time.Second

// deleteRE matches one itcare command whose verb is delete, up to the end
// of the command (&&, |, ; or the end of the line).
var deleteRE = regexp.MustCompile(`itcare( [a-z-]+)+ (delete|rm)\b[^&|;]*`)

// placeholderRE matches word where it stands alone.
func placeholderRE(word string) *regexp.Regexp {
	return regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(word) + `($|[^A-Za-z0-9_-])`)
}

// familyPlaceholders resolves NAME and ID in the examples of a family's
// command (group "itcare instances stop"): the names and ids of the
// family's resources in the state the command requires (the family
// table's Requires), each occurrence a different resource, NAME's first so
// that a change made through one example does not stand in another's way.
// nil when group is not a family's command or has no such resources.
func familyPlaceholders(t *testing.T, h *harness, group string) map[string][]string {
	t.Helper()
	words := strings.Fields(group)
	if len(words) != 3 {
		return nil
	}
	fam, ok := family.Lookup(words[1])
	if !ok {
		return nil
	}
	requires := ""
	switch op, isOp := fam.Operation(words[2]); {
	case isOp:
		requires = op.Requires
	case words[2] == "delete" && fam.Delete != nil:
		requires = fam.Delete.Requires
	case words[2] != "get":
		return nil
	}
	r := h.run(fam.Name, "list", "--all", "-o", "json")
	if r.code != 0 {
		t.Fatalf("listing the %s for the examples' NAME and ID: exit %d: %s", fam.Noun.Plural, r.code, r.stderr)
	}
	var names, ids []string
	for _, item := range decodeJSON[[]map[string]any](t, r.stdout) {
		if requires != "" && item["status"] != requires {
			continue
		}
		names = append(names, fmt.Sprint(item["name"]))
		ids = append(ids, fmt.Sprint(item["id"]))
	}
	if len(ids) == 0 {
		return nil
	}
	// ID's first resource is the one after NAME's.
	return map[string][]string{"NAME": names, "ID": append(ids[1:], ids[0])}
}

// prepare fills e.run: placeholders replaced (dynamic: NAME and ID from
// familyPlaceholders, each occurrence taking the next value; used counts
// them across the examples of a group); what a person types at a terminal
// given another way: a login's secret in ITCARE_CLIENT_SECRET, the yes of a
// deletion's confirmation as --yes; a sandbox on a free port in the
// background.
func (e *example) prepare(ph []examplePlaceholder, dynamic map[string][]string, used map[string]int) {
	s := e.text
	for _, word := range []string{"NAME", "ID"} {
		values := dynamic[word]
		if len(values) == 0 {
			continue
		}
		s = placeholderRE(word).ReplaceAllStringFunc(s, func(m string) string {
			v := values[used[word]%len(values)]
			used[word]++
			return strings.Replace(m, word, v, 1)
		})
	}
	done := map[string]bool{}
	for _, p := range ph {
		if p.Only != "" && p.Only != e.group || done[p.Word] {
			continue
		}
		re := placeholderRE(p.Word)
		if re.MatchString(s) {
			s = re.ReplaceAllStringFunc(s, func(m string) string {
				return strings.Replace(m, p.Word, p.Value, 1)
			})
			done[p.Word] = true
		}
	}
	if strings.HasPrefix(s, "itcare login ") && !strings.Contains(s, "--client-secret-stdin") {
		for id, secret := range exampleSecrets {
			if strings.Contains(s, "--client-id "+id) {
				s = "ITCARE_CLIENT_SECRET=" + secret + " " + s
			}
		}
	}
	// A deletion asks for confirmation on a terminal; here --yes stands for
	// the person answering yes.
	s = deleteRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.Contains(m, "--yes") {
			return m
		}
		return strings.TrimRight(m, " ") + " --yes "
	})
	s = strings.TrimSpace(s)
	// A sandbox serves until it is stopped, on a free port here (not one
	// another test may use); --watch redraws until Ctrl-C. Both run in the
	// background: they pass when they are still running after a while
	// (serveFor); a sandbox is left serving for the examples after it.
	if strings.HasPrefix(s, "itcare sandbox") {
		e.serves, e.keep = true, true
		if !strings.Contains(s, "--addr") {
			s = strings.Replace(s, "itcare sandbox", "itcare sandbox --addr 127.0.0.1:0", 1)
		}
	}
	if watchRE.MatchString(s) {
		e.serves = true
	}
	if e.serves {
		// Run as ( exec CMD ) &: without its comment and its own &.
		s = strings.TrimSpace(commentRE.ReplaceAllString(s, ""))
		s = strings.TrimSpace(strings.TrimSuffix(s, "&"))
	}
	e.run = s
}

// runExamples runs exs in one bash, in order, against a fresh sandbox, and
// reports every example that failed. withCredentials puts the sandbox's
// credentials in the environment.
func runExamples(t *testing.T, exs []example, withCredentials bool) {
	t.Helper()
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{ActionDuration: 200 * time.Millisecond})
	u, err := url.Parse(h.sb.APIURL())
	if err != nil {
		t.Fatal(err)
	}
	// A free address for a sandbox an example starts.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := l.Addr().String()
	l.Close()
	ph := examplePlaceholders(u.Host, free)
	home := t.TempDir()
	for name, content := range exampleFiles {
		if err := os.WriteFile(filepath.Join(home, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{".zfunc", ".config/fish/completions", ".local/share/bash-completion/completions"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	results := filepath.Join(home, ".examples")
	if err := os.Mkdir(results, 0o700); err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("cd \"$HOME\" || exit 99\n")
	h.login()
	used := map[string]int{}
	dynamic := map[string]map[string][]string{}
	for i := range exs {
		g := exs[i].group
		if _, done := dynamic[g]; !done {
			dynamic[g] = familyPlaceholders(t, h, g)
		}
		exs[i].prepare(ph, dynamic[g], used)
		files := fmt.Sprintf(">%s/%d.out 2>%s/%d.err </dev/null", results, i, results, i)
		rc := fmt.Sprintf("%s/%d.rc", results, i)
		if !exs[i].serves {
			fmt.Fprintf(&script, "{ %s\n} %s; echo $? >%s\n", exs[i].run, files, rc)
			continue
		}
		// In the background (exec: $! is the command itself); still running
		// after serveFor: it passes, and is stopped unless kept.
		stop := "kill $pid"
		if exs[i].keep {
			stop = ":"
		}
		fmt.Fprintf(&script, `( exec %s ) %s &
pid=$!; n=0
while kill -0 $pid 2>/dev/null && [ $n -lt %d ]; do sleep 0.1; n=$((n+1)); done
if kill -0 $pid 2>/dev/null; then echo 0 >%s; %s; else wait $pid; echo $? >%s; fi
`, exs[i].run, files, int(serveFor/(100*time.Millisecond)), rc, stop, rc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "bash", "--norc", "--noprofile", "-c", script.String())
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Env = []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"ITCARE_API_URL=" + h.sb.APIURL(),
		"ITCARE_AUTH_URL=" + h.sb.AuthURL(),
		"LANG=C.UTF-8",
	}
	if withCredentials {
		c.Env = append(c.Env, "ITCARE_CLIENT_ID=sandbox-client", "ITCARE_CLIENT_SECRET=sandbox-secret")
	}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	out, err := c.CombinedOutput()
	// The sandboxes examples started in the background.
	if c.Process != nil {
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
	if ctx.Err() != nil {
		t.Errorf("the examples did not finish within 3 minutes")
	} else if err != nil {
		t.Errorf("bash: %v\n%s", err, out)
	}
	read := func(i int, ext string) string {
		b, _ := os.ReadFile(filepath.Join(results, fmt.Sprintf("%d.%s", i, ext)))
		return strings.TrimRight(string(b), "\n")
	}
	failed := 0
	var expectedRequests []string
	for i, e := range exs {
		rc := read(i, "rc")
		known := false
		for _, k := range exampleKnownFailures {
			if strings.Contains(e.run, k.Contains) {
				known = true
				expectedRequests = append(expectedRequests, k.Request)
				if rc != strconv.Itoa(k.Exit) {
					t.Errorf("example %d of %d, from %s, is known to fail (%s) with exit %d, but gave exit %q: if it now works, remove it from exampleKnownFailures:\n    %s",
						i+1, len(exs), e.source, k.Why, k.Exit, rc, e.text)
				}
			}
		}
		if rc == "0" || known {
			continue
		}
		failed++
		status := "exit " + rc
		if _, err := strconv.Atoi(rc); err != nil {
			status = "did not finish (it hung, or the shell stopped before it)"
		}
		msg := fmt.Sprintf("example %d of %d, from %s:\n    %s\n", i+1, len(exs), e.source, e.text)
		if e.run != e.text {
			msg += fmt.Sprintf("  ran as:\n    %s\n", e.run)
		}
		msg += fmt.Sprintf("  %s; stderr:\n%s", status, indent(read(i, "err")))
		if o := read(i, "out"); o != "" {
			msg += fmt.Sprintf("\n  stdout:\n%s", indent(o))
		}
		t.Error(msg)
	}
	if len(expectedRequests) > 0 {
		// The known failures' requests are not in the contract: expected;
		// any other violation is reported when the harness ends.
		var rest []string
		for _, v := range h.sb.Violations() {
			if !slices.ContainsFunc(expectedRequests, func(r string) bool { return strings.Contains(v, r) }) {
				rest = append(rest, v)
			}
		}
		h.sb.ResetViolations()
		if len(rest) > 0 {
			t.Errorf("ITCare API contract violations:\n%s", strings.Join(rest, "\n"))
		}
	}
	if failed == 0 {
		t.Logf("%d examples ran", len(exs))
	}
}

func indent(s string) string {
	if s == "" {
		return "    (empty)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// TestExamplesRun runs every command README.md and the help show.
func TestExamplesRun(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the examples are bash commands")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to run the examples")
	}
	t.Run("README", func(t *testing.T) { runExamples(t, readmeExamples(t), false) })
	byPath, order := helpExamples(t)
	var session []example
	for _, p := range exampleSession {
		session = append(session, byPath[p]...)
		delete(byPath, p)
	}
	t.Run("help/session", func(t *testing.T) { runExamples(t, session, false) })
	for _, p := range order {
		if exs := byPath[p]; len(exs) > 0 {
			t.Run("help/"+strings.TrimPrefix(p, "itcare "), func(t *testing.T) { runExamples(t, exs, true) })
		}
	}
}
