#!/usr/bin/env bash
# Benchmarks of itcare against the built-in sandbox (`make bench`; not part of
# `make test`). Builds the release binary and a Go hello-world the same way,
# starts `itcare sandbox` on 127.0.0.1, and prints one table of medians, each
# itcare figure next to a reference measured in the same run (hello-world,
# curl) and judged against the targets of docs/benchmarks.md.
#
# Environment: GO (go), LDFLAGS (-s -w; `make bench` passes the ones of
# `make build`), BENCH_RUNS (15 runs per measure, at least 10 advised),
# BENCH_WAIT_RUNS (3 runs of the 10 s action wait), BENCH_FLEET_RUNS (3 runs
# of the fleet stop: 100 instances chosen by a selector, --max-parallel 25,
# 2 s actions, each run on a fresh sandbox).
#
# Method: wall times come from bash's $EPOCHREALTIME (no process is forked to
# read the clock), itcare and its reference run alternately (A B A B ...) after
# two warm-up runs each, so load from other processes hits both sides alike;
# every figure is the median of the runs. CPU times come from bash's time
# keyword (getrusage of the process tree, to the millisecond), peak RSS from
# /usr/bin/time -v in runs of their own. Only 127.0.0.1 is reached. Nothing
# outside a temporary folder is written; the sandbox is stopped by its PID.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
LDFLAGS=${LDFLAGS:--s -w}
RUNS=${BENCH_RUNS:-15}
WAIT_RUNS=${BENCH_WAIT_RUNS:-3}
FLEET_RUNS=${BENCH_FLEET_RUNS:-3}
FLEET_INSTANCES=1000 # seeded; the selector below matches 100 ACTIVE ones
FLEET_SELECTOR=(--status ACTIVE --tag application:crm)
FLEET_TARGETS=100
FLEET_PARALLEL=25
FLEET_ACTION_SECS=2
INSTANCES=5000
ACTION_SECS=10
ACCEPT='application/vnd.cegedim-it.v1+json, application/json' # api.AcceptHeader

if [ -z "${EPOCHREALTIME:-}" ]; then
  echo "bench.sh needs bash 5 or later (EPOCHREALTIME)" >&2
  exit 1
fi
say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

# Debian packages, installed only when missing.
ensure() { # ensure PATH PACKAGE
  [ -x "$1" ] && return 0
  command -v apt-get >/dev/null || die "$1 is missing and apt-get is not available: install $2"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  say "installing $2 (apt-get)"
  $sudo apt-get install -y -qq "$2" >/dev/null 2>&1 ||
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq "$2" >/dev/null; }
  [ -x "$1" ] || die "could not install $2"
}
ensure /usr/bin/time time
ensure /usr/bin/valgrind valgrind
command -v curl >/dev/null || ensure /usr/bin/curl curl
TIME=/usr/bin/time

