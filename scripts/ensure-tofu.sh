#!/usr/bin/env bash
# Builds the OpenTofu CLI used by the tests from the Go module proxy (tools/opentofu pins
# the version) and caches it in .cache/tofu/ (git-ignored). Prints the binary's path.
# Needs Go >= the version in tools/opentofu/go.mod.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$root/tools/opentofu"
version="$(awk '$1 == "require" && $2 == "github.com/opentofu/opentofu" { print $3 }' "$module/go.mod")"
binary="$root/.cache/tofu/tofu-$version"

if [ ! -x "$binary" ]; then
  if ! command -v go >/dev/null; then
    echo "error: building OpenTofu $version for the tests needs Go (see tools/opentofu/go.mod for the version); install Go and rerun" >&2
    exit 1
  fi
  echo "==> Building OpenTofu $version from the Go module proxy (first run only, about 5 minutes)" >&2
  mkdir -p "$root/.cache/tofu"
  (cd "$module" && go build -trimpath \
    -ldflags "-X github.com/opentofu/opentofu/version.dev=no" \
    -o "$binary.tmp" github.com/opentofu/opentofu/cmd/tofu)
  mv "$binary.tmp" "$binary"
fi
echo "$binary"
