#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing (root or sudo).
# Node.js 22 is not one of them: scripts/lib/env.sh fetches it from the npm registry.
# Go (>= 1.21; it fetches the toolchain tools/opentofu/go.mod asks for) must be on the machine:
# scripts/ensure-tofu.sh builds OpenTofu with it. Debian's golang-go is too old for that.
set -euo pipefail

# Native builds (better-sqlite3) need a C++ toolchain, make and python3.
packages=()
command -v g++ >/dev/null || packages+=(g++)
command -v make >/dev/null || packages+=(make)
command -v python3 >/dev/null || packages+=(python3)
# The AWS CLI reads what the tests wrote to the AWS sandbox, as an independent client.
# (`aws --version` rather than `command -v`: a pyenv shim can exist without the CLI.)
aws --version >/dev/null 2>&1 || packages+=(awscli)
# The browser test (examples/e2e) drives Debian's Chromium (/usr/bin/chromium) with
# playwright-core.
chromium --version >/dev/null 2>&1 || packages+=(chromium)
# dig (Debian's dnsutils) queries the sandbox's DNS stand-in as a real resolver client.
command -v dig >/dev/null || packages+=(dnsutils)
# The replica tests and `scripts/start.sh --replicas N` run real PostgreSQL and Redis
# servers (examples/replicas starts throw-away ones; no Docker). Debian's postgresql
# package brings the server binaries (/usr/lib/postgresql/<version>/bin) and the
# postgres user the server runs as when the tests run as root.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  packages+=(postgresql)
elif [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  packages+=(postgresql)
fi
command -v redis-server >/dev/null || command -v valkey-server >/dev/null || packages+=(redis-server)

if [ "${#packages[@]}" -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "==> Installing Debian packages: ${packages[*]}"
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${packages[@]}"
