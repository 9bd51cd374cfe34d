package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

const odPassword = "Od-S3cret!value"

// createFamily is what the create tests need to know of one family.
type createFamily struct {
	cmd, path string
	nameKey   string
	// flags create the resource named by the last value of name.
	flags func(name string) []string
	yaml  func(name string) string // the same body as a YAML file
	// override is one flag and the key/value it must set in the body.
	override             []string
	overrideKey          string
	overrideVal          any
	taken                string // a seeded name (409)
	env                  []string
	violations           [][]string // each breaks one documented constraint
	violationField       []string
	secretKey, secretVal string
}

var createFamilies = []createFamily{
	{
		cmd: "instances", path: "/compute/instances", nameKey: "name",
		flags: func(n string) []string {
			return []string{"--name", n, "--service-id", "2101", "--resource-id", "2cpu4gb", "--product-code", "deb12", "--area", "EB-QA", "--az", "EB-A"}
		},
		yaml: func(n string) string {
			return "name: " + n + "\nserviceId: 2101\nresourceId: 2cpu4gb\nproductCode: deb12\narea: EB-QA\naz: EB-A\n"
		},
		override: []string{"--resource-id", "4cpu8gb"}, overrideKey: "resourceId", overrideVal: "4cpu8gb",
		taken:          "pdeb12web01",
		violations:     [][]string{{"--name", ""}}, // no documented constraint beyond the required fields
		violationField: []string{"name"},
	},
	{
		cmd: "kubernetes", path: "/compute/containers/kubernetes", nameKey: "name",
		flags: func(n string) []string {
			return []string{"--name", n, "--product-code", "k8s128", "--network-id", "EB_1125_DMZ8", "--node-sizing", "2cpu4gb", "--area", "EB-QA", "--az", "EB-A"}
		},
		yaml: func(n string) string {
			return "name: " + n + "\nproductCode: k8s128\nnetworkId: EB_1125_DMZ8\nnodeSizing: 2cpu4gb\narea: EB-QA\naz: EB-A\n"
		},
		override: []string{"--topology", "ha"}, overrideKey: "topology", overrideVal: "HA",
		taken:          "pk8sapp01",
		violations:     [][]string{{"--topology", "MESH"}},
		violationField: []string{"topology"},
	},
	{
		cmd: "loadbalancers", path: "/networking/loadbalancers", nameKey: "url",
		flags: func(n string) []string {
			return []string{"--url", n, "--domain", "example.com", "--service-id", "2101", "--area", "EB-QA", "--network-id", "EB_1125_DMZ8",
				"--profile-name", "HTTP", "--port-members", "8080", "--members", "pdeb12web01,pdeb12web02", "--healthcheck", "/health",
				"--persistence", "cookie", "--redirect-to-https=false"}
		},
		yaml: func(n string) string {
			return "url: " + n + "\ndomain: example.com\nserviceId: 2101\narea: EB-QA\nnetworkId: EB_1125_DMZ8\nprofileName: HTTP\n" +
				"portMembers: 8080\nmembers: [pdeb12web01, pdeb12web02]\nhealthcheck: /health\npersistence: cookie\nredirectToHttps: false\n"
		},
		override: []string{"--profile-name", "https"}, overrideKey: "profileName", overrideVal: "HTTPS",
		taken:          "itcare-web.cegedim.cloud",
		violations:     [][]string{{"--profile-name", "UDP"}, {"--region", "EU"}},
		violationField: []string{"profileName", "region"},
	},
	{
		cmd: "overdrive", path: "/storage/overdrive", nameKey: "name",
		flags: func(n string) []string {
			return []string{"--name", n, "--region", "EB", "--sizing", "M", "--service-id", "2101", "--drive-site-uri", "https://drive.cegedim.cloud/sites/" + n}
		},
		yaml: func(n string) string {
			return "name: " + n + "\nregion: EB\nsizing: M\nserviceId: 2101\ndriveSiteUri: https://drive.cegedim.cloud/sites/" + n + "\n"
		},
		override: []string{"--sizing", "xl"}, overrideKey: "sizing", overrideVal: "XL",
		taken:          "podshare01",
		env:            []string{"ITCARE_OVERDRIVE_PASSWORD", odPassword},
		violations:     [][]string{{"--sizing", "XXL"}, {"--region", "EU"}},
		violationField: []string{"sizing", "region"},
		secretKey:      "password", secretVal: odPassword,
	},
	{
		cmd: "postgresql", path: "/databases/postgresql", nameKey: "name",
		flags: func(n string) []string {
			return []string{"--name", n, "--product-code", "deb12pg16", "--service-id", "2101", "--node-sizing", "2cpu4gb",
				"--network-id", "EB_1125_DMZ8", "--area", "EB-QA", "--az", "EB-A", "--disk-size", "40", "--topology", "standalone"}
		},
		yaml: func(n string) string {
			return "name: " + n + "\nproductCode: deb12pg16\nserviceId: 2101\nnodeSizing: 2cpu4gb\nnetworkId: EB_1125_DMZ8\n" +
				"area: EB-QA\naz: EB-A\ndiskSize: 40\ntopology: standalone\n"
		},
		override: []string{"--disk-size", "100"}, overrideKey: "diskSize", overrideVal: float64(100),
		taken:          "ppgsql01",
		env:            []string{"ITCARE_ADM_PASSWORD", pgPassword},
		violations:     [][]string{{"--disk-size", "39"}, {"--topology", "cluster"}},
		violationField: []string{"diskSize", "topology"},
		secretKey:      "admPassword", secretVal: pgPassword,
	},
}

