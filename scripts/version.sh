#!/usr/bin/env bash
# version.sh — the version `make build` stamps into itcare, in the one format
# every build uses (goreleaser's {{ .Version }}, `go install`, internal/build):
#   0.1.0                     a tagged release (tag v0.1.0)
#   0.1.1-dev+5579b16         any other commit: the next patch after the last
#                             tag (0.0.1 before the first), "dev", the commit
#   0.1.1-dev+5579b16.dirty   the same with uncommitted changes
# Outside a git clone: 0.0.0-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! commit=$(git rev-parse --short HEAD 2>/dev/null); then
  echo 0.0.0-dev
  exit 0
fi
dirty=
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=.dirty
if tag=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null) && [ -z "$dirty" ]; then
  echo "${tag#v}"
  exit 0
fi
last=$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null || echo v0.0.0)
last=${last#v}
core=${last%%[-+]*}
IFS=. read -r major minor patch <<<"$core"
echo "$major.$minor.$((patch + 1))-dev+$commit$dirty"
