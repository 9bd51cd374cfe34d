package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetValueKeepsCommentsAndTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	orig := "# head comment\ndefault-profile: default\nprofiles:\n  # the usual one\n  default:\n    output: yaml # for me\n    timeout: 10s\n  other: {output: json}\n"
	if err := os.WriteFile(path, []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := SetValue(path, "default", KeyOutput, "json", String); err != nil {
		t.Fatal(err)
	}
	if err := SetValue(path, "other", KeyDryRun, "true", Bool); err != nil {
		t.Fatal(err)
	}
	if err := SetValue(path, "fresh", KeyTimeout, "1m", Duration); err != nil {
		t.Fatal(err)
	}
	if err := SetValue(path, "fresh", KeyMaxItems, "500", Int); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	got := string(data)
	for _, want := range []string{"# head comment", "default-profile: default", "# the usual one", "output: json # for me", "timeout: 10s", "dry-run: true", "fresh:\n    timeout: 1m"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the file's own 0640", fi.Mode().Perm())
	}
	f, _, err := ReadFile(path)
	if err != nil || f.Profiles["other"][KeyDryRun] != true || f.Profiles["other"][KeyOutput] != "json" || f.Profiles["fresh"][KeyMaxItems] != 500 {
		t.Fatalf("read back: %+v %v", f, err)
	}

	if found, err := UnsetValue(path, "default", KeyOutput); err != nil || !found {
		t.Fatalf("unset: %v %v", found, err)
	}
	if found, err := UnsetValue(path, "nosuch", KeyOutput); err != nil || found {
		t.Fatalf("unset in a missing profile: %v %v", found, err)
	}
	if err := SetDefaultProfile(path, "other"); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(path)
	if strings.Contains(string(data), "for me") || !strings.Contains(string(data), "default-profile: other") {
		t.Errorf("after unset and switch:\n%s", data)
	}
}

func TestSetValueFollowsASymlinkAndCreatesTheFile(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "itcare.yaml")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(real, []byte("profiles: {}\n"), 0o600)
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symlinks here")
	}
	if err := SetValue(link, "default", KeyOutput, "json", String); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if data, _ := os.ReadFile(real); !strings.Contains(string(data), "output: json") {
		t.Errorf("target:\n%s", data)
	}

	fresh := filepath.Join(dir, "new", "config.yaml")
	if err := SetValue(fresh, "default", KeyTimeout, "5s", Duration); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("new file: %v %v", fi, err)
	}
}

func TestNormalizeChecksAsTheFlagsDo(t *testing.T) {
	for key, bad := range map[string]string{KeyTimeout: "soon", KeyAPIURL: "ftp://x",
		KeyDryRun: "maybe", KeyOutput: "xml", KeyNoColor: "2", KeyMaxItems: "0", KeyMaxListMiB: "lots"} {
		o, _ := Lookup(key)
		if _, err := o.Normalize(bad); err == nil {
			t.Errorf("%s=%q accepted", key, bad)
		}
	}
	o, _ := Lookup(KeyDryRun)
	if v, err := o.Normalize(" Yes "); err != nil || v != "true" {
		t.Errorf("dry-run yes: %q %v", v, err)
	}
	if _, err := FileOption(KeyProfile); err == nil || !strings.Contains(err.Error(), "api-url") {
		t.Errorf("profile is not a file setting: %v", err)
	}
}

func TestBrokenFileIsNotRewritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte("profiles: [\n"), 0o600)
	if err := SetValue(path, "default", KeyOutput, "json", String); err == nil {
		t.Fatal("a broken file was rewritten")
	}
	if data, _ := os.ReadFile(path); string(data) != "profiles: [\n" {
		t.Errorf("changed: %q", data)
	}
	// Valid YAML of another shape is not replaced either.
	os.WriteFile(path, []byte("profiles:\n  default: [a, b]\n"), 0o600)
	if err := SetValue(path, "default", KeyOutput, "json", String); err == nil {
		t.Fatalf("a list was replaced: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "profiles:\n  default: [a, b]\n" {
		t.Errorf("changed: %q", data)
	}
}
