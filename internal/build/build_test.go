package build

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

func TestNormalizeSpellsEveryBuildAlike(t *testing.T) {
	for in, want := range map[string]string{
		"v0.1.0":                               "0.1.0",
		"0.1.0":                                "0.1.0",
		"v1.2.3-rc.1":                          "1.2.3-rc.1",
		"v0.1.1-0.20261202175005-5579b16abcde": "0.1.1-dev+5579b16",
		"v0.0.0-20261202175005-5579b16abcde":   "0.0.1-dev+5579b16",
		"v0.0.0-20261202175005-5579b16abcde+dirty":  "0.0.1-dev+5579b16.dirty",
		"v1.3.0-rc.1.0.20261202175005-5579b16abcde": "1.3.0-rc.1-dev+5579b16",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// The version `make build` stamps (scripts/version.sh) has the format
// Normalize gives `go install` builds and goreleaser's snapshots use.
func TestVersionScriptFormat(t *testing.T) {
	out, err := exec.Command("bash", "../../scripts/version.sh").Output()
	if err != nil {
		t.Skipf("scripts/version.sh: %v (no bash or git)", err)
	}
	v := strings.TrimSpace(string(out))
	format := regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?(-dev\+[0-9a-f]{7,}(\.dirty)?|-dev)?$`)
	if !format.MatchString(v) {
		t.Errorf("scripts/version.sh printed %q", v)
	}
}

// A release build (all three fields stamped) reads nothing at start-up.
func TestStampedBuildReadsNoBuildInfo(t *testing.T) {
	defer func(v, c, d string) { Version, Commit, Date = v, c, d }(Version, Commit, Date)
	Version, Commit, Date = "1.2.3", "0123456789abcdef", "2026-12-02T00:00:00Z"
	var info Info
	if n := testing.AllocsPerRun(10, func() { info = Get() }); n != 0 {
		t.Errorf("Get allocates %v times in a stamped build, want 0", n)
	}
	if info.Version != "1.2.3" || info.Commit != "0123456789abcdef" || info.Date != "2026-12-02T00:00:00Z" {
		t.Errorf("Get() = %+v, want the stamped fields", info)
	}
}
