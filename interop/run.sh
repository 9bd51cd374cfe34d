#!/usr/bin/env bash
# Interop tests: the real itcare binary against servers nobody here wrote.
# Called by `make interop` (and so by `make test`). It installs, pinned and
# cached, what the tests need, then runs `go test -tags interop ./interop/...`
# and prints how long each stage took.
#
#   npm (interop/package.json + package-lock.json, `npm ci`, skipped when
#   interop/node_modules matches the lock file):
#     oauth2-mock-server   behind keycloak.mjs, the Keycloak-shaped realm
#     oidc-provider        oidc.mjs, strict client_credentials-only provider
#     @stoplight/prism-cli serves internal/api/openapi.yaml
#   Go module proxy (`go install`, into bin/tools, skipped when present):
#     oauth2-proxy         validates the bearer JWTs in front of Prism
#
# The servers are started by the Go tests on 127.0.0.1 and killed by their
# PIDs when each test ends. Needs Node.js 20 or later and npm.
#
# Quiet when all goes well: one line per install (announced first, with how
# long it takes), the tests' results and one line of timings. When something
# fails, its whole output and the timings of every stage. Under `make test`
# (TESTSUM and RESULTS set) the tests are recorded in $RESULTS/interop.json.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
OAUTH2_PROXY_VERSION=${OAUTH2_PROXY_VERSION:-v7.15.6}
OAUTH2_PROXY_DIR=bin/tools/oauth2-proxy-$OAUTH2_PROXY_VERSION
export OAUTH2_PROXY=$PWD/$OAUTH2_PROXY_DIR/oauth2-proxy

# now_ns prints the time in nanoseconds (whole seconds where date has no %N).
now_ns() {
	local n
	n=$(date +%s%N)
	case $n in *N) echo $(($(date +%s) * 1000000000)) ;; *) echo "$n" ;; esac
}

stages=()
total_start=$(now_ns)

report() {
	local rc=$?
	if [ "$rc" -eq 0 ]; then
		printf 'interop: passed in %ss\n' "$(elapsed "$total_start")"
		return
	fi
	echo
	echo "interop: stage timings"
	local s
	for s in ${stages[@]+"${stages[@]}"}; do echo "  $s"; done
	printf '  %-44s %7ss\n' "total" "$(elapsed "$total_start")"
	echo "interop: FAILED (exit $rc)"
}
trap report EXIT

# elapsed START prints the seconds since START (now_ns), one decimal.
elapsed() {
	local ds=$((($(now_ns) - $1) / 100000000))
	echo "$((ds / 10)).$((ds % 10))"
}

# stage NAME CMD... runs CMD, records its duration, and shows its output
# only when it fails.
stage() {
	local name=$1
	shift
	local start out
	start=$(now_ns)
	if ! out=$("$@" 2>&1); then
		echo "interop: $name failed:"
		echo "$out"
		return 1
	fi
	stages+=("$(printf '%-44s %7ss' "$name" "$(elapsed "$start")")")
}

skipped() { stages+=("$(printf '%-44s %8s' "$1" "cached")"); }

scripts/test-deps.sh node

# npm ci: exactly the lock file. Install scripts are not run (none of these
# packages needs one; the only one is a usage-analytics ping). Some packages
# declare engines newer than Node 20 and print EBADENGINE warnings: they run
# on Node 20 all the same, and these tests show it.
stamp=interop/node_modules/.itcare-lock
if cmp -s interop/package-lock.json "$stamp"; then
	skipped "npm ci"
else
	echo "installing the interop tests' npm packages (oauth2-mock-server, oidc-provider, Prism), about a minute, once"
	stage "npm ci" npm ci --prefix interop --ignore-scripts --no-audit --no-fund --loglevel=error
	cp interop/package-lock.json "$stamp"
fi

if [ -x "$OAUTH2_PROXY" ]; then
	skipped "go install oauth2-proxy $OAUTH2_PROXY_VERSION"
else
	echo "installing oauth2-proxy $OAUTH2_PROXY_VERSION, about 2 minutes, once"
	stage "go install oauth2-proxy $OAUTH2_PROXY_VERSION" \
		env GOBIN="$PWD/$OAUTH2_PROXY_DIR" "$GO" install "github.com/oauth2-proxy/oauth2-proxy/v7@$OAUTH2_PROXY_VERSION"
fi

# The tests build the itcare binary themselves (interop/.bin/itcare).
if [ -n "${TESTSUM:-}" ]; then
	start=$(now_ns)
	rc=0
	"$TESTSUM" -o "${RESULTS:?}/interop.json" -pkg interop -check "go vet -tags interop" -- "$GO" vet -tags interop ./interop/... || rc=1
	"$TESTSUM" -o "$RESULTS/interop.json" -- "$GO" test -json -tags interop -count=1 -timeout 10m ./interop/... || rc=1
	stages+=("$(printf '%-44s %7ss' "go vet, go test -tags interop" "$(elapsed "$start")")")
	exit $rc
fi
stage "go vet -tags interop" "$GO" vet -tags interop ./interop/...
stage "go test -tags interop" "$GO" test -tags interop -count=1 -timeout 10m ./interop/...
