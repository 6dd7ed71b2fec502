#!/usr/bin/env bash
# Measures what a raft write costs the nodes, per node jar: CPU and thread context switches of an idle 3-node
# `raftcache dev` cluster, then of leader-routed single-key Sets at a fixed rate and at the maximum rate, per
# command, with the commands each log entry carried. CPU and context switches per command vary far less with the
# machine's speed than ops/s do, so paired jars compare well on a noisy machine. Jars are run in the order given
# (interleave them: A B A B). Usage:
#   bash bench/entry-cost.sh [output-file] [node-jar ...]   (default bench/target/runs/entry-cost-<UTC time>.txt,
#                                                            node/target/raftcache-node.jar)
# Environment: RATE (fixed-rate line, default 1000 ops/s), PARTITIONS (passed to `raftcache dev`).
# Needs: the node and bench jars built (see docs/benchmarks.md); reads /proc, so Linux only.
set -euo pipefail
export LC_ALL=C # sort and join must agree on the order of thread names
cd "$(dirname "$0")/.."
OUT=${1:-bench/target/runs/entry-cost-$(date -u +%Y%m%dT%H%M%SZ).txt}
shift || true
JARS=("$@")
[ ${#JARS[@]} -gt 0 ] || JARS=(node/target/raftcache-node.jar)
RATE=${RATE:-1000}
mkdir -p "$(dirname "$OUT")"
T=127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072
LG="java -cp bench/target/raftcache-bench.jar io.raftcache.bench.LoadGenerator --targets $T --concurrency 50
    --keys 20000 --value-size 1024 --deadline-ms 5000"
HZ=$(getconf CLK_TCK)
DEV=""
DATA=""
cleanup() { [ -n "$DEV" ] && kill "$DEV" 2>/dev/null && wait "$DEV" 2>/dev/null; [ -n "$DATA" ] && rm -rf "$DATA"; }
trap cleanup EXIT

# CPU ticks (user + system) of the node processes.
cpu_ticks() { local t=0 p; for p in $PIDS; do t=$((t + $(awk '{print $14 + $15}' /proc/"$p"/stat))); done; echo $t; }
# Context switches (voluntary + involuntary) per thread name (digits folded to N), summed over the nodes.
switches() {
  local p
  for p in $PIDS; do
    awk '/^Name:/ { n = $0; sub(/^Name:[ \t]*/, "", n); gsub(/[0-9]+/, "N", n) }
         /ctxt_switches:/ { c[n] += $2 }
         END { for (k in c) print k "\t" c[k] }' /proc/"$p"/task/*/status 2>/dev/null
  done | awk -F'\t' '{ c[$1] += $2 } END { for (k in c) print k "\t" c[k] }' | sort
}
# Prints total switches between two snapshots divided by $3, then the five busiest thread names.
switch_delta() {
  join -t $'\t' "$1" "$2" | awk -F'\t' -v d="$3" '{ x = $3 - $2; t += x; print x / d "\t" $1 }
      END { printf "%.1f\ttotal\n", t / d }' | sort -g -r | head -6 | awk -F'\t' '{ printf "%s %.1f; ", $2, $1 }'
}
# Log entries and commands the partition leaders proposed, summed over the nodes.
entries() {
  local i c=0 s=0 line
  for i in 0 1 2; do
    line=$(curl -s "http://127.0.0.1:$((9464 + i))/metrics" | awk '/^raftcache_raft_entry_commands_count/ { c = $2 }
        /^raftcache_raft_entry_commands_sum/ { s = $2 } END { printf "%d %d", c, s }')
    c=$((c + ${line% *})); s=$((s + ${line#* }))
  done
  echo "$c $s"
}
now() { date +%s.%N; }

n=0
for JAR in "${JARS[@]}"; do
  n=$((n + 1))
  DATA=$(mktemp -d /tmp/raftcache-entry-cost.XXXXXX)
  java @jvm.options -jar "$JAR" dev --data-dir "$DATA" ${PARTITIONS:+--partitions "$PARTITIONS"} > "$OUT.dev$n.log" 2>&1 &
  DEV=$!
  for _ in $(seq 1 120); do grep -q "cluster ready" "$OUT.dev$n.log" && break; sleep 1; done
  grep -q "cluster ready" "$OUT.dev$n.log" || { echo "dev cluster did not start; see $OUT.dev$n.log"; exit 1; }
  PIDS=$(pgrep -f "raftcache-node.jar.* node " | tr '\n' ' ')
  # JIT warm-up under writes, then reads (which also start jraft's ReadIndex timeout scanner), then quiet.
  $LG --op set --route leader --warmup 60 --duration 1 > /dev/null 2>&1
  $LG --op get --consistency LEASE --no-preload --warmup 30 --duration 1 > /dev/null 2>&1
  sleep 40
  echo "== $n $JAR ($(date -u +%H:%M:%S))" | tee -a "$OUT"
  s0=$(mktemp); s1=$(mktemp)
  switches > "$s0"; c0=$(cpu_ticks); t0=$(now); sleep 30; c1=$(cpu_ticks); t1=$(now); switches > "$s1"
  secs=$(echo "$t1 - $t0" | bc)
  echo "idle: $(echo "scale=3; ($c1 - $c0) / $HZ / $secs" | bc) cores; context switches per second: $(switch_delta "$s0" "$s1" "$secs")" | tee -a "$OUT"
  for rate in "$RATE" max; do
    args=(--op set --route leader --warmup 10 --duration 30)
    [ "$rate" != max ] && args+=(--rate "$rate")
    $LG "${args[@]}" > "$OUT.lg" 2>&1 &
    lg=$!
    sleep 15 # past the generator's warm-up
    switches > "$s0"; c0=$(cpu_ticks); t0=$(now); read -r e0 k0 < <(entries)
    sleep 20
    read -r e1 k1 < <(entries); c1=$(cpu_ticks); t1=$(now); switches > "$s1"
    wait $lg
    cmds=$((k1 - k0)); ents=$((e1 - e0)); secs=$(echo "$t1 - $t0" | bc)
    echo "set rate=$rate: $(grep -o 'ops/s=[0-9]* p50=[0-9.]*ms p99=[0-9.]*ms' "$OUT.lg");" \
      "nodes $(echo "scale=2; ($c1 - $c0) / $HZ / $secs" | bc) cores, $(( (c1 - c0) * 1000000 / HZ / cmds )) us CPU per command," \
      "$(echo "scale=2; $cmds / $ents" | bc) commands per entry; context switches per command: $(switch_delta "$s0" "$s1" "$cmds")" \
      | tee -a "$OUT"
  done
  rm -f "$s0" "$s1" "$OUT.lg"
  kill "$DEV"; wait "$DEV" 2>/dev/null || true; DEV=""
  rm -rf "$DATA"; DATA=""
  while pgrep -f "raftcache-node.jar.* node " > /dev/null; do sleep 1; done
done
echo "results in $OUT"
