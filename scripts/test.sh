#!/usr/bin/env bash
# Runs every test of the repository: formatting, lint, type-check, unit and integration
# tests (jest, including the example backend smoke test and the Terraform action tests on a
# real OpenTofu CLI, the harness tests on real kube-apiservers). Installs what it needs
# first (Node 22, dependencies, OpenTofu, kube-apiserver/kine/kubectl).
# Ends with one line "N passed, N failed" summed over all suites; exits non-zero on any
# failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$BLUEGREEN_ROOT"

results="$BLUEGREEN_ROOT/.cache/test-results"
rm -rf "$results"
mkdir -p "$results"

echo "==> Installing dependencies"
yarn install --immutable

# A check is one suite that counts as one test: it passes when its command exits 0.
check() {
  local name="$1"
  shift
  echo "==> $name"
  if "$@" >"$results/$name.log" 2>&1; then
    echo pass >"$results/$name.check"
    echo "    passed"
  else
    echo fail >"$results/$name.check"
    echo "    FAILED; last lines of $results/$name.log:"
    tail -n 60 "$results/$name.log" | sed 's/^/    /'
  fi
}

echo "==> OpenTofu for the Terraform tests"
BLUEGREEN_TOFU="$(bash scripts/ensure-tofu.sh)"
export BLUEGREEN_TOFU
echo "    $BLUEGREEN_TOFU"

echo "==> Real Kubernetes API servers (kube-apiserver, kine, kubectl) for the Kubernetes tests"
BLUEGREEN_KUBERNETES_BIN="$(bash scripts/ensure-kubernetes.sh)"
export BLUEGREEN_KUBERNETES_BIN
echo "    $BLUEGREEN_KUBERNETES_BIN"

check prettier yarn prettier --check .
check lint yarn backstage-cli repo lint
# The packages' package.json fields as Backstage's tooling expects them.
check repo-fix yarn backstage-cli repo fix --check
check tsc yarn tsc
# The published packages: build them as a publisher would (the fresh-app test packs
# them), and the API reports must match the public surface.
check build yarn build:all
check api-reports yarn build:api-reports --ci

# The fleet suites: several example backends, PostgreSQL, Redis (and Chromium) at once.
fleet='/(replicas|replicas\.browser)\.test\.ts$'
# The fresh-app test: a new app from create-app, its installs and builds; last, alone.
freshApp='/freshApp/'

echo "==> Unit and integration tests (jest)"
# The Kubernetes backend's proxy, used in-process by the teardown tests, loads an ES module
# with import(), which jest supports only with vm modules.
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules" CI=true yarn backstage-cli repo test \
  --testPathIgnorePatterns "$fleet|$freshApp" --json --outputFile="$results/jest.json" ||
  echo "    jest reported failures"

echo "==> Replica tests (jest): two example backends on real PostgreSQL and Redis"
# Alone and one at a time: their replicas take both cores, and the other suites' holds
# and timing bounds would pay for it.
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules" CI=true yarn backstage-cli repo test \
  --testPathPatterns "$fleet" --maxWorkers=1 --json --outputFile="$results/jest-replicas.json" ||
  echo "    jest reported failures"

echo "==> Fresh-app test (jest): the packed packages in a new app from @backstage/create-app, on Backstage 1.55 and 1.57"
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules" CI=true yarn backstage-cli repo test \
  --testPathPatterns "$freshApp" --maxWorkers=1 --json --outputFile="$results/jest-fresh-app.json" ||
  echo "    jest reported failures"

node scripts/lib/summarize-tests.mjs "$results"
