#!/usr/bin/env bash
# The whole Palisade test suite: formatting, lints, unit, fixture, conformance, snapshot and
# CLI tests. It needs ../shared beside the repository (the upstream fixtures and schemas).
set -euo pipefail
cd "$(dirname "$0")/.."

export PALISADE_SHARED="${PALISADE_SHARED:-$(cd .. && pwd)/shared}"
if [ ! -d "$PALISADE_SHARED/conformance/pss" ]; then
  echo "error: shared material not found at $PALISADE_SHARED (set PALISADE_SHARED)" >&2
  exit 2
fi

# Toolchain components the suite uses.
if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi

# helm and kubectl (with kustomize) for the rendering tests: installed into .tools/bin.
bash scripts/install-tools.sh
export PATH="$PWD/.tools/bin:$PATH"

# Snapshot tests must fail on a mismatch, never write new snapshots.
export INSTA_UPDATE=no
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Incremental caches double the size of a one-off build and buy nothing in CI.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# Every test binary, then the doc tests; the totals of the whole run come last, as one line.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --all-targets --locked --no-fail-fast 2>&1 | tee -a "$log" || status=$?
cargo test --workspace --doc --locked 2>&1 | tee -a "$log" || status=$?
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
