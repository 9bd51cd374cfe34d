#!/usr/bin/env bash
# find-bash-completion.sh — print the path of bash-completion's main script
# (bash_completion), wherever the distribution or Homebrew put it; print
# nothing and exit 1 when it is not installed. Used by `make test-deps` and by
# the completion test that types TAB in bash.
set -u
candidates=()
if command -v pkg-config >/dev/null 2>&1; then
  # completionsdir is .../share/bash-completion/completions; the script is next to it.
  dir=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null) &&
    [ -n "$dir" ] && candidates+=("${dir%/completions}/bash_completion")
fi
if command -v brew >/dev/null 2>&1; then
  prefix=$(brew --prefix 2>/dev/null) &&
    candidates+=("$prefix/share/bash-completion/bash_completion" "$prefix/etc/profile.d/bash_completion.sh")
fi
candidates+=(
  /usr/share/bash-completion/bash_completion
  /usr/local/share/bash-completion/bash_completion
  /opt/homebrew/share/bash-completion/bash_completion
  /opt/homebrew/etc/profile.d/bash_completion.sh
  /usr/local/etc/profile.d/bash_completion.sh
  /etc/bash_completion
)
for f in "${candidates[@]}"; do
  if [ -r "$f" ]; then
    echo "$f"
    exit 0
  fi
done
exit 1
