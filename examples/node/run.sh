#!/usr/bin/env bash
# Runs the Node.js examples: the ROUTING.md golden-vector check, then the demo against a live cluster.
# Usage: bash examples/node/run.sh [host:port,...]   With no targets it starts a dev cluster of its own
# (./raftcache dev, data in a temporary directory) and stops it afterwards. Skips, with a reason, without node.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "examples/node: SKIPPED: node and npm are not installed (Debian: apt-get install nodejs npm)"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
node routing.js

TARGETS=${1:-}
if [ -z "$TARGETS" ]; then
  DATA=$(mktemp -d /tmp/raftcache-node-example.XXXXXX)
  BASE=${RAFTCACHE_EXAMPLE_PORT:-7270}
  ../../raftcache dev --data-dir "$DATA" --base-port "$BASE" --metrics-base-port $((BASE + 300)) > "$DATA/dev.out" 2>&1 &
  DEV=$!
  cleanup() {
    kill "$DEV" 2>/dev/null || true
    wait "$DEV" 2>/dev/null || true
    # The nodes may still be closing their files for a moment after the dev process exits.
    for _ in 1 2 3 4 5 6 7 8 9 10; do rm -rf "$DATA" 2>/dev/null; [ -e "$DATA" ] || break; sleep 0.5; done
  }
  trap cleanup EXIT
  for _ in $(seq 1 180); do grep -q "cluster ready" "$DATA/dev.out" && break; kill -0 $DEV 2>/dev/null || break; sleep 1; done
  grep -q "cluster ready" "$DATA/dev.out" || { echo "examples/node: dev cluster did not start:"; cat "$DATA/dev.out"; exit 1; }
  TARGETS="127.0.0.1:$BASE,127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 2))"
fi
node demo.js "$TARGETS"
