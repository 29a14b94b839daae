#!/usr/bin/env bash
# Proves that two builds of Palisade report the same thing: runs `palisade scan` from both on a
# corpus (default ../shared/corpus, charts and overlays rendered) in every report format and
# sort order, with and without suppressed findings, and compares the outputs byte for byte.
# Prints one line per run and a diff excerpt for each difference; exits 1 when any differs.
# Usage: bench/same-output.sh OLD_BINARY NEW_BINARY [CORPUS]; SCAN_ARGS adds arguments to
# every scan (SCAN_ARGS="--exclude /helm --no-render" skips the minute of rendering).
#
# Use it around a change that must not change behaviour (a restructuring, a new storage for
# findings): build the old commit into another target directory, e.g.
#   git worktree add /tmp/old HEAD~1 && cargo build --release --manifest-path /tmp/old/Cargo.toml
#   bench/same-output.sh /tmp/old/target/release/palisade target/release/palisade
set -euo pipefail
old="${1:?usage: bench/same-output.sh OLD_BINARY NEW_BINARY [CORPUS]}"
new="${2:?usage: bench/same-output.sh OLD_BINARY NEW_BINARY [CORPUS]}"
corpus="${3:-$(dirname "$0")/../../shared/corpus}"
# The scans run in the corpus: name the binaries absolutely.
old="$(realpath "$old")"
new="$(realpath "$new")"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

differ=0
run() {
  local name="$1"
  shift
  # The exit code is part of the behaviour: keep it with the output.
  local bin side code
  for side in old new; do
    bin="$old"
    [ "$side" = new ] && bin="$new"
    code=0
    # shellcheck disable=SC2086 # SCAN_ARGS is split into arguments on purpose.
    (cd "$corpus" && "$bin" scan . --no-config --color never ${SCAN_ARGS:-} "$@") \
      >"$out/$side" 2>&1 || code=$?
    echo "exit $code" >>"$out/$side"
  done
  if cmp -s "$out/old" "$out/new"; then
    printf 'same     %-40s %8s bytes\n' "$name" "$(stat -c %s "$out/new")"
  else
    differ=1
    printf 'DIFFERS  %-40s\n' "$name"
    diff "$out/old" "$out/new" | head -n 20 || true
  fi
}

for format in text compact json sarif junit; do
  for sort in path severity rule; do
    run "$format --sort $sort" --format "$format" --sort "$sort"
  done
  run "$format --show-suppressed" --format "$format" --show-suppressed
done
run "text --compliance" --format text --compliance
exit "$differ"
