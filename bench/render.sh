#!/usr/bin/env bash
# Rendering cost: `palisade scan` on Helm charts and Kustomize overlays of ../shared/corpus/,
# against running `helm template` / `kubectl kustomize` alone on the same inputs (the floor:
# Palisade cannot render faster than the tools it drives). Uses the tools from
# scripts/install-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS="${PALISADE_CORPUS:-$(cd .. && pwd)/shared/corpus}"
bash scripts/install-tools.sh
export PATH="$PWD/.tools/bin:$PATH"
cargo build --release -q -p palisade
PALISADE=target/release/palisade

# Charts that render without fetching dependencies (no network here).
charts=()
for chart in $(find "$CORPUS/helm" -maxdepth 3 -name Chart.yaml -printf '%h\n' | sort); do
  helm template "$chart" >/dev/null 2>&1 && charts+=("$chart")
done
# Kustomizations that build.
overlays=()
for k in $(find "$CORPUS" -name kustomization.yaml -printf '%h\n' | sort); do
  kubectl kustomize "$k" >/dev/null 2>&1 && overlays+=("$k")
done

best() { # label, command...: best of 3 wall times
  local label=$1; shift
  local best=999999999999
  for _ in 1 2 3; do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    best=$(( (end - start) < best ? (end - start) : best ))
  done
  awk -v l="$label" -v ns="$best" 'BEGIN { printf "%-52s %8.2f s\n", l, ns / 1e9 }'
}

helm_alone() { for c in "${charts[@]}"; do helm template "$c" >/dev/null; done; }
kustomize_alone() { for k in "${overlays[@]}"; do kubectl kustomize "$k" >/dev/null; done; }

echo "${#charts[@]} charts, ${#overlays[@]} kustomizations (2 cores)"
best "helm template, one after another" helm_alone
best "palisade scan (charts, rendered in parallel)" "$PALISADE" scan "${charts[@]}" --format json -o /dev/null
best "kubectl kustomize, one after another" kustomize_alone
best "palisade scan (kustomizations, built in parallel)" "$PALISADE" scan "${overlays[@]}" --format json -o /dev/null
