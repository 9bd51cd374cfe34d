// Package build holds the version information injected at link time.
package build

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// Set by -ldflags "-X github.com/itcare-cli/itcare/internal/build.Version=..." at release time.
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info describes the running binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns the build information, falling back to what the Go toolchain
// recorded in the binary when ldflags were not set (go install, go build).
// Every build spells its version the same way (see Normalize). A release
// build stamps all three fields, and then the recorded build information
// (a few kilobytes parsed at every start: the root command shows the
// version) is not read.
func Get() Info {
	info := Info{Version: Version, Commit: Commit, Date: Date, GoVersion: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info.Version != "" && info.Commit != "" && info.Date != "" {
		return info
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = Normalize(bi.Main.Version)
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			}
		}
	}
	if info.Version == "" {
		info.Version = "0.0.0-dev"
	}
	return info
}

// The Go toolchain's pseudo-versions, maybe followed by +dirty:
//
//	vX.Y.Z-yyyymmddhhmmss-hash        no tag before the commit (X.Y.Z is 0.0.0)
//	vX.Y.Z-0.yyyymmddhhmmss-hash      after the tag vX.Y.(Z-1)
//	vX.Y.Z-pre.0.yyyymmddhhmmss-hash  after the pre-release vX.Y.Z-pre
var (
	pseudoUntagged = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^v([0-9]+)\.([0-9]+)\.([0-9]+)-[0-9]{14}-([0-9a-f]{12})(\+dirty)?$`)
	})
	pseudoTagged = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^v([0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+?)?)(?:-0|\.0)\.[0-9]{14}-([0-9a-f]{12})(\+dirty)?$`)
	})
)

// Normalize spells a version the way every itcare build does, as
// `make build` and goreleaser stamp it (scripts/version.sh):
//
//	v0.1.0                                   -> 0.1.0
//	v0.1.1-0.20261202175005-5579b16abcde     -> 0.1.1-dev+5579b16
//	v0.0.0-20261202175005-5579b16abcde+dirty -> 0.0.1-dev+5579b16.dirty
//
// The input is what the Go toolchain records (`go install`, `go build`);
// with no tag before the commit, the next patch of 0.0.0, as
// scripts/version.sh says.
func Normalize(v string) string {
	dev := func(base, hash, dirty string) string {
		out := base + "-dev+" + hash[:7]
		if dirty != "" {
			out += ".dirty"
		}
		return out
	}
	if m := pseudoUntagged().FindStringSubmatch(v); m != nil {
		patch, _ := strconv.Atoi(m[3])
		return dev(m[1]+"."+m[2]+"."+strconv.Itoa(patch+1), m[4], m[5])
	}
	if m := pseudoTagged().FindStringSubmatch(v); m != nil {
		return dev(m[1], m[2], m[3])
	}
	return strings.TrimPrefix(v, "v")
}

// UserAgent is the User-Agent header value sent on every request.
func UserAgent() string { return "itcare/" + Get().Version }
