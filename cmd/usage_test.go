package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/output"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// runOffline runs a command line with no server anywhere: the API and auth
// URLs point at a closed port and there are no credentials. A usage error
// must be found before anything would be sent. A command that missed one
// and went on to serve or wait is stopped after a while (and then fails).
func runOffline(t *testing.T, args ...string) result {
	t.Helper()
	offlineEnv(t)
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	ios := output.NewIOStreams(strings.NewReader(""), out, errOut, output.Terminal{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := NewFactory(ios)
	sent := refuseRequests(f)
	code := Execute(ctx, f, args)
	if *sent > 0 {
		t.Errorf("itcare %q tried %d HTTP request(s)", args, *sent)
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// refuseRequests makes every HTTP request of f fail, as on a closed port,
// and counts them.
func refuseRequests(f *Factory) *int {
	var mu sync.Mutex
	sent := new(int)
	f.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		*sent++
		return nil, errors.New("connection refused (offline test)")
	})
	return sent
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (fn roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return fn(r) }

// offlineEnv points the settings at a closed port, without credentials.
func offlineEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"ITCARE_CLIENT_ID", "ITCARE_CLIENT_SECRET", "ITCARE_PROFILE", "ITCARE_OUTPUT", "ITCARE_DRY_RUN", "ITCARE_TIMEOUT"} {
		t.Setenv(k, "")
	}
	t.Setenv("ITCARE_API_URL", "http://127.0.0.1:9/itcare")
	t.Setenv("ITCARE_AUTH_URL", "http://127.0.0.1:9/auth/realms/cloud")
	t.Setenv("ITCARE_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
}

// The run functions take an options struct: their usage errors are found
// from the options alone, with no command line and no server.
func TestRunFunctionsCheckTheirOptions(t *testing.T) {
	offlineEnv(t)
	ctx := context.Background()
	f := NewFactory(testStreams())
	instances := newFamilySpec(family.MustLookup("instances"))
	for name, err := range map[string]error{
		"actions wait, bad id":       runActionsWait(ctx, f, &actionsWaitOptions{Args: []string{"12", "x"}}),
		"actions wait, negative":     runActionsWait(ctx, f, &actionsWaitOptions{Args: []string{"12"}, Interval: -time.Second}),
		"actions list, bad status":   runActionsList(ctx, f, &actionsListOptions{Filter: api.ActionFilter{Statuses: []string{"DONE"}}}),
		"actions list, bad id":       runActionsList(ctx, f, &actionsListOptions{Filter: api.ActionFilter{ResourceID: "web01"}}),
		"api, outside the API":       runAPI(ctx, f, &apiOptions{CallOptions: api.CallOptions{Path: "/%2e%2e/x"}}),
		"api, negative wait timeout": runAPI(ctx, f, &apiOptions{CallOptions: api.CallOptions{Path: "/x"}, WaitTimeout: -time.Second}),
		"instances list, status":     instances.runList(ctx, f, &listOptions{Values: statusValues(instances, "NAPPING")}),
		"instances list, size 0":     instances.runList(ctx, f, &listOptions{Page: api.PageOptions{Size: 0}, SizeGiven: true}),
		"instances list, page -1":    instances.runList(ctx, f, &listOptions{Page: api.PageOptions{Page: -1}}),
		"instances list, sort":       instances.runList(ctx, f, &listOptions{Page: api.PageOptions{Sort: "name,sideways"}}),
		"delete without --yes":       instances.runFleet(ctx, f, &fleetFlags{MaxParallel: 1}, []string{"web01"}, changeSpec{Op: "delete", Destructive: true}),
		"stop several without --yes": instances.runFleet(ctx, f, &fleetFlags{MaxParallel: 1}, []string{"web01", "web02"}, changeSpec{Op: "stop"}),
		"stop without a target":      instances.runFleet(ctx, f, &fleetFlags{MaxParallel: 1}, nil, changeSpec{Op: "stop"}),
		"negative --wait-timeout":    instances.runFleet(ctx, f, &fleetFlags{waitFlags: waitFlags{Timeout: -time.Second}, MaxParallel: 1}, []string{"web01"}, changeSpec{Op: "stop"}),
		"--max-parallel 0":           instances.runFleet(ctx, f, &fleetFlags{}, []string{"web01"}, changeSpec{Op: "stop"}),
	} {
		if code := ExitCode(err); code != ExitUsage {
			t.Errorf("%s: %v (exit %d), want a usage error", name, err, code)
		}
	}

	// Every other command's run function too: each case names the usage
	// error it must find from the options alone.
	// A sandbox whose check failed would serve until ctx ends: it ends at once.
	ended, cancel := context.WithCancel(ctx)
	cancel()
	f = NewFactory(testStreams())
	sent := refuseRequests(f)
	kubernetes := newFamilySpec(family.MustLookup("kubernetes"))
	loadBalancers := newFamilySpec(family.MustLookup("loadbalancers"))
	resources := newFamilySpec(family.MustLookup("resources"))
	bodyFlagsOf := func(spec family.Fields, withFile bool) *bodyFlags {
		return registerBodyFlags(pflag.NewFlagSet("test", pflag.ContinueOnError), spec, withFile)
	}
	resize, _ := instances.Operation("resize")
	urls, _ := loadBalancers.Sub("urls")
	noChange := func(map[string]any) changeSpec { return changeSpec{Op: "change"} }
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"get, blank name", instances.runGet(ctx, f, &getOptions{Arg: " "}), "empty <id|name>: which instance?"},
		{"login, no client id", runLogin(ctx, f, &loginOptions{}), "no client id"},
		{"login, no secret", runLogin(ctx, f, &loginOptions{ClientID: "sandbox-client"}), "no client secret"},
		{"login, empty stdin", runLogin(ctx, f, &loginOptions{ClientID: "sandbox-client", SecretStdin: true}), "standard input"},
		{"sandbox, negative rate limit", runSandbox(ended, f, &sandboxOptions{Addr: "127.0.0.1:0", Server: sandbox.Options{RateLimit: -1}}), "--rate-limit"},
		{"sandbox, negative latency", runSandbox(ended, f, &sandboxOptions{Addr: "127.0.0.1:0", Latency: -time.Second}), "--latency"},
		{"sandbox, bad fault", runSandbox(ended, f, &sandboxOptions{Addr: "127.0.0.1:0", Faults: []string{"bogus"}}), "invalid fault"},
		{"config get, unknown key", runConfigGet(f, &configOptions{Key: "nope"}), `unknown setting "nope"`},
		{"config set, bad value", runConfigSet(f, &configOptions{Key: "timeout", Value: "abc"}), "invalid value"},
		{"config unset, unknown key", runConfigUnset(f, &configOptions{Key: "nope"}), `unknown setting "nope"`},
		{"auth switch, bad name", runAuthSwitch(f, "bad/name"), "invalid profile name"},
		{"auth switch, unknown", runAuthSwitch(f, "ghost"), "has no login and no section"},
		{"completion, unknown shell", writeCompletion(&cobra.Command{Use: "itcare"}, io.Discard, &completionOptions{Shell: "tcsh"}), `unknown shell "tcsh"`},
		{"changes list, bad --since", runChangesList(ctx, f, &changesListOptions{Since: "soon", Until: "60d"}), "invalid --since"},
		{"changes list, empty period", runChangesList(ctx, f, &changesListOptions{Since: "1d", Until: "2020-01-01"}), "the period is empty"},
		{"actions get, bad id", runActionsGet(ctx, f, "x"), `invalid action id "x"`},
		{"resources history, blank", resources.runHistory(ctx, f, ""), "empty <id|name>"},
		{"snapshots list, blank", instances.runSubList(ctx, f, " ", "snapshots", snapshotColumns, "snapshots"), "empty <id|name>"},
		{"networks, blank", instances.runSubObject(ctx, f, &subOptions{Arg: " "}, networkColumns, "networks"), "empty <id|name>"},
		{"metrics, one point", instances.runMetrics(ctx, f, &metricsOptions{Arg: "web01", Since: time.Hour, Points: 1}), "invalid --points 1"},
		{"metrics, --since 0", instances.runMetrics(ctx, f, &metricsOptions{Arg: "web01", Points: 10}), "invalid --since"},
		{"metrics, --since and --start", instances.runMetrics(ctx, f, &metricsOptions{Arg: "web01", Since: time.Hour, SinceGiven: true, Start: "2026-06-01T06:00:00Z", Points: 10}), "cannot be used together"},
		{"metrics, bad --end", instances.runMetrics(ctx, f, &metricsOptions{Arg: "web01", Since: time.Hour, End: "tomorrow", Points: 10}), "invalid --end"},
		{"create, negative --wait-timeout", instances.runCreate(ctx, f, &createOptions{waitFlags: waitFlags{Timeout: -time.Second}}), "--wait-timeout"},
		{"create, missing fields", instances.runCreate(ctx, f, &createOptions{Body: bodyFlagsOf(instances.Create.Fields, true)}), "missing required fields"},
		{"nodes add, --count 0", kubernetes.runNodesAdd(ctx, f, []string{"c1"}, &nodesAddOptions{Sizing: "2cpu4gb", AZ: "EB-A"}), "invalid --count 0"},
		{"nodes add, bad sizing", kubernetes.runNodesAdd(ctx, f, []string{"c1"}, &nodesAddOptions{Count: 1, Sizing: "big", AZ: "EB-A"}), "invalid --sizing"},
		{"nodes add, no az", kubernetes.runNodesAdd(ctx, f, []string{"c1"}, &nodesAddOptions{Count: 1, Sizing: "2cpu4gb"}), "--az is required"},
		{"snapshots create, no description", instances.runSnapshotCreate(ctx, f, []string{"web01"}, &snapshotCreateOptions{fleetFlags: fleetFlags{MaxParallel: 1}}), "--description is required"},
		{"resize, missing values", instances.runBodyChange(ctx, f, []string{"web01"}, &bodyChangeOptions{fleetFlags: fleetFlags{MaxParallel: 1}, Body: bodyFlagsOf(resize.Options, false)}, noChange), "missing required fields"},
		{"urls add, no name", loadBalancers.runBodyChange(ctx, f, []string{"lb1"}, &bodyChangeOptions{fleetFlags: fleetFlags{MaxParallel: 1}, Body: bodyFlagsOf(urls.Body, true)}, noChange), "missing required fields"},
	} {
		if code := ExitCode(c.err); code != ExitUsage || !strings.Contains(fmt.Sprint(c.err), c.want) {
			t.Errorf("%s: %v (exit %d), want a usage error with %q", c.name, c.err, code, c.want)
		}
	}
	if *sent > 0 {
		t.Errorf("the run functions tried %d HTTP request(s) before their usage errors", *sent)
	}

	// A bad -o is found before the first request by the commands that
	// print without resolving anything first.
	t.Setenv("ITCARE_OUTPUT", "columns=NOPE")
	f = NewFactory(testStreams())
	sent = refuseRequests(f)
	for name, err := range map[string]error{
		"status":      runStatus(ctx, f),
		"version":     runVersion(f),
		"auth status": runAuthStatus(f),
		"config list": runConfigList(f),
		"profiles":    runProfiles(f),
		"get":         instances.runGet(ctx, f, &getOptions{Arg: "web01"}),
	} {
		if code := ExitCode(err); code != ExitUsage || !strings.Contains(fmt.Sprint(err), `unknown column "NOPE"`) {
			t.Errorf("%s -o columns=NOPE: %v (exit %d), want a usage error naming the column", name, err, code)
		}
	}
	if *sent > 0 {
		t.Errorf("%d HTTP request(s) sent before a bad -o was found", *sent)
	}
	t.Setenv("ITCARE_OUTPUT", "yaml")
	f = NewFactory(testStreams())
	sent = refuseRequests(f)
	if err := instances.runGet(ctx, f, &getOptions{Arg: "web01", Watch: true, Interval: time.Second}); ExitCode(err) != ExitUsage || *sent > 0 {
		t.Errorf("get --watch -o yaml: %v after %d request(s), want a usage error before any", err, *sent)
	}
}

