#!/usr/bin/env bash
# Whole-process figures for the corpus: `palisade scan` as a user runs it (start-up, discovery,
# reading, parsing, rules, inventory, JSON output) against the parse floor, a process that reads
# the same files and runs only the span-giving event parser over them on all cores
# (crates/palisade/examples/parse_floor.rs). Prints the best wall time and the peak resident
# memory of each, and their ratio. Targets: at most 1.5x the floor, under 40 MiB.
# Usage: bench/whole-process.sh [CORPUS] (default ../shared/corpus); RUNS=N (default 7).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus}"
runs="${RUNS:-7}"
cargo build --release --locked --bin palisade --example parse_floor >/dev/null 2>&1
bin=target/release/palisade
export PATH="$PWD/.tools/bin:$PATH"
floor=target/release/examples/parse_floor
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

# one run of "$@": wall seconds (to the microsecond, from bash's clock) and peak KiB (GNU time)
once() {
  local start end
  start=$EPOCHREALTIME
  /usr/bin/time -o "$out" -f '%M' "$@" >/dev/null 2>&1 || true
  end=$EPOCHREALTIME
  echo "$(echo "$end - $start" | bc) $(tail -n 1 "$out")"
}

# The floor and the scan run alternately, so that the machine's drift during the benchmark
# (other load, frequency) affects both alike; the best run of each counts.
fs="" ss=""
for _ in $(seq "$runs"); do
  read -r secs kb < <(once "$floor" "$corpus")
  if [ -z "$fs" ] || [ "$(echo "$secs < $fs" | bc)" = 1 ]; then fs=$secs fk=$kb; fi
  read -r secs kb < <(once "$bin" scan "$corpus" --exclude /helm --no-render --no-config \
    --format json -o /dev/null --fail-on never)
  if [ -z "$ss" ] || [ "$(echo "$secs < $ss" | bc)" = 1 ]; then ss=$secs sk=$kb; fi
done
read -r rs rk < <(once "$bin" scan "$corpus" --no-config --format json -o /dev/null \
  --fail-on never)
printf '%-44s %8s %10s\n' process "wall" "peak RSS"
printf '%-44s %7.3fs %7.1f MiB\n' "parse floor (read + events)" "$fs" "$(echo "$fk/1024" | bc -l)"
printf '%-44s %7.3fs %7.1f MiB  (%.2fx the floor)\n' "scan --exclude /helm --no-render" "$ss" \
  "$(echo "$sk/1024" | bc -l)" "$(echo "$ss/$fs" | bc -l)"
printf '%-44s %7.2fs %7.1f MiB\n' "scan (charts and overlays rendered)" "$rs" "$(echo "$rk/1024" | bc -l)"
