#!/usr/bin/env bash
# Worst-case inputs for time and memory: generates each case into a temporary directory, runs
# `palisade scan` on it once per report format, and prints wall time, peak resident memory,
# the ratio of what the input added to the peak (peak minus the process on a trivial input) to
# the input's size, and whether the peak is within the bound of docs/security.md (the process
# on a trivial input, 4 times the input and 24 MiB). Usage: bench/hostile.sh [path/to/palisade]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/release/palisade}"
if [ ! -x "$bin" ]; then
  cargo build --release --locked >/dev/null
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

python3 - "$dir" <<'PY'
import sys, os
d = sys.argv[1]
def write(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
# 1,000,000 tiny documents.
write("tiny-documents.yaml", "a: 1\n---\n" * 1_000_000)
# 500,000 minimal Pod documents.
write("minimal-pods.yaml", "{apiVersion: v1, kind: Pod}\n---\n" * 500_000)
# One Pod with 16,000 containers.
containers = "".join(f"  - {{name: c{i}, image: nginx}}\n" for i in range(16_000))
write("many-containers.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n" + containers)
# 40,000 aliases of one container.
aliases = "  - *c\n" * 40_000
write("aliased-containers.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - &c {name: c, image: nginx}\n" + aliases)
# 20,000 Deployments with many findings each.
deploy = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: d{i}, namespace: ns{n}}}
spec:
  selector: {{matchLabels: {{app: d{i}}}}}
  template:
    metadata: {{labels: {{app: d{i}}}}}
    spec:
      hostNetwork: true
      containers:
      - name: c
        image: nginx
        securityContext: {{privileged: true}}
---
"""
write("many-findings.yaml", "".join(deploy.format(i=i, n=i % 50) for i in range(20_000)))
# 2,000 Pods of 90 one-line containers: a finding every two bytes.
line = "".join(f"{{name: c{i}, image: x}}," for i in range(90))
pod = "{{apiVersion: v1, kind: Pod, metadata: {{name: p{j}}}, spec: {{containers: [{c}]}}}}\n---\n"
write("dense-findings.yaml", "".join(pod.format(j=j, c=line) for j in range(2_000)))
# Minified JSON: 1,000 Pods on one line of 214 KB, 53,000 findings on it.
import json
items = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{j}"},
          "spec": {"containers": [{"name": f"c{i}", "image": "x"} for i in range(5)]}}
         for j in range(1_000)]
with open(os.path.join(d, "one-line.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f, separators=(",", ":"))
# One document: a List of 40,000 Pods (as `kubectl get pods -o json` prints a cluster's).
items = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{j}"},
          "spec": {"containers": [{"name": f"c{i}", "image": "x"} for i in range(5)]}}
         for j in range(40_000)]
with open(os.path.join(d, "one-list.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f, indent=1)
PY

printf 'a: 1\n' > "$dir/trivial.txt"
/usr/bin/time -o "$dir/time" -f '%M' "$bin" scan "$dir/trivial.txt" --format json -o /dev/null >/dev/null 2>&1 || true
base=$(tail -n 1 "$dir/time")
printf 'constant (the process on a trivial input): %.0f MiB\n' "$(echo "$base/1024" | bc -l)"
printf '%-20s %-8s %8s %8s %10s %7s %s\n' case format size time "peak RSS" ratio bound
for f in "$dir"/*.yaml "$dir"/*.json; do
  size=$(stat -c %s "$f")
  for format in json sarif junit text; do
    /usr/bin/time -o "$dir/time" -f '%e %M' "$bin" scan "$f" --format "$format" -o /dev/null \
      --fail-on never >/dev/null 2>&1 || true
    read -r secs kb < <(tail -n 1 "$dir/time")
    within=over
    if [ "$(echo "$kb*1024 <= $base*1024 + 4*$size + 24*1024*1024" | bc)" = 1 ]; then
      within=within
    fi
    printf '%-20s %-8s %6.1fMB %7ss %7.0fMiB %6.1fx %s\n' "$(basename "${f%.*}")" "$format" \
      "$(echo "$size/1000000" | bc -l)" "$secs" "$(echo "$kb/1024" | bc -l)" \
      "$(echo "($kb-$base)*1024/$size" | bc -l)" "$within"
  done
done
