#!/usr/bin/env bash
# A tour of itcare against the built-in sandbox. Nothing leaves this machine and
# nothing of yours is touched: config, credentials and tokens go to a temporary
# folder that is removed at the end.
set -euo pipefail
bin=${1:-bin/itcare}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d)
sandbox_pid=""
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export ITCARE_CONFIG="$work/config.yaml"
unset ITCARE_CLIENT_ID ITCARE_CLIENT_SECRET ITCARE_PROFILE ITCARE_OUTPUT
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

"$bin" sandbox --addr 127.0.0.1:0 --action-duration 4s --churn=1s >"$work/sandbox.env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 100); do
  grep -q ITCARE_AUTH_URL "$work/sandbox.env" 2>/dev/null && break
  sleep 0.05
done
# shellcheck disable=SC1091
. "$work/sandbox.env"
echo "sandbox running: $ITCARE_API_URL"

step "itcare status"
"$bin" status

step "printf sandbox-secret | itcare login --client-id sandbox-client --client-secret-stdin"
printf sandbox-secret | "$bin" login --client-id sandbox-client --client-secret-stdin

step "itcare auth status"
"$bin" auth status

step "itcare instances list --env PRODUCTION --status ACTIVE --size 10"
"$bin" instances list --env PRODUCTION --status ACTIVE --size 10

name=$("$bin" instances list --env PRODUCTION --status ACTIVE --size 1 -o json --jq '.[0].name')

step "itcare instances stop $name      # waits on the action with a spinner"
"$bin" instances stop "$name"

step "itcare instances start $name --no-wait"
action=$("$bin" instances start "$name" --no-wait)

step "itcare actions wait $action"
"$bin" actions wait "$action"

step "itcare instances get $name"
"$bin" instances get "$name"

step "itcare actions list --resource-name $name"
"$bin" actions list --resource-name "$name"

step "itcare instances stop --env QA --family RHEL --status ACTIVE --az EB-A --yes --max-parallel 5   # many at once"
"$bin" instances stop --env QA --family RHEL --status ACTIVE --az EB-A --yes --max-parallel 5

step "itcare instances start --env QA --family RHEL --az EB-A --yes --no-wait -o json --jq '.[] | \"\\(.name) \\(.outcome) \\(.message)\"'"
"$bin" instances start --env QA --family RHEL --az EB-A --yes --no-wait -o json --jq '.[] | "\(.name) \(.outcome) \(.message)"'

step "itcare instances create ... --dry-run      # the API validates the body; nothing is created"
"$bin" instances create --name pdeb12demo01 --service-id 2101 --resource-id 2cpu4gb \
  --product-code deb12 --area EB-QA --az EB-A --dry-run

step "itcare instances create --name pdeb12demo01 ...      # waits, then prints the new instance"
"$bin" instances create --name pdeb12demo01 --service-id 2101 --resource-id 2cpu4gb \
  --product-code deb12 --area EB-QA --az EB-A

step "itcare resources list --resource-type KUBERNETES --size 5"
"$bin" resources list --resource-type KUBERNETES --size 5

step "itcare kubernetes nodes list pk8sapp01"
"$bin" kubernetes nodes list pk8sapp01

# A watch runs until Ctrl-C; here `timeout` stops it (SIGTERM ends it like
# Ctrl-C, exit 0). Piped, it prints one JSON line per change.
step "itcare instances list --env DEVELOPMENT --size 6 --watch=1s      # 4 s; the sandbox's --churn moves statuses"
timeout --preserve-status 4 "$bin" instances list --env DEVELOPMENT --size 6 --watch=1s

step "itcare actions list --watch=1s --status IN_PROGRESS      # the activity feed, 4 s"
timeout --preserve-status 4 "$bin" actions list --watch=1s --status IN_PROGRESS -o json --jq '"\(.event) \(.item.process) \(.item.resourceName) \(.item.status)"'

step "itcare actions list --since 10m"
"$bin" actions list --since 10m

step "itcare instances metrics $name --since 6h"
COLUMNS=${COLUMNS:-100} LINES=${LINES:-24} "$bin" instances metrics "$name" --since 6h

step "itcare instances metrics $name --graph memory --since 1h --points 4 -o csv"
"$bin" instances metrics "$name" --graph memory --since 1h --points 4 -o csv

step "itcare resources history $name"
"$bin" resources history "$name"

step "itcare changes list --type PATCH_PARTY --until 30d"
"$bin" changes list --type PATCH_PARTY --until 30d

step "itcare api /health -i"
"$bin" api /health -i

echo
echo "demo finished: the sandbox is stopped and its temporary files removed"
