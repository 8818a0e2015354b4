#!/usr/bin/env bash
# Quick start: installs the dependencies, starts the sandbox (examples/sandbox: local
# stand-ins for Route 53 and EKS on http://127.0.0.1:4566 and for the two clusters'
# Kubernetes APIs on :4571 and :4572 — not AWS, not Kubernetes) and the example app
# (http://localhost:3000) with its backend (http://localhost:7007). Ctrl-C stops them all.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$BLUEGREEN_ROOT"

yarn install --immutable

echo "==> Starting the sandbox: local stand-ins for Route 53 and EKS (:4566) and Kubernetes (:4571, :4572)"
yarn workspace @bluegreen/example-sandbox start &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null || true' EXIT

echo "==> Starting the example app on http://localhost:3000 and its backend on http://localhost:7007"
# --config is relative to each started package (examples/app, examples/backend).
yarn backstage-cli repo start --config ../app-config.yaml
