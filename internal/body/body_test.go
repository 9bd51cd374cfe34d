package body

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/redact"

	"github.com/itcare-cli/itcare/internal/family"
)

func TestBuildMergesFileSetsAndFlags(t *testing.T) {
	spec := family.PostgreSQL.Create.Fields
	dir := t.TempDir()
	file := filepath.Join(dir, "pg.yaml")
	os.WriteFile(file, []byte("name: pgfile01\ndiskSize: 40\ntopology: standalone\nlabels:\n  team: data\n"), 0o600)
	b, err := Build(spec, Options{
		FromFile: file,
		Sets:     []string{"labels.owner=ops", "replicas=2", "tls=true", "diskSize=80", "nested.deep.key=null"},
		Flags:    map[string]any{"diskSize": int64(100), "topology": "ha"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(b)
	want := `{"diskSize":100,"labels":{"owner":"ops","team":"data"},"name":"pgfile01","nested":{"deep":{"key":null}},"replicas":2,"tls":true,"topology":"HA"}`
	if string(got) != want {
		t.Fatalf("body\n got %s\nwant %s", got, want)
	}
}

func TestBuildReadsJSONFromStdinAndRefusesBadInput(t *testing.T) {
	spec := family.Overdrive.Create.Fields
	b, err := Build(spec, Options{FromFile: "-"}, strings.NewReader(`{"name": "x", "serviceId": 2101.0}`))
	if err != nil || b["name"] != "x" || b["serviceId"] != json.Number("2101.0") {
		t.Fatalf("%v %v", b, err)
	}
	if vs := spec.Check(b); len(vs) == 0 || vs[0].Field != "region" {
		t.Fatalf("2101.0 is an integer, region missing first: %v", vs)
	}
	for _, c := range []struct {
		o     Options
		stdin string
		want  string
	}{
		{Options{FromFile: "-"}, "[1, 2]", "must hold one object"},
		{Options{FromFile: "-"}, "", "is empty"},
		{Options{FromFile: "-"}, "name: [unclosed", "is not JSON or YAML"},
		{Options{FromFile: filepath.Join(t.TempDir(), "none.yaml")}, "", "no such file"},
		{Options{Sets: []string{"novalue"}}, "", "want key=value"},
		{Options{Sets: []string{"a..b=1"}}, "", "empty key segment"},
		{Options{Sets: []string{"password=x"}}, "", "is a secret"},
		{Options{Sets: []string{"a=1", "a=2"}}, "", "given twice"},
		{Options{Sets: []string{"a=1", "a.b=2"}}, "", "not an object"},
	} {
		_, err := Build(spec, c.o, strings.NewReader(c.stdin))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.o, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "password=x") {
			t.Errorf("the secret is echoed: %v", err)
		}
	}
}

func TestMaskedHidesDeclaredAndNamedSecrets(t *testing.T) {
	spec := family.Overdrive.Create.Fields
	b := map[string]any{"name": "x", "password": "s3cret", "extra": map[string]any{"token": "t0k"}}
	m := Masked(spec, b)
	data, _ := json.Marshal(m)
	if strings.Contains(string(data), "s3cret") || strings.Contains(string(data), "t0k") || b["password"] != "s3cret" {
		t.Fatalf("masked %s (original %v)", data, b)
	}
}

// The mark of a masked field is the one of every other redaction.
func TestOneRedactionMark(t *testing.T) {
	if family.Masked != redact.Mask {
		t.Fatalf("family.Masked %q, redact.Mask %q", family.Masked, redact.Mask)
	}
}