work=$(mktemp -d)
sandbox_pid=""
extra_pids=()
cleanup() {
  local p
  for p in $sandbox_pid "${extra_pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build ---------------------------------------------------------------------
say "building itcare (CGO_ENABLED=0 -trimpath -ldflags '$LDFLAGS')"
CGO_ENABLED=0 "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$work/itcare" .
mkdir "$work/hello"
gover=$("$GO" env GOVERSION)
printf 'module hello\n\ngo %s\n' "${gover#go}" >"$work/hello/go.mod"
cat >"$work/hello/main.go" <<'EOF'
package main

import "fmt"

func main() { fmt.Println("hello, world") }
EOF
say "building the hello-world the same way"
(cd "$work/hello" && GOWORK=off CGO_ENABLED=0 "$GO" build -trimpath -ldflags "-s -w" -o "$work/hello-world" .)
itcare=$work/itcare
hello=$work/hello-world

# The page size itcare uses with --all, read from the code it was built from.
page_size=$(sed -n 's/^const DefaultPageSize = \([0-9][0-9]*\).*/\1/p' internal/api/page.go)
[ -n "$page_size" ] || die "cannot read api.DefaultPageSize from internal/api/page.go"
pages=$(((INSTANCES + page_size - 1) / page_size))

# --- sandbox -------------------------------------------------------------------
export ITCARE_CONFIG="$work/config/config.yaml"
mkdir -m 700 "$work/config"
unset ITCARE_CLIENT_ID ITCARE_CLIENT_SECRET ITCARE_PROFILE ITCARE_OUTPUT ITCARE_DEBUG \
  ITCARE_DRY_RUN ITCARE_TIMEOUT ITCARE_API_URL ITCARE_AUTH_URL
"$itcare" sandbox --addr 127.0.0.1:0 --instances "$INSTANCES" --action-duration "${ACTION_SECS}s" \
  >"$work/sandbox.env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 200); do
  grep -q ITCARE_AUTH_URL "$work/sandbox.env" 2>/dev/null && break
  kill -0 "$sandbox_pid" 2>/dev/null || die "the sandbox exited: $(cat "$work/sandbox.log")"
  sleep 0.05
done
# shellcheck disable=SC1091
. "$work/sandbox.env"
[ -n "${ITCARE_API_URL:-}" ] || die "the sandbox did not start: $(cat "$work/sandbox.log")"
export ITCARE_API_URL ITCARE_AUTH_URL
printf sandbox-secret | "$itcare" login --client-id sandbox-client --client-secret-stdin >/dev/null 2>&1 ||
  die "login to the sandbox failed"
token=$("$itcare" auth token)
say "sandbox $ITCARE_API_URL (pid $sandbox_pid), $INSTANCES instances, ${ACTION_SECS}s actions"

# --- helpers -------------------------------------------------------------------
now_us() { local t=${EPOCHREALTIME/[.,]/}; REPLY=$((10#$t)); }

# sample KEY CMD...: run CMD once (output discarded), append its wall time (µs).
sample() {
  local key=$1 t0 t1
  shift
  now_us; t0=$REPLY
  if ! "$@" >/dev/null 2>>"$work/errors.log"; then
    die "command failed: $* ($(tail -n 3 "$work/errors.log"))"
  fi
  now_us; t1=$REPLY
  echo $((t1 - t0)) >>"$work/s.$key"
}

# pair FUNC_A FUNC_B: two warm-ups each, then RUNS alternated runs; the
# samples are kept under the functions' names.
pair() {
  local i
  for i in 1 2; do "$1" >/dev/null 2>&1 || true; "$2" >/dev/null 2>&1 || true; done
  for ((i = 0; i < RUNS; i++)); do
    sample "$1" "$1"
    sample "$2" "$2"
  done
}

median() { sort -n "$work/s.$1" | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ms() { awk -v u="$1" 'BEGIN {v = u / 1000; printf(v < 10 ? "%.2f ms" : v < 100 ? "%.1f ms" : "%.0f ms", v)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf("%.2f×", a / b)}'; }
# judge VALUE LIMIT: "met" when VALUE <= LIMIT.
judge() { awk -v v="$1" -v l="$2" 'BEGIN {print (v <= l ? "met" : "**NOT met**")}'; }
mi() { awk -v n="$1" 'BEGIN {printf("%.2f M", n / 1e6)}'; } # instructions, millions
mib() { awk -v b="$1" 'BEGIN {printf("%.1f MiB", b / 1048576)}'; }

# The commands compared.
itcare_version() { "$itcare" version; }
hello_world() { "$hello"; }
itcare_help() { "$itcare" --help; }
hello_help() { "$hello"; } # hello-world again, paired with --help
# instructions CMD...: the instructions CMD executes, counted by callgrind,
# median of 3 runs; unlike wall time, this hardly depends on the load (the
# runtime's spinning threads move it by a few per cent).
instructions() {
  local i
  for i in 1 2 3; do
    GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
      sed -n 's/.*Collected : \([0-9][0-9]*\).*/\1/p'
  done | sort -n | sed -n 2p
}
itcare_status() { "$itcare" status; }
curl_status() { curl -sf "$ITCARE_API_URL/health"; }
itcare_get() { "$itcare" instances get 10001 -o json; }
curl_get() { curl -sf -H "Authorization: Bearer $token" -H "Accept: $ACCEPT" "$ITCARE_API_URL/compute/instances/10001"; }
itcare_list() { "$itcare" instances list --all -o json; }
itcare_table() { "$itcare" instances list --all -o table; }
# The strong reference: one curl process, 8 transfers at a time, same pages
# and headers; it parses and merges nothing.
curl_parallel() {
  curl -sf -Z --parallel-max 8 -H "Authorization: Bearer $token" -H "Accept: $ACCEPT" \
    "$ITCARE_API_URL/compute/instances?page=[0-$((pages - 1))]&size=$page_size"
}
curl_pages() {
  local p
  for ((p = 0; p < pages; p++)); do
    curl -sf -H "Authorization: Bearer $token" -H "Accept: $ACCEPT" \
      "$ITCARE_API_URL/compute/instances?page=$p&size=$page_size" || return 1
  done
}

# --- checks: the two sides of each comparison do the same work ----------------
n=$("$itcare" instances list --all -o json --jq length)
[ "$n" = "$INSTANCES" ] || die "itcare instances list --all returned $n instances, want $INSTANCES"
"$itcare" --debug instances list --all -o json 2>"$work/list.debug" >/dev/null
gets=$(grep -c '^> GET .*/compute/instances?' "$work/list.debug" || true)
sized=$(grep -c "^> GET .*/compute/instances?.*size=$page_size" "$work/list.debug" || true)
[ "$gets" = "$pages" ] && [ "$sized" = "$pages" ] ||
  die "itcare made $gets page requests ($sized with size=$page_size); the curl loop makes $pages"
curl_pages >"$work/pages.json" || die "the curl loop failed"
got=$(grep -o '"numberOfElements":[0-9]*' "$work/pages.json" | awk -F: '{n += $2} END {print n + 0}')
[ "$got" = "$INSTANCES" ] || die "the curl loop got $got instances, want $INSTANCES"
curl_parallel >"$work/parallel.json" || die "the parallel curl failed"
got=$(grep -o '"numberOfElements":[0-9]*' "$work/parallel.json" | awk -F: '{n += $2} END {print n + 0}')
[ "$got" = "$INSTANCES" ] || die "the parallel curl got $got instances, want $INSTANCES"

# --- measures ------------------------------------------------------------------
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(loadavg)

say "start-up: itcare version vs hello-world ($RUNS runs each)"
pair itcare_version hello_world
say "start-up: itcare --help vs hello-world ($RUNS runs each)"
pair itcare_help hello_help
say "start-up: instructions (valgrind callgrind)"
i_version=$(instructions "$itcare" version)
i_help=$(instructions "$itcare" --help)
i_hello=$(instructions "$hello")
[ -n "$i_version" ] && [ -n "$i_help" ] && [ -n "$i_hello" ] || die "callgrind did not count instructions"
say "itcare status vs curl /health"
pair itcare_status curl_status
say "instances get vs curl with the token"
pair itcare_get curl_get
say "instances list --all ($INSTANCES instances, $pages pages of $page_size) vs a sequential curl loop"
pair itcare_list curl_pages
say "instances list --all vs one curl process fetching the $pages pages 8 at a time"
pair itcare_list curl_parallel
say "instances list --all -o table vs -o json"
pair itcare_table itcare_list

say "peak RSS (/usr/bin/time -v) and CPU time ($RUNS runs each)"
export ITCARE_API_URL token ACCEPT pages page_size
# cpu_run KEY CMD...: run CMD once (output discarded) and append its CPU
# time, user + system in µs, to the samples of KEY. bash's time keyword
# reads it from getrusage (the whole process tree) to the millisecond;
# /usr/bin/time prints hundredths of a second only, which rounds the
# parallel curl's 10–15 ms to 0 or 10 ms, and adds its own start-up.
cpu_run() {
  local key=$1 TIMEFORMAT='%3U %3S' t
  shift
  t=$({ time "$@" >/dev/null 2>>"$work/errors.log"; } 2>&1) || die "command failed: $* ($(tail -n 3 "$work/errors.log"))"
  awk '{printf("%d\n", ($1 + $2) * 1e6)}' <<<"$t" >>"$work/s.$key"
}
rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
# the curl loop as one process tree: bash and its curls
curl_loop='for ((p = 0; p < pages; p++)); do
    curl -sf -H "Authorization: Bearer $token" -H "Accept: $ACCEPT" "$ITCARE_API_URL/compute/instances?page=$p&size=$page_size" || exit 1
  done'
for ((i = 0; i < RUNS; i++)); do
  "$TIME" -v "$itcare" instances list --all -o json 2>"$work/rss" >/dev/null
  rss_kb "$work/rss" >>"$work/s.rss_itcare"
  # the loop's largest process (bash or one curl): wait4 reports the maximum
  "$TIME" -v bash -c "$curl_loop" 2>"$work/rss" >/dev/null
  rss_kb "$work/rss" >>"$work/s.rss_curl"
  cpu_run cpu_itcare "$itcare" instances list --all -o json
  cpu_run cpu_curl bash -c "$curl_loop"
  cpu_run cpu_parallel curl_parallel
done

# --- scale: 500, 5,000 and 50,000 instances, one sandbox each -------------------
# start_sandbox NAME ARGS...: a sandbox of its own with its own config folder;
# sets SB_API and SB_AUTH.
start_sandbox() {
  local name=$1 i
  shift
  mkdir -m 700 "$work/$name"
  "$itcare" sandbox --addr 127.0.0.1:0 "$@" >"$work/$name/env" 2>"$work/$name/log" &
  extra_pids+=($!)
  for ((i = 0; i < 1200; i++)); do
    grep -q ITCARE_AUTH_URL "$work/$name/env" 2>/dev/null && break
    sleep 0.05
  done
  SB_API=$(sed -n 's/^export ITCARE_API_URL=//p' "$work/$name/env")
  SB_AUTH=$(sed -n 's/^export ITCARE_AUTH_URL=//p' "$work/$name/env")
  [ -n "$SB_API" ] || die "the $name sandbox did not start: $(cat "$work/$name/log")"
  printf sandbox-secret | ITCARE_CONFIG="$work/$name/config.yaml" ITCARE_API_URL=$SB_API ITCARE_AUTH_URL=$SB_AUTH \
    "$itcare" login --client-id sandbox-client --client-secret-stdin >/dev/null 2>&1 || die "login to the $name sandbox failed"
}
in_sandbox() { # NAME CMD...: run CMD with the sandbox NAME's settings
  local name=$1
  shift
  ITCARE_CONFIG="$work/$name/config.yaml" ITCARE_API_URL=$(sed -n 's/^export ITCARE_API_URL=//p' "$work/$name/env") \
    ITCARE_AUTH_URL=$(sed -n 's/^export ITCARE_AUTH_URL=//p' "$work/$name/env") "$@"
}
SCALE_SIZES=${BENCH_SCALE:-500 5000 50000}
SCALE_RUNS=${BENCH_SCALE_RUNS:-3}
for n in $SCALE_SIZES; do
  say "scale: list --all -o json over $n instances ($SCALE_RUNS runs)"
  start_sandbox "scale$n" --instances "$n"
  got=$(in_sandbox "scale$n" "$itcare" instances list --all -o json --jq length)
  [ "$got" = "$n" ] || die "scale $n: itcare returned $got instances"
  for ((i = 0; i < SCALE_RUNS; i++)); do
    now_us; t0=$REPLY
    in_sandbox "scale$n" "$TIME" -v "$itcare" instances list --all -o json 2>"$work/rss" >/dev/null ||
      die "scale $n: list failed: $(tail -n 3 "$work/rss")"
    now_us; t1=$REPLY
    echo $((t1 - t0)) >>"$work/s.scale_wall_$n"
    rss_kb "$work/rss" >>"$work/s.scale_rss_$n"
    ( # the sandbox's settings set before, not read during, the measure
      export ITCARE_CONFIG="$work/scale$n/config.yaml" ITCARE_API_URL=$SB_API ITCARE_AUTH_URL=$SB_AUTH
      cpu_run "scale_cpu_$n" "$itcare" instances list --all -o json
    ) || exit 1
  done
  kill "${extra_pids[-1]}" 2>/dev/null || true
done

# --- completion: a sandbox answering every request 500 ms late ---------------
say "completion of instance names against a sandbox with --latency 500ms ($RUNS runs)"
start_sandbox slow --latency 500ms
complete_names() { in_sandbox slow "$itcare" __complete instances get pdeb; }
complete_names >"$work/complete.cold" 2>/dev/null # fills the cache
grep -q '^pdeb12' "$work/complete.cold" || die "completion offered no pdeb12... names: $(head -n 3 "$work/complete.cold")"
for ((i = 0; i < RUNS; i++)); do sample complete_warm complete_names; done
# A stale cache (saved over a minute ago) is refreshed from the API.
cache=$(ls "$work/slow/cache/completion/"*instances.json 2>/dev/null | head -n 1 || true)
[ -n "$cache" ] || die "completion left no cache file in $work/slow/cache/completion"
sed -i 's/"savedAt":"[^"]*"/"savedAt":"2000-01-01T00:00:00Z"/' "$cache"
now_us; t0=$REPLY
complete_names >/dev/null 2>&1
now_us; stale_us=$((REPLY - t0))
grep -q '"savedAt":"2000-' "$cache" && die "a stale completion cache was not refreshed"

say "actions wait on a ${ACTION_SECS}s action ($WAIT_RUNS runs, about $((ACTION_SECS + 1))s each)"
mapfile -t names < <("$itcare" instances list --status ACTIVE --env DEVELOPMENT --size "$WAIT_RUNS" -o json --jq '.[].name')
[ "${#names[@]}" -ge "$WAIT_RUNS" ] || die "not enough ACTIVE instances for $WAIT_RUNS waits"
for ((i = 0; i < WAIT_RUNS; i++)); do
  id=$("$itcare" instances stop "${names[$i]}" --no-wait 2>/dev/null)
  [[ $id =~ ^[0-9]+$ ]] || die "instances stop --no-wait printed '$id', not an action id"
  if ! "$itcare" --debug actions wait "$id" -o json >"$work/wait.json" 2>"$work/wait.debug"; then
    die "actions wait $id failed: $(tail -n 3 "$work/wait.debug")"
  fi
  now_us; exited=$REPLY
  grep -c "^> GET .*/actions/$id\$" "$work/wait.debug" >>"$work/s.polls" || true
  submitted=$(sed -n 's/^ *"submittedAt": "\(.*\)",*$/\1/p' "$work/wait.json")
  [ -n "$submitted" ] || die "no submittedAt in the output of actions wait"
  sub_us=$(date -d "$submitted" +%s%6N)
  echo $((exited - (10#$sub_us + ACTION_SECS * 1000000))) >>"$work/s.delay"
done
# --- fleet: one change on 100 instances chosen by a selector ------------------
# Each run: a fresh sandbox (1000 instances, 2 s actions) with a login (the
# token is then cached), its counters reset through DELETE /sandbox/stats,
# then `itcare instances stop SELECTOR --max-parallel 25 --yes` under time -v,
# then the counters read back (GET /sandbox/stats).
fleet_ideal_us=$((((FLEET_TARGETS + FLEET_PARALLEL - 1) / FLEET_PARALLEL) * FLEET_ACTION_SECS * 1000000))
say "fleet: stop $FLEET_TARGETS instances (${FLEET_SELECTOR[*]}), --max-parallel $FLEET_PARALLEL, ${FLEET_ACTION_SECS}s actions ($FLEET_RUNS runs)"
for ((i = 0; i < FLEET_RUNS; i++)); do
  start_sandbox "fleet$i" --instances "$FLEET_INSTANCES" --action-duration "${FLEET_ACTION_SECS}s"
  stats=${SB_API%/itcare}/sandbox/stats
  n=$(in_sandbox "fleet$i" "$itcare" instances list "${FLEET_SELECTOR[@]}" --all -o json --jq length)
  [ "$n" = "$FLEET_TARGETS" ] || die "the selector ${FLEET_SELECTOR[*]} matches $n instances, want $FLEET_TARGETS"
  curl -sf -X DELETE "$stats" || die "cannot reset the sandbox's counters"
  now_us; t0=$REPLY
  in_sandbox "fleet$i" "$TIME" -v "$itcare" instances stop "${FLEET_SELECTOR[@]}" --max-parallel "$FLEET_PARALLEL" --yes -o json \
    >"$work/fleet$i/out.json" 2>"$work/fleet$i/err" || die "the fleet stop failed: $(tail -n 5 "$work/fleet$i/err")"
  now_us; t1=$REPLY
  echo $((t1 - t0)) >>"$work/s.fleet_wall"
  rss_kb "$work/fleet$i/err" >>"$work/s.fleet_rss"
  ok=$(grep -c '"outcome": "SUCCESS"' "$work/fleet$i/out.json" || true)
  [ "$ok" = "$FLEET_TARGETS" ] || die "$ok of $FLEET_TARGETS stopped: $(tail -n 3 "$work/fleet$i/err")"
  curl -sf "$stats" >"$work/fleet$i/stats.json" || die "cannot read the sandbox's counters"
  # requests, token requests, max in flight, most requests on one target
  sed -n 's/.*"requests":\([0-9]*\).*/\1/p' "$work/fleet$i/stats.json" >>"$work/s.fleet_requests"
  sed -n 's/.*"tokenRequests":\([0-9]*\).*/\1/p' "$work/fleet$i/stats.json" >>"$work/s.fleet_tokens"
  sed -n 's/.*"maxInFlight":\([0-9]*\).*/\1/p' "$work/fleet$i/stats.json" >>"$work/s.fleet_inflight"
  sed -n 's/.*"perResource":{\([^}]*\)}.*/\1/p' "$work/fleet$i/stats.json" | tr ',' '\n' |
    sed -n 's/.*:\([0-9]*\)$/\1/p' | sort -n | tail -n 1 >>"$work/s.fleet_pertarget"
  kill "${extra_pids[-1]}" 2>/dev/null || true
done
load_after=$(loadavg)

# --- report --------------------------------------------------------------------
mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
size_itcare=$(stat -c %s "$itcare")
size_hello=$(stat -c %s "$hello")

m_version=$(median itcare_version) m_hello=$(median hello_world)
m_status=$(median itcare_status) m_cstatus=$(median curl_status)
m_get=$(median itcare_get) m_cget=$(median curl_get)
m_list=$(median itcare_list) m_clist=$(median curl_pages)
m_rss=$(median rss_itcare) m_crss=$(median rss_curl)
m_cpu=$(median cpu_itcare) m_ccpu=$(median cpu_curl)
m_polls=$(median polls) m_delay=$(median delay)
max_polls=$(sort -n "$work/s.polls" | tail -n 1)
max_delay=$(sort -n "$work/s.delay" | tail -n 1)
m_fwall=$(median fleet_wall) m_frss=$(median fleet_rss)
max_fwall=$(sort -n "$work/s.fleet_wall" | tail -n 1)
max_freq=$(sort -n "$work/s.fleet_requests" | tail -n 1)
max_ftok=$(sort -n "$work/s.fleet_tokens" | tail -n 1)
max_finflight=$(sort -n "$work/s.fleet_inflight" | tail -n 1)
max_fper=$(sort -n "$work/s.fleet_pertarget" | tail -n 1)
fleet_limit_us=$((fleet_ideal_us * 5 / 4))
r_version=$(awk -v a="$m_version" -v b="$m_hello" 'BEGIN {print a / b}')
m_help=$(median itcare_help) m_hello_help=$(median hello_help)
r_help=$(awk -v a="$m_help" -v b="$m_hello_help" 'BEGIN {print a / b}')
r_i_version=$(awk -v a="$i_version" -v b="$i_hello" 'BEGIN {print a / b}')
r_i_help=$(awk -v a="$i_help" -v b="$i_hello" 'BEGIN {print a / b}')
r_status=$(awk -v a="$m_status" -v b="$m_cstatus" 'BEGIN {print a / b}')
r_list=$(awk -v a="$m_list" -v b="$m_clist" 'BEGIN {print a / b}')
m_par=$(median curl_parallel) m_table=$(median itcare_table) m_pcpu=$(median cpu_parallel)
r_par=$(awk -v a="$m_list" -v b="$m_par" 'BEGIN {print a / b}')
r_pcpu=$(awk -v a="$m_cpu" -v b="$m_pcpu" 'BEGIN {print a / b}')
r_table=$(awk -v a="$m_table" -v b="$m_list" 'BEGIN {print a / b}')
m_comp=$(median complete_warm)
size_limit=$((15 * 1024 * 1024))

{
cat <<EOF
# itcare benchmarks

- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)
- machine: $(nproc) CPUs ($cpu), $((mem_kb / 1024)) MiB memory, Linux $(uname -r)
- load average (1, 5, 15 min): $load_before before, $load_after after
- go: $("$GO" version | sed 's/^go version //'); itcare $("$itcare" --version | sed 's/^itcare //')
- sandbox: $INSTANCES instances, ${ACTION_SECS} s actions, on 127.0.0.1 (same machine)
- medians of $RUNS runs (waits: $WAIT_RUNS), itcare and reference alternated

| measure | itcare | reference | ratio | target | result |
|---|---|---|---|---|---|
| start-up: \`itcare version\` vs hello-world | $(ms "$m_version") | $(ms "$m_hello") | $(ratio "$m_version" "$m_hello") | ≤ 2.5× | $(judge "$r_version" 2.5) |
| start-up: \`itcare --help\` vs hello-world | $(ms "$m_help") | $(ms "$m_hello_help") | $(ratio "$m_help" "$m_hello_help") | ≤ 2.5× | $(judge "$r_help" 2.5) |
| start-up instructions (callgrind): \`itcare version\`; \`--help\` vs hello-world | $(mi "$i_version"); $(mi "$i_help") | $(mi "$i_hello") | $(ratio "$i_version" "$i_hello"); $(ratio "$i_help" "$i_hello") | ≤ 10× | $(judge "$r_i_version" 10); $(judge "$r_i_help" 10) |
| binary size (-trimpath -s -w, CGO off) | $(mib "$size_itcare") | $(mib "$size_hello") | $(ratio "$size_itcare" "$size_hello") | ≤ 15 MiB | $(judge "$size_itcare" "$size_limit") |
| \`itcare status\` vs \`curl -s \$ITCARE_API_URL/health\` | $(ms "$m_status") | $(ms "$m_cstatus") | $(ratio "$m_status" "$m_cstatus") | ≤ 1.3× | $(judge "$r_status" 1.3) |
| \`instances get ID -o json\`, warm token vs curl + Bearer | $(ms "$m_get") | $(ms "$m_cget") | $(ratio "$m_get" "$m_cget") | — | — |
| \`instances list --all -o json\`, $INSTANCES instances vs $pages sequential curls (size=$page_size) | $(ms "$m_list") | $(ms "$m_clist") | $(ratio "$m_list" "$m_clist") | ≤ 1.0× | $(judge "$r_list" 1.0) |
| CPU time (user + sys) of the same, curl loop: all its processes | $(ms "$m_cpu") | $(ms "$m_ccpu") | $(ratio "$m_cpu" "$m_ccpu") | — | — |
| \`instances list --all -o json\` vs one \`curl -Z --parallel-max 8\` over the same $pages pages | $(ms "$m_list") | $(ms "$m_par") | $(ratio "$m_list" "$m_par") | ≤ 1.5× | $(judge "$r_par" 1.5) |
| CPU time (user + sys) of the same vs the parallel curl | $(ms "$m_cpu") | $(ms "$m_pcpu") | $(ratio "$m_cpu" "$m_pcpu") | ≤ 5× | $(judge "$r_pcpu" 5) |
| \`instances list --all -o table\` vs \`-o json\` | $(ms "$m_table") | $(ms "$m_list") | $(ratio "$m_table" "$m_list") | ≤ 1.3× | $(judge "$r_table" 1.3) |
| TAB: \`__complete instances get pdeb\`, warm cache, API 500 ms late | $(ms "$m_comp") | — | — | ≤ 30 ms | $(judge "$m_comp" 30000) |
| TAB with a stale cache (refreshed from the API) | $(ms "$stale_us") | — | — | > 500 ms (asks the API) | $(judge 500000 "$stale_us") |
| peak RSS of \`list --all\` vs largest process of the curl loop | $(awk -v k="$m_rss" 'BEGIN {printf("%.1f MB", k * 1024 / 1e6)}') | $(awk -v k="$m_crss" 'BEGIN {printf("%.1f MB", k * 1024 / 1e6)}') | $(ratio "$m_rss" "$m_crss") | ≤ 60 MB | $(judge "$(awk -v k="$m_rss" 'BEGIN {print k * 1024 / 1e6}')" 60) |
| \`actions wait\` on a ${ACTION_SECS} s action: polls (max) | $m_polls ($max_polls) | — | — | ≤ 12 | $(judge "$max_polls" 12) |
| \`actions wait\`: exit − (submittedAt + ${ACTION_SECS} s) (max) | $(ms "$m_delay") ($(ms "$max_delay")) | — | — | ≤ 1 s | $(judge "$max_delay" 1000000) |
| fleet: \`instances stop ${FLEET_SELECTOR[*]} --max-parallel $FLEET_PARALLEL\`, $FLEET_TARGETS instances, ${FLEET_ACTION_SECS} s actions: wall (max) | $(ms "$m_fwall") ($(ms "$max_fwall")) | ideal $(ms "$fleet_ideal_us") | $(ratio "$max_fwall" "$fleet_ideal_us") | ≤ 1.25× | $(judge "$max_fwall" "$fleet_limit_us") |
| fleet: API requests per target, all of the run (max); most on one target | $(awk -v r="$max_freq" -v n="$FLEET_TARGETS" 'BEGIN {printf("%.2f", r / n)}'); $max_fper | — | — | ≤ 6 | $(judge "$(awk -v r="$max_freq" -v n="$FLEET_TARGETS" 'BEGIN {print r / n}')" 6) |
| fleet: token requests (max), requests in flight at once (max) | $max_ftok; $max_finflight | — | — | ≤ 1; ≤ $FLEET_PARALLEL | $(judge "$max_ftok" 1); $(judge "$max_finflight" "$FLEET_PARALLEL") |
| fleet: peak RSS | $(awk -v k="$m_frss" 'BEGIN {printf("%.1f MB", k * 1024 / 1e6)}') | — | — | ≤ 60 MB | $(judge "$(awk -v k="$m_frss" 'BEGIN {print k * 1024 / 1e6}')" 60) |
EOF

# Scale: wall time, CPU and peak RSS of list --all -o json by number of instances.
echo
echo "| instances | wall | per item | CPU (user + sys) | CPU per item | peak RSS | RSS target |"
echo "|---|---|---|---|---|---|---|"
for n in $SCALE_SIZES; do
  w=$(median "scale_wall_$n") c=$(median "scale_cpu_$n") r=$(median "scale_rss_$n")
  rss_judge="—"
  [ "$n" -ge 50000 ] && rss_judge="≤ 60 MB: $(judge "$(awk -v k="$r" 'BEGIN {print k * 1024 / 1e6}')" 60)"
  echo "| $n | $(ms "$w") | $(awk -v w="$w" -v n="$n" 'BEGIN {printf("%.1f µs", w / n)}') | $(ms "$c") | $(awk -v c="$c" -v n="$n" 'BEGIN {printf("%.1f µs", c / n)}') | $(awk -v k="$r" 'BEGIN {printf("%.1f MB", k * 1024 / 1e6)}') | $rss_judge |"
done
} | tee "$work/report.md"

# A target not met fails `make bench`, so a regression cannot go unnoticed.
if grep -q 'NOT met' "$work/report.md"; then
  echo "bench: some targets are NOT met (see the table above)" >&2
  exit 1
fi
