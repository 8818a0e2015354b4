#!/usr/bin/env bash
# Runs bench/staged-cutover/run.ts with the repository's Node: the AWS sandbox (a local
# stand-in, with its load balancer stand-ins) in this process, the example backend as a
# child process group.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/env.sh"
cd "$BLUEGREEN_ROOT"
# The example's two clusters are real kube-apiservers (examples/kubernetes).
BLUEGREEN_KUBERNETES_BIN="$(bash scripts/ensure-kubernetes.sh)"
export BLUEGREEN_KUBERNETES_BIN
exec node -r sucrase/register bench/staged-cutover/run.ts "$@"
