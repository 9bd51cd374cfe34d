package family

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestKebabCase(t *testing.T) {
	for key, want := range map[string]string{
		"serviceId": "service-id", "nodeSizing": "node-sizing", "diskSize": "disk-size", "az": "az",
		"setUpDNSEnabled": "set-up-dns-enabled", "redirectToHttps": "redirect-to-https", "admPassword": "adm-password",
		"driveSiteUri": "drive-site-uri", "allowedReplicationLag": "allowed-replication-lag",
	} {
		if got := KebabCase(key); got != want {
			t.Errorf("KebabCase(%q) = %q, want %q", key, got, want)
		}
	}
}

func validPG() map[string]any {
	return map[string]any{
		"name": "pgorders01", "productCode": "deb12pg16", "serviceId": json.Number("2101"), "nodeSizing": "2cpu4gb",
		"networkId": "EB_1125_DMZ8", "area": "EB-QA", "az": "EB-A", "diskSize": int64(40), "topology": "standalone",
		"admPassword": "Str0ng!Passw0rd", "allowedReplicationLag": int64(10),
	}
}

// Each documented PostgreSQL constraint, broken once, gives exactly one
// violation naming the field, the value and the rule.
func TestPostgreSQLConstraints(t *testing.T) {
	fields := PostgreSQL.Create.Fields
	if vs := fields.Check(validPG()); len(vs) != 0 {
		t.Fatalf("valid body refused: %v", vs)
	}
	cases := []struct {
		key  string
		val  any
		rule string
	}{
		{"name", "pgo", "5 to 60 characters"},
		{"name", strings.Repeat("a", 61), "5 to 60 characters"},
		{"name", "PgOrders01", "lowercase letters and digits"},
		{"name", "cluster", `must not be "cluster"`},
		{"admPassword", "Sh0rt!pw", "at least 12 characters"},
		{"admPassword", "alllowercase1!", "an uppercase letter"},
		{"admPassword", "NOLOWERCASE1!", "a lowercase letter"},
		{"admPassword", "NoDigitsHere!!", "a digit"},
		{"admPassword", "NoSpecial1234", "a special character"},
		{"diskSize", int64(39), "between 40 and 1024"},
		{"diskSize", int64(1025), "between 40 and 1024"},
		{"allowedReplicationLag", int64(0), "between 1 and 10240"},
		{"allowedReplicationLag", int64(10241), "between 1 and 10240"},
		{"topology", "cluster", "one of standalone, HA"},
		{"diskSize", "forty", "must be an integer"},
	}
	for _, c := range cases {
		b := validPG()
		b[c.key] = c.val
		vs := fields.Check(b)
		if len(vs) != 1 || vs[0].Field != c.key || !strings.Contains(vs[0].Rule, c.rule) {
			t.Errorf("%s=%v: got %v, want one violation of %s containing %q", c.key, c.val, vs, c.key, c.rule)
			continue
		}
		if c.key == "admPassword" && strings.Contains(vs[0].String(), c.val.(string)) {
			t.Errorf("the password is shown in %q", vs[0])
		}
	}
	// HA needs nodePrefix of 5-12 uppercase letters.
	b := validPG()
	b["topology"] = "HA"
	if vs := fields.Check(b); len(vs) != 1 || vs[0].Field != "nodePrefix" || !strings.Contains(vs[0].Rule, "required when topology is HA") {
		t.Errorf("HA without nodePrefix: %v", vs)
	}
	for _, p := range []string{"PGO", "PGORDERSPRIMARY", "pgord"} {
		b["nodePrefix"] = p
		if vs := fields.Check(b); len(vs) != 1 || vs[0].Field != "nodePrefix" {
			t.Errorf("nodePrefix %q: %v", p, vs)
		}
	}
	b["nodePrefix"] = "PGORD"
	if vs := fields.Check(b); len(vs) != 0 {
		t.Errorf("valid HA body refused: %v", vs)
	}
}

func TestMissingListsEveryField(t *testing.T) {
	vs := Overdrive.Create.Fields.Check(map[string]any{"name": "x"})
	var keys []string
	for _, v := range vs {
		keys = append(keys, v.Field)
	}
	if got := strings.Join(keys, ","); got != "region,sizing,serviceId,driveSiteUri,password" {
		t.Fatalf("missing fields %s", got)
	}
}

// The options of create_nodes are checked like a body: nested items too.
func TestNestedOptions(t *testing.T) {
	op, _ := Kubernetes.Operation("create_nodes")
	good := map[string]any{"nodes": []any{map[string]any{"nodesNb": int64(2), "nodeSizing": "2cpu4gb", "az": "EB-A"}}}
	if vs := op.Options.Check(good); len(vs) != 0 {
		t.Fatal(vs)
	}
	bad := map[string]any{"nodes": []any{map[string]any{"nodesNb": int64(0), "nodeSizing": "2cpu4gb", "az": "EB-A"}}}
	if vs := op.Options.Check(bad); len(vs) != 1 || !strings.Contains(vs[0].Rule, "nodesNb") {
		t.Fatal(vs)
	}
}