func TestUsageErrorsNeedNoServer(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		// Closest subcommand at every level.
		{[]string{"instnces", "list"}, "Did you mean this?\n\tinstances"},
		{[]string{"instances", "lsit"}, "Did you mean this?\n\tlist"},
		{[]string{"kubernetes", "nodes", "lsit"}, "Did you mean this?\n\tlist"},
		{[]string{"actions", "wiat"}, "\twait\n"},
		// A missing or blank argument is said in words, with the usage line.
		{[]string{"instances", "stop"}, "missing <id|name>: which instances to stop? Name them (ids or names), or select them with filters such as --env QA --status ACTIVE\n"},
		{[]string{"instances", "stop", "web01", " "}, "empty <id|name>...: which instance to stop?\nUsage: itcare instances stop <id|name>... | --FILTER VALUE... [flags]\n"},
		{[]string{"instances", "get", ""}, "empty <id|name>: which instance to show?\nUsage: itcare instances get <id|name>"},
		{[]string{"instances", "delete", " ", "--yes"}, "empty <id|name>...: which instance to delete?"},
		{[]string{"kubernetes", "get"}, "missing <id|name>: which Kubernetes cluster to show?"},
		{[]string{"resources", "history", " "}, "empty <id|name>: which resource to show the history of?"},
		{[]string{"actions", "wait"}, "missing <id>...: which action(s) to wait for?\nUsage: itcare actions wait <id>... [flags]"},
		{[]string{"api"}, "missing <path>: which API path to call"},
		// itcare api checks its whole request first.
		{[]string{"api", "../../x"}, "refusing to send credentials"},
		{[]string{"api", "//evil.com/x"}, "refusing to send credentials"},
		{[]string{"api", "http://other-host/x"}, "refusing to send credentials"},
		{[]string{"api", "/x", "-H", "X-A: b\r\nX-B: c"}, "line break"},
		{[]string{"api", "/x", "-F", "a[=1"}, "invalid field"},
		{[]string{"api", "/x", "-X", "POST", "--paginate"}, "--paginate"},
		{[]string{"actions", "wait", "12", "x"}, `invalid action id "x"`},
		{[]string{"actions", "wait", "12", "--timeout", "-1s"}, "--timeout"},
		// Paging and timeouts: 0 is refused like any other value below 1.
		{[]string{"instances", "list", "--size", "0"}, "invalid --size 0"},
		{[]string{"instances", "list", "--size", "-1"}, "invalid --size -1"},
		{[]string{"instances", "list", "--timeout", "0"}, "timeout"},
		{[]string{"instances", "list", "--sort", "name,up"}, "sort direction"},
		// Closed sets the documentation fixes are checked here.
		{[]string{"instances", "list", "--status", "SLEEPING"}, `invalid statuses "SLEEPING"`},
		{[]string{"instances", "list", "--type", "BEOS"}, `invalid types "BEOS"`},
		{[]string{"actions", "list", "--status", "DONE"}, `invalid status "DONE"`},
		// Every other command finds its usage errors before sending anything.
		{[]string{"instances", "get", "web01", "--watch", "-o", "yaml"}, "-o yaml cannot follow changes"},
		{[]string{"instances", "get", "web01", "-o", "columns=NOPE"}, `unknown column "NOPE"`},
		{[]string{"instances", "get", "web01", "--watch=0s"}, "invalid --watch interval"},
		{[]string{"login"}, "no client id: pass --client-id or set ITCARE_CLIENT_ID"},
		{[]string{"login", "--client-id", "sandbox-client"}, "no client secret: pass --client-secret-stdin"},
		{[]string{"login", "--client-id", "sandbox-client", "--client-secret-stdin"}, "reading the client secret from standard input"},
		{[]string{"logout", "-p", "bad/name"}, `invalid profile name "bad/name"`},
		{[]string{"auth", "token", "-p", "bad/name"}, `invalid profile name "bad/name"`},
		{[]string{"auth", "status", "-o", "columns=NOPE"}, `unknown column "NOPE"`},
		{[]string{"auth", "switch", "bad/name"}, `invalid profile name "bad/name"`},
		{[]string{"auth", "switch", "ghost"}, `profile "ghost" has no login and no section`},
		{[]string{"profiles", "-o", "columns=NOPE"}, `unknown column "NOPE"`},
		{[]string{"status", "-o", "columns=NOPE"}, `unknown column "NOPE": valid columns are API, ENDPOINT`},
		{[]string{"status", "-o", "bogus"}, `unknown output format "bogus"`},
		{[]string{"version", "-o", "columns=NOPE"}, `unknown column "NOPE": valid columns are VERSION`},
		{[]string{"sandbox", "--addr", "127.0.0.1:0", "--rate-limit", "-1"}, "invalid --rate-limit -1: must not be negative"},
		{[]string{"sandbox", "--addr", "127.0.0.1:0", "--latency", "-1s"}, "invalid --latency -1s: must not be negative"},
		{[]string{"sandbox", "--addr", "127.0.0.1:0", "--fault", "bogus"}, `invalid fault "bogus"`},
		{[]string{"config", "list", "-o", "columns=NOPE"}, `unknown column "NOPE"`},
		{[]string{"config", "get", "nope"}, `unknown setting "nope"`},
		{[]string{"config", "set", "timeout", "abc"}, `invalid value "abc" for timeout`},
		{[]string{"config", "set", "nope", "x"}, `unknown setting "nope"`},
		{[]string{"config", "unset", "nope"}, `unknown setting "nope"`},
		{[]string{"completion", "tcsh"}, `unknown shell "tcsh"`},
		{[]string{"changes", "list", "--since", "soon"}, `invalid --since "soon"`},
		{[]string{"changes", "list", "--since", "1d", "--until", "2020-01-01"}, "the period is empty"},
		{[]string{"actions", "get", "x"}, `invalid action id "x"`},
		{[]string{"resources", "history", " "}, "empty <id|name>"},
		{[]string{"instances", "snapshots", "list", " "}, "empty <instance>"},
		{[]string{"instances", "metrics", "web01", "--points", "1"}, "invalid --points 1"},
		{[]string{"instances", "metrics", "web01", "--since", "1h", "--start", "2026-06-01T06:00:00Z"}, "--since and --start cannot be used together"},
		{[]string{"instances", "metrics", "web01", "--end", "tomorrow"}, `invalid --end "tomorrow"`},
		{[]string{"instances", "create"}, "missing required fields, nothing was sent"},
		{[]string{"instances", "create", "--wait-timeout", "-1s"}, "invalid --wait-timeout -1s"},
		{[]string{"kubernetes", "nodes", "add", "c1", "--count", "0"}, "invalid --count 0"},
		{[]string{"kubernetes", "nodes", "add", "c1", "--sizing", "big"}, `invalid --sizing "big"`},
		{[]string{"kubernetes", "nodes", "add", "c1", "--sizing", "2cpu4gb"}, "--az is required"},
		{[]string{"instances", "snapshots", "create", "web01"}, "--description is required"},
		{[]string{"instances", "resize", "web01"}, "missing required fields"},
		{[]string{"instances", "resize", "web01", "--cpu", "0", "--ram", "4"}, "cpu 0: must be at least 1"},
		{[]string{"loadbalancers", "urls", "add", "lb1"}, "missing required fields"},
	} {
		r := runOffline(t, c.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("itcare %q: exit %d, stdout %q, stderr:\n%s\nwant exit 2 and %q", c.args, r.code, r.stdout, r.stderr, c.want)
		}
	}
}

