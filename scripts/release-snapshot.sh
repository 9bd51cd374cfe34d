#!/usr/bin/env bash
# release-snapshot.sh GORELEASER — build a local snapshot release into dist/
# (nothing is published), then check it: every expected artefact is there, the
# checksums match, the archive for this machine unpacks into one folder
# itcare_<version>_<os>_<arch>/ and its itcare reports the snapshot version in
# the format every build uses, and the deb/rpm packages hold the binary,
# completions and gzipped man pages where they belong.
set -euo pipefail

goreleaser=${1:?usage: release-snapshot.sh PATH-TO-GORELEASER}
cd "$(dirname "$0")/.."

# goreleaser reads the commit only if the clone has a remote; a fresh local
# clone may have none. Give it the project's, for this run only (the
# repository's configuration is not changed).
if ! git remote get-url origin >/dev/null 2>&1; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url \
         GIT_CONFIG_VALUE_0=https://github.com/itcare-cli/itcare.git
fi

start=$(date +%s)
"$goreleaser" release --snapshot --clean
echo "snapshot built in $(( $(date +%s) - start ))s"

fail() { echo "release-snapshot: $*" >&2; exit 1; }

# The version goreleaser computed (no tag: next patch of v0.0.0, snapshot-marked).
version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' dist/metadata.json | head -1)
[[ -n $version ]] || fail "no version in dist/metadata.json"

expected=()
for os in linux darwin windows; do
  for arch in amd64 arm64; do
    ext=tar.gz
    [[ $os == windows ]] && ext=zip
    expected+=("dist/itcare_${version}_${os}_${arch}.${ext}")
  done
done
expected+=("dist/itcare_${version}_checksums.txt" "dist/homebrew/Casks/itcare.rb")
for f in "${expected[@]}"; do
  [[ -f $f ]] || fail "missing $f"
done
debs=(dist/*.deb) rpms=(dist/*.rpm)
[[ -f ${debs[0]} && -f ${rpms[0]} ]] || fail "missing deb or rpm packages"

(cd dist && sha256sum --quiet -c "itcare_${version}_checksums.txt") || fail "checksums do not match"

# The archives unpack into one folder: the cask takes its files out of it.
grep -q 'rename "itcare_\*/docs", "docs"' dist/homebrew/Casks/itcare.rb || fail "the cask does not rename docs/ out of the archive's folder"

# The archive of this machine, unpacked in an empty folder, runs.
goos=$(go env GOOS) goarch=$(go env GOARCH)
if [[ $goos != windows ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "${tmp%%/itcare_*}"' EXIT
  tar -xzf "dist/itcare_${version}_${goos}_${goarch}.tar.gz" -C "$tmp"
  top=$(ls -A "$tmp")
  [[ $top == "itcare_${version}_${goos}_${goarch}" ]] || fail "archive unpacks into '$top', not one folder itcare_${version}_${goos}_${goarch}/"
  tmp=$tmp/$top
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?(-dev\+[0-9a-f]{7,})?$ ]] || fail "version $version is not in the format of make build and go install"
  for f in itcare README.md LICENSE completions/itcare.bash completions/_itcare completions/itcare.fish \
           completions/itcare.ps1 docs/man/itcare.1; do
    [[ -e $tmp/$f ]] || fail "archive lacks $f"
  done
  got=$(cd "$tmp" && ITCARE_CONFIG="$tmp/config.yaml" ./itcare version -o json)
  grep -q "\"version\": *\"$version\"" <<<"$got" || fail "itcare version in the archive says: $got"
  echo "unpacked archive: ./itcare --version -> $(cd "$tmp" && ITCARE_CONFIG="$tmp/config.yaml" ./itcare --version)"
fi

# Package contents (when the tools to read them are here).
if command -v dpkg-deb >/dev/null; then
  deb=$(ls dist/*_${goarch}.deb 2>/dev/null | head -1)
  [[ -n $deb ]] || deb=${debs[0]}
  listing=$(dpkg-deb -c "$deb")
  for f in ./usr/bin/itcare ./usr/share/bash-completion/completions/itcare ./usr/share/zsh/vendor-completions/_itcare \
           ./usr/share/fish/vendor_completions.d/itcare.fish ./usr/share/man/man1/itcare.1.gz; do
    grep -q " $f\$" <<<"$listing" || fail "$deb lacks $f"
  done
fi
if command -v rpm >/dev/null; then
  listing=$(rpm -qlp "${rpms[0]}")
  for f in /usr/bin/itcare /usr/share/bash-completion/completions/itcare /usr/share/zsh/site-functions/_itcare \
           /usr/share/man/man1/itcare.1.gz; do
    grep -qx "$f" <<<"$listing" || fail "${rpms[0]} lacks $f"
  done
fi

echo "snapshot $version checked in $(( $(date +%s) - start ))s:"
ls -1 dist/*.tar.gz dist/*.zip dist/*.deb dist/*.rpm dist/*checksums.txt dist/homebrew/Casks/*.rb
