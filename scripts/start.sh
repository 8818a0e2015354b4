#!/usr/bin/env bash
# Quick start: installs the dependencies, builds the Kubernetes API server once
# (scripts/ensure-kubernetes.sh: about 14.5 minutes on 2 cores the first time, cached after),
# starts the sandbox (examples/sandbox: a local stand-in for Route 53 and EKS on
# http://127.0.0.1:4566, not AWS), the example's two clusters (examples/kubernetes: two real kube-apiservers on
# kine/SQLite, no nodes, seeded with the example's workloads) and the example app
# (http://localhost:3000) with its backend (http://localhost:7007). Ctrl-C stops them all.
#
#   bash scripts/start.sh                 one backend on in-memory SQLite (the quick start)
#   bash scripts/start.sh --replicas 2    like production: PostgreSQL and Redis (real
#                                         servers, throw-away, under .cache), 2 backends,
#                                         and a round-robin proxy (a local stand-in for a
#                                         load balancer) on :7007 in front of them
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$BLUEGREEN_ROOT"

replicas=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --replicas)
      if ! [[ "${2:-}" =~ ^[1-9][0-9]*$ ]]; then
        echo "error: --replicas takes a positive whole number, e.g. --replicas 2" >&2
        exit 2
      fi
      replicas="$2"
      shift 2
      ;;
    *)
      echo "error: unknown argument $1; usage: bash scripts/start.sh [--replicas N]" >&2
      exit 2
      ;;
  esac
done

yarn install --immutable
BLUEGREEN_KUBERNETES_BIN="$(bash scripts/ensure-kubernetes.sh)"
export BLUEGREEN_KUBERNETES_BIN

children=()
stop_children() {
  for pid in "${children[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap stop_children EXIT

echo "==> Starting the sandbox: local stand-ins for Route 53 and EKS (:4566), DNS (udp :4553) and the clusters' load balancers (:4581, :4582)"
yarn workspace @bluegreen/example-sandbox start &
children+=($!)

# The clusters' URLs, CA data and tokens are new on every start: examples/kubernetes
# writes them to this file (readable by you only) once both clusters are seeded.
export EXAMPLE_KUBERNETES_DIR="$BLUEGREEN_ROOT/.cache/example"
kubernetes_config="$EXAMPLE_KUBERNETES_DIR/kubernetes.app-config.yaml"
rm -f "$kubernetes_config"
echo "==> Starting the example's clusters: two real kube-apiservers (kine/SQLite, no nodes)"
yarn workspace @bluegreen/example-kubernetes start &
clusters=$!
children+=("$clusters")
until [ -f "$kubernetes_config" ]; do
  if ! kill -0 "$clusters" 2>/dev/null; then
    echo "error: the example's clusters did not start (see above)" >&2
    exit 1
  fi
  sleep 1
done

if [ "$replicas" -gt 0 ]; then
  # Not exec'd: the trap above stops the sandbox and the clusters afterwards.
  yarn workspace @bluegreen/example-replicas start --replicas "$replicas" --config "$kubernetes_config"
  exit
fi

echo "==> Starting the example app on http://localhost:3000 and its backend on http://localhost:7007"
# A relative --config is relative to each started package (examples/app, examples/backend).
yarn backstage-cli repo start --config ../app-config.yaml --config "$kubernetes_config"
