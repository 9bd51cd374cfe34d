package compcache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSaveLoadFreshStaleDrop(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	c := Cache{Dir: t.TempDir(), Now: func() time.Time { return now }}
	want := []Entry{{ID: 10001, Name: "pdeb12web01"}, {ID: 10002, Name: "pdeb12web02"}}
	if err := c.Save("default", "instances", want); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(c.Dir, "cache", "completion", "default.instances.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v %v", st, err)
	}
	if dst, _ := os.Stat(filepath.Join(c.Dir, "cache", "completion")); dst.Mode().Perm() != 0o700 {
		t.Errorf("cache folder mode %v", dst.Mode().Perm())
	}
	got, fresh := c.Load("default", "instances")
	if !fresh || len(got) != 2 || got[1] != want[1] {
		t.Fatalf("Load = %v, %v", got, fresh)
	}
	now = now.Add(MaxAge)
	if _, fresh := c.Load("default", "instances"); fresh {
		t.Error("a list MaxAge old must be stale")
	}
	if _, fresh := c.Load("other", "instances"); fresh {
		t.Error("profiles must not share a cache")
	}
	c.Save("other", "instances", want)
	if err := c.Drop("default"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Load("default", "instances"); got != nil {
		t.Error("Drop left the profile's list")
	}
	if got, _ := c.Load("other", "instances"); got == nil {
		t.Error("Drop removed another profile's list")
	}
}

func TestRefusesUnsafeNamesAndLooseFiles(t *testing.T) {
	c := Cache{Dir: t.TempDir()}
	if err := c.Save("../x", "instances", nil); err == nil {
		t.Error("a profile name with a path was accepted")
	}
	c.Save("p", "instances", []Entry{{ID: 1, Name: "a"}})
	p := filepath.Join(c.Dir, "cache", "completion", "p.instances.json")
	os.Chmod(p, 0o644)
	if got, _ := c.Load("p", "instances"); got != nil {
		t.Error("a cache file readable by others was used")
	}
	os.Remove(p)
	os.Symlink("/etc/passwd", p)
	if got, _ := c.Load("p", "instances"); got != nil {
		t.Error("a symlink was followed")
	}
}
