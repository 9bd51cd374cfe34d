#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a short time (FUZZTIME, default
# 3s). Under `make test` (TESTSUM and RESULTS set), each target is recorded as
# one test in $RESULTS/fuzz.json and shown only when it fails; every target
# runs even when one fails.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
fuzztime=${FUZZTIME:-3s}
targets=$("$GO" test -list '^Fuzz' ./... | awk '
  /^Fuzz/ { names[n++] = $1; next }
  /^ok/   { for (i = 0; i < n; i++) print $2 " " names[i]; n = 0 }
')
rc=0
while read -r pkg fn; do
  [ -n "$pkg" ] || continue
  if [ -n "${TESTSUM:-}" ]; then
    "$TESTSUM" -o "${RESULTS:?}/fuzz.json" -pkg "$pkg" -check "$fn ($fuzztime)" -- \
      "$GO" test -run '^$' -fuzz "^${fn}\$" -fuzztime "$fuzztime" "$pkg" || rc=1
  else
    echo "fuzz $pkg $fn ($fuzztime)"
    if ! out=$("$GO" test -run '^$' -fuzz "^${fn}\$" -fuzztime "$fuzztime" "$pkg" 2>&1); then
      echo "$out"
      rc=1
    fi
  fi
done <<<"$targets"
exit $rc
