#!/usr/bin/env bash
# Side-by-side: Palisade vs Checkov 3.3.30 (--framework kubernetes) on the same files of
# ../shared/corpus/ (everything outside helm/, and argo-cd's install.yaml alone), measuring
# wall time and peak memory with GNU time. Installs Checkov into bench/.checkov (a venv) and
# GNU time from apt if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS="${PALISADE_CORPUS:-$(cd .. && pwd)/shared/corpus}"
VENV=bench/.checkov

command -v /usr/bin/time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }
if [ ! -x "$VENV/bin/checkov" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "checkov==3.3.30"
fi
cargo build --release -q -p palisade
PALISADE=target/release/palisade

measure() { # label, command...
  local label=$1; shift
  local stats
  stats=$(mktemp)
  /usr/bin/time -o "$stats" -f '%e %M' "$@" >/dev/null 2>&1 || true
  read -r seconds kib < <(tail -n 1 "$stats")
  rm -f "$stats"
  awk -v l="$label" -v s="$seconds" -v k="$kib" 'BEGIN { printf "%-46s %8.2f s  %8.1f MiB\n", l, s, k / 1024 }'
}

ARGO="$CORPUS/argo-cd/manifests/install.yaml"
echo "corpus: $CORPUS (outside helm/)"
for i in 1 2 3; do
  measure "palisade scan (corpus, run $i)" "$PALISADE" scan "$CORPUS" --exclude /helm --no-render --format json -o /dev/null || true
done
for i in 1 2 3; do
  measure "palisade scan (argo-cd install.yaml, run $i)" "$PALISADE" scan "$ARGO" --format json -o /dev/null || true
done
measure "checkov --framework kubernetes (corpus)" "$VENV/bin/checkov" -d "$CORPUS" --skip-path helm --framework kubernetes -o json --quiet || true
measure "checkov --framework kubernetes (argo-cd)" "$VENV/bin/checkov" -f "$ARGO" --framework kubernetes -o json --quiet || true
