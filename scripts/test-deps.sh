#!/usr/bin/env bash
# test-deps.sh — check, before any test runs, what `make test` needs besides
# Go, and install what a package manager can install:
#   bash 4.1+ with bash-completion, zsh and fish: the shells the completion
#     tests type TAB into (apt-get on Debian and Ubuntu, through sudo when not
#     root; brew on macOS);
#   Node.js 20 or later and npm: the interop tests' servers (not installed
#     here: distributions often ship an older Node.js).
# When something is missing and cannot be installed, it says what to
# install and exits 1. `test-deps.sh shells` or `test-deps.sh node` checks
# one of the two (interop/run.sh needs Node.js only).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

missing=() # package names, as apt-get and brew call them
bash_ok() { bash -c '[ "${BASH_VERSINFO[0]}" -ge 5 ] || { [ "${BASH_VERSINFO[0]}" -eq 4 ] && [ "${BASH_VERSINFO[1]}" -ge 1 ]; }'; }
check_shells() {
  missing=()
  bash_ok || missing+=(bash)
  scripts/find-bash-completion.sh >/dev/null || missing+=(bash-completion)
  command -v zsh >/dev/null || missing+=(zsh)
  command -v fish >/dev/null || missing+=(fish)
}

[ "$what" = node ] || check_shells
if [ "$what" != node ] && [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    sudo=()
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null || {
        echo "test-deps: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
        exit 1
      }
      sudo=(sudo)
    fi
    echo "installing ${missing[*]} with apt-get (the shells the completion tests use), about a minute, once"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v brew >/dev/null; then
    pkgs=("${missing[@]/#bash-completion/bash-completion@2}")
    echo "installing ${pkgs[*]} with Homebrew (the shells the completion tests use), a few minutes, once"
    brew install --quiet "${pkgs[@]}"
  else
    echo "test-deps: the completion tests need bash 4.1 or later with bash-completion, zsh and fish;" >&2
    echo "test-deps: missing: ${missing[*]}. Install them with your package manager, then run make test again." >&2
    exit 1
  fi
  check_shells
  if [ ${#missing[@]} -gt 0 ]; then
    echo "test-deps: still missing after installing: ${missing[*]}" >&2
    exit 1
  fi
fi

[ "$what" != shells ] || exit 0
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "test-deps: the interop tests need Node.js 20 or later and npm: install them (https://nodejs.org/en/download," >&2
  echo "test-deps: or your package manager), then run make test again." >&2
  exit 1
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "test-deps: the interop tests need Node.js 20 or later; found $(node --version). Install a newer one." >&2
  exit 1
fi
