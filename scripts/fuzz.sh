#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a short time (FUZZTIME, default 3s).
set -euo pipefail
fuzztime=${FUZZTIME:-3s}
go test -list '^Fuzz' ./... | awk '
  /^Fuzz/ { names[n++] = $1; next }
  /^ok/   { for (i = 0; i < n; i++) print $2 " " names[i]; n = 0 }
' | while read -r pkg fn; do
  echo "fuzz $pkg $fn ($fuzztime)"
  if ! out=$(go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$fuzztime" "$pkg" 2>&1); then
    echo "$out"
    exit 1
  fi
done
