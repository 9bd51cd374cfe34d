#!/usr/bin/env bash
# keyring-test.sh BINARY — the itcare binary against a real Secret Service
# (gnome-keyring) on a private D-Bus session: login stores the secret in the
# keyring and nowhere on disk, commands read it back, an old credentials file
# moves to the keyring, logout leaves nothing, no keyring on the bus falls
# back to the file with a notice, and a hung keyring falls back in bounded
# time. Linux only; `make keyring-test` installs the Debian packages it needs.
#
# Nothing here touches the keyring of the person running it: the bus, the
# keyring daemon, HOME and the config folder are private and thrown away.
set -euo pipefail

if [ "$(uname -s)" != Linux ]; then
	echo "keyring-test: the real-keyring test runs on Linux only (Secret Service); skipped on $(uname -s)"
	exit 0
fi

if [ "${1:-}" != --inside ]; then
	bin=$(cd "$(dirname "${1:?usage: keyring-test.sh BINARY}")" && pwd)/$(basename "$1")
	for tool in dbus-run-session gnome-keyring-daemon secret-tool dbus-send; do
		command -v "$tool" >/dev/null || { echo "keyring-test: $tool is missing (run: make keyring-deps)" >&2; exit 1; }
	done
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	mkdir -p "$work/home/data" "$work/home/config" "$work/run"
	chmod 700 "$work/run"
	# A private session bus: the test's keyring daemon lives and dies with it.
	env -u DBUS_SESSION_BUS_ADDRESS HOME="$work/home" XDG_DATA_HOME="$work/home/data" \
		XDG_CONFIG_HOME="$work/home/config" XDG_RUNTIME_DIR="$work/run" \
		dbus-run-session -- bash "$0" --inside "$bin" "$work"
	exit $?
fi

bin=$2
work=$3
pass=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { pass=$((pass + 1)); echo "ok   $*"; }

# The login keyring, created and unlocked with a test password.
printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
keyring_pid=""
for _ in $(seq 100); do
	keyring_pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
		org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null | awk '/uint32/ {print $2}' || true)
	[ -n "$keyring_pid" ] && break
	sleep 0.05
done
[ -n "$keyring_pid" ] || fail "gnome-keyring-daemon did not take org.freedesktop.secrets on the bus"

sandbox_pid=""
cleanup() {
	[ -z "$sandbox_pid" ] || kill "$sandbox_pid" 2>/dev/null || true
	kill -CONT "$keyring_pid" 2>/dev/null || true
	kill "$keyring_pid" 2>/dev/null || true
}
trap cleanup EXIT

"$bin" sandbox --addr 127.0.0.1:0 >"$work/sandbox.env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 100); do
	[ "$(wc -l <"$work/sandbox.env")" -ge 2 ] && break
	sleep 0.05
done
# shellcheck disable=SC1091
. "$work/sandbox.env"
[ -n "${ITCARE_API_URL:-}" ] || fail "the sandbox did not start: $(cat "$work/sandbox.log")"
export ITCARE_CONFIG="$work/config/config.yaml"
unset ITCARE_CLIENT_ID ITCARE_CLIENT_SECRET ITCARE_PROFILE
cfg=$work/config
secret=sandbox-secret
account="default:$cfg"

lookup() { secret-tool lookup service itcare username "$1" 2>/dev/null || true; }
no_secret_on_disk() {
	if grep -rqs -- "$secret" "$cfg"; then fail "$1: the secret is in $(grep -rls -- "$secret" "$cfg")"; fi
}
login() { printf '%s' "$secret" | "$bin" login --client-id sandbox-client --client-secret-stdin "$@"; }

# 1. login stores the secret in the Secret Service, nowhere on disk.
login 2>"$work/err" || fail "login: $(cat "$work/err")"
grep -q 'secret saved in system keyring' "$work/err" || fail "login did not say where the secret is: $(cat "$work/err")"
[ "$(lookup "$account")" = "$secret" ] || fail "the Secret Service does not hold the secret for $account"
no_secret_on_disk "login"
ok "login stores the secret in the Secret Service (secret-tool finds it), no file holds it"

