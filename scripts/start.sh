#!/usr/bin/env bash
# Quick start: installs the dependencies and starts the example Backstage app
# (http://localhost:3000) and backend (http://localhost:7007). Ctrl-C stops both.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$BLUEGREEN_ROOT"

yarn install --immutable
echo "==> Starting the example app on http://localhost:3000 and its backend on http://localhost:7007"
# --config is relative to each started package (examples/app, examples/backend).
exec yarn backstage-cli repo start --config ../app-config.yaml