const pgPassword = "Pg-Adm1n!Secret"

// Each documented PostgreSQL constraint, violated once, exits 2 naming the
// field, the value and the rule; nothing is sent; the password never shows.
func TestPostgreSQLCreateConstraints(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 5})
	h.login()
	base := map[string]string{"name": "pgorders01", "product-code": "deb12pg16", "service-id": "2101", "node-sizing": "2cpu4gb",
		"network-id": "EB_1125_DMZ8", "area": "EB-QA", "az": "EB-A", "disk-size": "40", "topology": "standalone"}
	args := func(over map[string]string) []string {
		out := []string{"postgresql", "create", "--password-stdin", "--debug"}
		for k, v := range base {
			if o, ok := over[k]; ok {
				v = o
			}
			if v != "-" {
				out = append(out, "--"+k, v)
			}
		}
		for k, v := range over {
			if _, ok := base[k]; !ok {
				out = append(out, "--"+k+"="+v)
			}
		}
		return out
	}
	for _, c := range []struct {
		over     map[string]string
		password string
		want     string
	}{
		{map[string]string{"name": "pgo"}, pgPassword, `name "pgo": must be 5 to 60 characters long`},
		{map[string]string{"name": strings.Repeat("p", 61)}, pgPassword, "must be 5 to 60 characters long (has 61)"},
		{map[string]string{"name": "PgOrders01"}, pgPassword, `name "PgOrders01": must be lowercase letters and digits`},
		{map[string]string{"name": "cluster"}, pgPassword, `name "cluster": must not be "cluster"`},
		{nil, "Sh0rt!pw", "admPassword [REDACTED]: must be at least 12 characters long"},
		{nil, "nouppercase1!", "admPassword [REDACTED]: must contain an uppercase letter"},
		{nil, "NOLOWERCASE1!", "admPassword [REDACTED]: must contain a lowercase letter"},
		{nil, "NoDigitsHere!!", "admPassword [REDACTED]: must contain a digit"},
		{nil, "NoSpecial12345", "admPassword [REDACTED]: must contain a special character"},
		{map[string]string{"disk-size": "39"}, pgPassword, "diskSize 39: must be between 40 and 1024"},
		{map[string]string{"disk-size": "1025"}, pgPassword, "diskSize 1025: must be between 40 and 1024"},
		{map[string]string{"allowed-replication-lag": "0"}, pgPassword, "allowedReplicationLag 0: must be between 1 and 10240"},
		{map[string]string{"allowed-replication-lag": "10241"}, pgPassword, "allowedReplicationLag 10241: must be between 1 and 10240"},
		{map[string]string{"topology": "cluster"}, pgPassword, `topology "cluster": must be one of standalone, HA`},
		{map[string]string{"topology": "HA"}, pgPassword, "nodePrefix: required when topology is HA"},
		{map[string]string{"topology": "HA", "node-prefix": "PGO"}, pgPassword, `nodePrefix "PGO": must be 5 to 12 characters long`},
		{map[string]string{"topology": "HA", "node-prefix": "PGORDERSPRIMARY"}, pgPassword, "must be 5 to 12 characters long (has 15)"},
		{map[string]string{"topology": "HA", "node-prefix": "pgord"}, pgPassword, `nodePrefix "pgord": must be uppercase letters`},
	} {
		h.stdin = c.password + "\n"
		r := h.run(args(c.over)...)
		assertCode(t, r, ExitUsage)
		if !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n  ") != 1 {
			t.Errorf("%v: want exactly the violation %q:\n%s", c.over, c.want, r.stderr)
		}
		noSecret(t, r, c.password)
	}
	if n := len(h.apiRequests("POST", "/databases/postgresql")); n != 0 {
		t.Fatalf("%d invalid bodies were sent", n)
	}
	// HA with a valid prefix goes through; the ha spelling is accepted.
	h.stdin = pgPassword + "\n"
	r := h.run(args(map[string]string{"topology": "ha", "node-prefix": "PGORD", "tls": "true", "allowed-replication-lag": "64"})...)
	assertCode(t, r, 0)
	noSecret(t, r, pgPassword)
	body := lastBody(t, h, "/databases/postgresql")
	if body["topology"] != "HA" || body["nodePrefix"] != "PGORD" || body["tls"] != true || body["admPassword"] != pgPassword {
		t.Fatalf("body %v", body)
	}
}