# 2. A command reads it back (no token cache: the secret is needed).
rm -f "$cfg/default.token.json"
"$bin" instances list --size 1 -o json >/dev/null 2>"$work/err" || fail "instances list: $(cat "$work/err")"
"$bin" auth status -o json >"$work/status" || fail "auth status"
grep -q '"credentialsSource": "keyring"' "$work/status" || fail "auth status: $(cat "$work/status")"
grep -q "\"secretLocation\": \"system keyring" "$work/status" || fail "auth status location: $(cat "$work/status")"
ok "commands read the secret back from the keyring; auth status shows the keyring entry"

# 3. logout leaves nothing in either place.
"$bin" logout 2>/dev/null || fail "logout"
[ -z "$(lookup "$account")" ] || fail "logout left the secret in the keyring"
[ -z "$(find "$cfg" -name 'default.*' -print -quit)" ] || fail "logout left files: $(ls "$cfg")"
ok "logout removes the keyring entry and the files"

# 4. A credentials file of an earlier version works, and moves at login.
printf '{"client_id": "sandbox-client", "client_secret": "%s"}\n' "$secret" >"$cfg/default.credentials.json"
chmod 600 "$cfg/default.credentials.json"
"$bin" instances list --size 1 -o json >/dev/null 2>"$work/err" || fail "old file: $(cat "$work/err")"
login 2>/dev/null || fail "login over the old file"
[ "$(lookup "$account")" = "$secret" ] || fail "migration: the keyring does not hold the secret"
no_secret_on_disk "migration"
"$bin" logout 2>/dev/null
ok "an old credentials file keeps working and moves to the keyring at the next login"

# 5. --insecure-storage keeps the secret in the file, not in the keyring.
login --insecure-storage 2>/dev/null || fail "login --insecure-storage"
grep -q -- "$secret" "$cfg/default.credentials.json" || fail "--insecure-storage: the file has no secret"
[ -z "$(lookup "$account")" ] || fail "--insecure-storage wrote to the keyring"
"$bin" logout 2>/dev/null
ok "--insecure-storage keeps the secret in the 0600 file only"

# 6. No Secret Service on the bus: the file, with a one-line notice.
DBUS_SESSION_BUS_ADDRESS="unix:path=$work/no-bus" login 2>"$work/err" || fail "login without a bus: $(cat "$work/err")"
grep -q '^warning: no usable system keyring' "$work/err" || fail "no notice: $(cat "$work/err")"
grep -q -- "$secret" "$cfg/default.credentials.json" || fail "no bus: the secret is not in the file"
DBUS_SESSION_BUS_ADDRESS="unix:path=$work/no-bus" "$bin" logout 2>/dev/null
ok "no Secret Service reachable: login falls back to the file and says so"

# 7. A hung keyring (the daemon stopped: the bus forwards, nobody answers).
login 2>/dev/null || fail "login before the hang"
rm -f "$cfg/default.token.json"
kill -STOP "$keyring_pid"
start=$(date +%s%N)
set +e
"$bin" instances list --size 1 >/dev/null 2>"$work/err"
code=$?
set -e
read_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$code" = 4 ] || fail "reading from a hung keyring: exit $code, want 4: $(cat "$work/err")"
grep -q 'cannot read the secret' "$work/err" || fail "hung read: $(cat "$work/err")"
start=$(date +%s%N)
login -p other 2>"$work/err" || fail "login with a hung keyring: $(cat "$work/err")"
login_ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q '^warning: no usable system keyring' "$work/err" || fail "hung login: no notice: $(cat "$work/err")"
kill -CONT "$keyring_pid"
[ "$read_ms" -lt 10000 ] && [ "$login_ms" -lt 10000 ] || fail "hung keyring: read took ${read_ms}ms, login ${login_ms}ms"
ok "a hung keyring: a read gives up with exit 4 after ${read_ms}ms, login falls back to the file after ${login_ms}ms"
"$bin" logout 2>/dev/null
"$bin" logout -p other 2>/dev/null

echo "keyring-test: $pass passed, 0 failed (real Secret Service: gnome-keyring on a private D-Bus session)"
