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

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --all-targets --locked
cargo test --workspace --doc --locked