// Open sets the API may extend (environments, OS families) are not checked
// by the client: the server decides.
func TestOpenFilterSetsGoToTheServer(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	h.login()
	h.run("instances", "list", "--env", "staging", "--family", "haiku")
	reqs := h.apiRequests("GET", "/compute/instances")
	if len(reqs) != 1 || reqs[0].Query.Get("environments") != "STAGING" || reqs[0].Query.Get("families") != "HAIKU" {
		t.Fatalf("requests %v", reqs)
	}
	h.sb.ResetViolations()
}

// statusValues fills the --status flag of a family's list options.
func statusValues(s *familySpec, status string) [][]string {
	filters := s.flagFilters()
	values := make([][]string, len(filters))
	for i, fl := range filters {
		if fl.Flag == "status" {
			values[i] = []string{status}
		}
	}
	return values
}

// The run functions work without cobra: options in, output and requests
// out, against the sandbox.
func TestRunFunctionsWithoutCobra(t *testing.T) {
	h := newHarness(t, sandbox.Options{})
	ctx := context.Background()
	factory := func(stdin string) (*Factory, *bytes.Buffer, *bytes.Buffer) {
		out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
		f := NewFactory(output.NewIOStreams(strings.NewReader(stdin), out, errOut, output.Terminal{}))
		f.WaitOptions = api.WaitOptions{MinInterval: 20 * time.Millisecond, MaxInterval: 100 * time.Millisecond}
		return f, out, errOut
	}

	f, _, errOut := factory("sandbox-secret\n")
	if err := runLogin(ctx, f, &loginOptions{ClientID: "sandbox-client", SecretStdin: true, InsecureStorage: true}); err != nil {
		t.Fatalf("login: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut.String(), `Logged in to `+h.sb.APIURL()+` as sandbox-client (profile "default")`) {
		t.Errorf("login said:\n%s", errOut)
	}

	f, out, _ := factory("")
	instances := newFamilySpec(family.MustLookup("instances"))
	if err := instances.runGet(ctx, f, &getOptions{Arg: "pdeb12web01"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pdeb12web01") || len(h.apiRequests("GET", "/compute/instances")) == 0 {
		t.Errorf("get printed:\n%s", out)
	}

	f, out, _ = factory("")
	if err := runStatus(ctx, f); err != nil || !strings.Contains(out.String(), "UP") {
		t.Errorf("status: %v\n%s", err, out)
	}

	f, _, _ = factory("")
	if err := runConfigSet(f, &configOptions{Key: "timeout", Value: "45s"}); err != nil {
		t.Fatal(err)
	}
	f, out, _ = factory("")
	if err := runConfigGet(f, &configOptions{Key: "timeout"}); err != nil || out.String() != "45s\n" {
		t.Errorf("config get timeout: %v, %q", err, out)
	}

	f, out, _ = factory("")
	if err := runAuthToken(ctx, f); err != nil || strings.TrimSpace(out.String()) == "" {
		t.Errorf("auth token: %v, %q", err, out)
	}
}
