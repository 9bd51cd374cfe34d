package cmd

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/output"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// runOffline runs a command line with no server anywhere: the API and auth
// URLs point at a closed port and there are no credentials. A usage error
// must be found before anything would be sent.
func runOffline(t *testing.T, args ...string) result {
	t.Helper()
	offlineEnv(t)
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	ios := output.NewIOStreams(strings.NewReader(""), out, errOut, output.Terminal{})
	code := Execute(context.Background(), NewFactory(ios), args)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

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
