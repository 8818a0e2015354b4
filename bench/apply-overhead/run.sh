#!/usr/bin/env bash
# Runs bench/apply-overhead/run.ts with the repository's Node and OpenTofu.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/env.sh"
cd "$BLUEGREEN_ROOT"
BLUEGREEN_TOFU="$(bash scripts/ensure-tofu.sh)"
export BLUEGREEN_TOFU
exec node -r sucrase/register bench/apply-overhead/run.ts "$@"
