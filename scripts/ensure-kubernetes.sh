#!/usr/bin/env bash
# Builds the real Kubernetes parts the tests and the example run, once, into
# .cache/kubernetes/ (git-ignored), and prints the folder:
#   kube-apiserver and kubectl from k8s.io/kubernetes (tools/kubernetes pins the version
#   and its staging modules), and kine (an etcd API over SQLite) with `go install`.
# No nodes, no scheduler, no controllers: the API servers store and serve objects.
# Needs Go >= the version in tools/kubernetes/go.mod.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$root/tools/kubernetes"
version="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$module/go.mod")"
kine_version="v0.17.5"
dir="$root/.cache/kubernetes/$version"

need_go() {
  if ! command -v go >/dev/null; then
    echo "error: building $1 for the tests needs Go (see tools/kubernetes/go.mod for the version); install Go and rerun" >&2
    exit 1
  fi
}

mkdir -p "$dir"
for cmd in kube-apiserver kubectl; do
  if [ ! -x "$dir/$cmd" ]; then
    need_go "$cmd $version"
    echo "==> Building $cmd $version from the Go module proxy (first run only, a few minutes)" >&2
    (cd "$module" && go build -trimpath -o "$dir/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
    mv "$dir/$cmd.tmp" "$dir/$cmd"
  fi
done
if [ ! -x "$dir/kine" ]; then
  need_go "kine $kine_version"
  echo "==> Building kine $kine_version from the Go module proxy (first run only, about 2 minutes)" >&2
  GOBIN="$dir/.kine-build" go install "github.com/k3s-io/kine@$kine_version"
  mv "$dir/.kine-build/kine" "$dir/kine"
  rmdir "$dir/.kine-build"
fi
echo "$dir"