// lastBody is the JSON body of the last POST the sandbox received at path.
func lastBody(t *testing.T, h *harness, path string) map[string]any {
	t.Helper()
	reqs := h.apiRequests("POST", path)
	if len(reqs) == 0 {
		t.Fatalf("no POST %s recorded", path)
	}
	var m map[string]any
	if err := json.Unmarshal(reqs[len(reqs)-1].Body, &m); err != nil {
		t.Fatalf("body %s: %v", reqs[len(reqs)-1].Body, err)
	}
	return m
}

func noSecret(t *testing.T, r result, secret string) {
	t.Helper()
	if secret != "" && (strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret)) {
		t.Fatalf("the secret appears in the output:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
	}
}

// For each family: create from flags, from a YAML file, from stdin with a
// flag overriding a field, with --set extras; the created resource is
// printed after the wait; secrets never appear.
func TestCreateEachFamily(t *testing.T) {
	for _, fam := range createFamilies {
		t.Run(fam.cmd, func(t *testing.T) {
			h := newHarness(t, sandbox.Options{Instances: 5})
			h.login()
			if fam.env != nil {
				t.Setenv(fam.env[0], fam.env[1])
			}
			check := func(r result, name string) map[string]any {
				t.Helper()
				assertCode(t, r, 0)
				noSecret(t, r, fam.secretVal)
				got := decodeJSON[map[string]any](t, r.stdout)
				if got["name"] != name || got["status"] != "ACTIVE" {
					t.Fatalf("printed resource %v", got)
				}
				body := lastBody(t, h, fam.path)
				if fam.secretKey != "" && body[fam.secretKey] != fam.secretVal {
					t.Fatalf("the secret was not sent: %v", body[fam.secretKey])
				}
				return body
			}

			// From flags, --debug on: the body is traced with the secret masked.
			name := "new" + strings.ReplaceAll(fam.cmd, "s", "") + "a.example.com"
			if fam.nameKey == "name" {
				name = "pnew" + fam.cmd[:3] + "01"
			}
			r := h.run(append([]string{fam.cmd, "create", "-o", "json", "--debug"}, fam.flags(name)...)...)
			check(r, name)
			if !strings.Contains(r.stderr, "> POST ") {
				t.Fatalf("--debug did not trace the body:\n%s", r.stderr)
			}

			// From a YAML file.
			name2 := strings.Replace(name, "01", "02", 1)
			name2 = strings.Replace(name2, "a.example", "b.example", 1)
			file := filepath.Join(t.TempDir(), "body.yaml")
			if err := os.WriteFile(file, []byte(fam.yaml(name2)), 0o600); err != nil {
				t.Fatal(err)
			}
			check(h.run(fam.cmd, "create", "-o", "json", "--from-file", file), name2)

			// From stdin (JSON), a flag overriding one field, --set extras.
			name3 := strings.Replace(name, "01", "03", 1)
			name3 = strings.Replace(name3, "a.example", "c.example", 1)
			var m map[string]any
			_ = yamlToMap(t, fam.yaml(name3), &m)
			js, _ := json.Marshal(m)
			h.stdin = string(js)
			args := append([]string{fam.cmd, "create", "-o", "json", "--from-file", "-", "--set", "labels.team=web", "--set", "replicas=2"}, fam.override...)
			body := check(h.run(args...), name3)
			h.stdin = ""
			if body[fam.overrideKey] != fam.overrideVal {
				t.Fatalf("%s = %v, want %v (flag over file)", fam.overrideKey, body[fam.overrideKey], fam.overrideVal)
			}
			if labels, _ := body["labels"].(map[string]any); labels["team"] != "web" || body["replicas"] != float64(2) {
				t.Fatalf("--set extras not sent: %v", body)
			}
		})
	}
}

