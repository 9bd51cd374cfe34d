#!/usr/bin/env bash
# gzip-man.sh — the man pages of docs/man/, gzipped (-9, no name or time, so
# the same page gives the same bytes) into bin/man/ for the deb and rpm
# packages (goreleaser's before hook).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf bin/man
mkdir -p bin/man
for page in docs/man/*.1; do
  gzip -9n <"$page" >"bin/man/$(basename "$page").gz"
done
