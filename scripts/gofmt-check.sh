#!/usr/bin/env bash
# gofmt-check.sh — fail, naming them, when gofmt would change Go files.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.go' 2>/dev/null) || files=$(find . -name '*.go' -not -path './interop/node_modules/*')
out=$(gofmt -l $files)
if [ -n "$out" ]; then
  echo "gofmt would change (run gofmt -w):"
  echo "$out"
  exit 1
fi