func yamlToMap(t *testing.T, y string, into *map[string]any) error {
	t.Helper()
	*into = map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(y), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		var val any = v
		switch {
		case v == "true" || v == "false":
			val = v == "true"
		case strings.HasPrefix(v, "["):
			var l []any
			for _, x := range strings.Split(strings.Trim(v, "[]"), ",") {
				l = append(l, strings.TrimSpace(x))
			}
			val = l
		default:
			var n json.Number
			if json.Unmarshal([]byte(v), &n) == nil {
				val = n
			}
		}
		(*into)[k] = val
	}
	return nil
}

// --dry-run sends the header, prints the masked body and creates nothing.
func TestCreateDryRun(t *testing.T) {
	for _, fam := range createFamilies {
		t.Run(fam.cmd, func(t *testing.T) {
			h := newHarness(t, sandbox.Options{Instances: 5})
			h.login()
			if fam.env != nil {
				t.Setenv(fam.env[0], fam.env[1])
			}
			name := "pdry" + fam.cmd[:3] + "01"
			if fam.nameKey == "url" {
				name = "dry.example.com"
			}
			r := h.run(append([]string{fam.cmd, "create", "--dry-run", "--debug"}, fam.flags(name)...)...)
			assertCode(t, r, 0)
			noSecret(t, r, fam.secretVal)
			reqs := h.apiRequests("POST", fam.path)
			if len(reqs) != 1 || reqs[0].Header.Get("ITCare-DryRun") != "true" {
				t.Fatalf("dry-run requests %v", reqs)
			}
			if !strings.Contains(r.stderr, "request body:") || !strings.Contains(r.stderr, `"`+fam.nameKey+`": "`+name+`"`) {
				t.Fatalf("body not printed on stderr:\n%s", r.stderr)
			}
			if fam.secretKey != "" && !strings.Contains(r.stderr, `"`+fam.secretKey+`": "[REDACTED]"`) {
				t.Fatalf("secret not shown masked:\n%s", r.stderr)
			}
			if !strings.Contains(r.stdout, "dry run:") {
				t.Fatalf("stdout %q", r.stdout)
			}
			list := h.mustRun(fam.cmd, "list", "--all", "-o", "json", "--jq", `[.[] | select(.name == "`+name+`")] | length`)
			if strings.TrimSpace(list.stdout) != "0" {
				t.Fatalf("dry run created %s", list.stdout)
			}
		})
	}
}

// Each documented constraint violated gives exit 2 naming field, value and
// rule, and nothing is sent; a taken name gives the server's 409 (exit 1).
func TestCreateChecksAndConflicts(t *testing.T) {
	for _, fam := range createFamilies {
		t.Run(fam.cmd, func(t *testing.T) {
			h := newHarness(t, sandbox.Options{Instances: 5})
			h.login()
			if fam.env != nil {
				t.Setenv(fam.env[0], fam.env[1])
			}
			for i, v := range fam.violations {
				r := h.run(append(append([]string{fam.cmd, "create"}, fam.flags("pbad"+fam.cmd[:3]+"01")...), v...)...)
				assertCode(t, r, ExitUsage)
				if !strings.Contains(r.stderr, fam.violationField[i]) || !strings.Contains(r.stderr, "must") && !strings.Contains(r.stderr, "required") {
					t.Fatalf("%v: stderr does not name field and rule:\n%s", v, r.stderr)
				}
			}
			// Missing required fields are listed at once, off a terminal.
			r := h.run(fam.cmd, "create", "--set", "foo=1")
			assertCode(t, r, ExitUsage)
			if n := strings.Count(r.stderr, ": required"); n < 4 {
				t.Fatalf("missing fields not all listed (%d):\n%s", n, r.stderr)
			}
			if reqs := h.apiRequests("POST", fam.path); len(reqs) != 0 {
				t.Fatalf("a refused body was sent: %d requests", len(reqs))
			}

			r = h.run(append([]string{fam.cmd, "create"}, fam.flags(fam.taken)...)...)
			assertCode(t, r, ExitError)
			if !strings.Contains(r.stderr, "409") || !strings.Contains(r.stderr, "already exists") {
				t.Fatalf("409 not reported:\n%s", r.stderr)
			}
			noSecret(t, r, fam.secretVal)
		})
	}
}

// create waits like every change: --no-wait prints the action id, a failed
// action exits 3, a wait that times out exits 5.
func TestCreateWaitOutcomes(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 5})
	h.login()
	fam := createFamilies[0]
	r := h.run(append([]string{"instances", "create", "--no-wait"}, fam.flags("pnowait01")...)...)
	assertCode(t, r, 0)
	if id := strings.TrimSpace(r.stdout); id == "" || strings.ContainsAny(id, " \n") {
		t.Fatalf("--no-wait stdout %q", r.stdout)
	}
	h.mustRun("actions", "wait", strings.TrimSpace(r.stdout))

	h.sb.FailNext("create-instance", "no capacity left in EB-A")
	r = h.run(append([]string{"instances", "create"}, fam.flags("pfail01")...)...)
	assertCode(t, r, ExitActionError)
	if !strings.Contains(r.stderr, "no capacity left in EB-A") {
		t.Fatalf("stderr %s", r.stderr)
	}
	list := h.mustRun("instances", "list", "--name", "pfail01", "-o", "json")
	if strings.TrimSpace(list.stdout) != "[]" {
		t.Fatalf("a failed creation left %s", list.stdout)
	}

	h.sb.SetActionDuration(time.Hour)
	r = h.run(append([]string{"instances", "create", "--wait-timeout", "300ms"}, fam.flags("pslow01")...)...)
	assertCode(t, r, ExitTimeout)
}
