#!/usr/bin/env bash
# Measures a 3-node `raftcache dev` cluster beside Redis on the same machine, in one run, and prints one line per
# measurement: plain stubs (round robin, routed to leaders, one node), the smart Java client, batches, Redis. Usage: bash bench/cluster-compare.sh [output-dir]   (default bench/target/runs/<UTC time>)
# Needs: the node and bench jars built (see docs/benchmarks.md), redis-server on 127.0.0.1:6379, redis-benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/target/runs/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/raftcache-bench.XXXXXX)
T=127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072
LG="java -cp bench/target/raftcache-bench.jar io.raftcache.bench.LoadGenerator --concurrency 50 --keys 20000
    --value-size 1024 --warmup 10 --duration 20 --deadline-ms 5000"

RAFTCACHE_SKIP_BUILD=1 ./raftcache dev --data-dir "$DATA" > "$OUT/dev.log" 2>&1 &
DEV=$!
trap 'kill $DEV 2>/dev/null; wait $DEV 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do grep -q "cluster ready" "$OUT/dev.log" && break; sleep 1; done
grep -q "cluster ready" "$OUT/dev.log" || { echo "dev cluster did not start; see $OUT/dev.log"; exit 1; }
sleep 20 # let elections settle and the JIT warm up a little before the idle measurement

# CPU of the idle cluster: CPU seconds the three node JVMs use in 20 s.
pids=$(pgrep -f "raftcache-node.jar.* node " | tr '\n' ' ')
cpu() { local t=0; for p in $pids; do t=$((t + $(awk '{print $14+$15}' /proc/"$p"/stat))); done; echo $t; }
c0=$(cpu); sleep 20; c1=$(cpu)
hz=$(getconf CLK_TCK)
echo "idle: 3 nodes used $(echo "scale=2; ($c1-$c0)/$hz/20" | bc) cores over 20 s" | tee "$OUT/results.txt"

# CPU ticks of the nodes' JIT compiler threads (C1 and C2): a line measured while they run measures the compiler.
jit() { local t=0 p; for p in $pids; do t=$((t + $(cat /proc/"$p"/task/*/stat 2>/dev/null |
  awk '/\(C[12] CompilerThre\)/ { s = $0; sub(/^.*\) /, "", s); split(s, f, " "); t += f[12] + f[13] } END { print t + 0 }'))); done; echo $t; }
# Runs one measured line; after it, the cores the nodes used during it and how many of those were the JIT's.
run() {
  echo "+ [$(cut -d' ' -f1 /proc/loadavg)] $*" >> "$OUT/results.txt"
  local c0 j0 t0 c1 j1 t1
  c0=$(cpu); j0=$(jit); t0=$(date +%s.%N)
  "$@" 2>> "$OUT/lg.err" | tee -a "$OUT/results.txt"
  c1=$(cpu); j1=$(jit); t1=$(date +%s.%N)
  echo "  nodes: $(echo "scale=2; ($c1 - $c0) / $hz / ($t1 - $t0)" | bc) cores, of which JIT $(echo "scale=2; ($j1 - $j0) / $hz / ($t1 - $t0)" | bc)" >> "$OUT/results.txt"
}
redis() {
  echo "+ [$(cut -d' ' -f1 /proc/loadavg)] redis-benchmark -t set,get -c 50 -d 1024 -r 20000 -n 300000" >> "$OUT/results.txt"
  redis-benchmark -h 127.0.0.1 -p 6379 -t set,get -c 50 -d 1024 -r 20000 -n 300000 --csv | tee -a "$OUT/results.txt"
}
# Redis before and after: this machine's speed drifts by 2-3x within minutes, so both ends of the run are kept.
redis
# The nodes' C2 compiler threads use 0.3-0.5 of a core for the first 80-100 s under load (run 9); without this
# warm-up the first lines measure the compiler. It also gives the leader balancer time to spread leaders.
$LG --targets $T --op set --warmup 60 --duration 1 > /dev/null 2>> "$OUT/lg.err"
$LG --targets $T --op get --consistency LEASE --no-preload --warmup 60 --duration 1 > /dev/null 2>> "$OUT/lg.err"
# The batch paths compile separately: SetMulti kept the compilers at 0.7-0.8 core for its first 90 s (run 21).
# So the smart client's lines are warmed too, until the compilers are nearly idle (at most 4 rounds).
CL="java -cp bench/target/raftcache-bench.jar io.raftcache.bench.ClientLoad --seeds $T --concurrency 50 --keys 20000
    --value-size 1024"
for _ in 1 2 3 4; do
  j0=$(jit); w0=$(date +%s.%N)
  for op in setmulti "getmulti --no-preload true" set "get --no-preload true"; do
    # shellcheck disable=SC2086 # $op carries its flags
    $CL --op $op --batch 32 --consistency LEASE --warmup 15 --duration 1 > /dev/null 2>> "$OUT/lg.err"
  done
  j1=$(jit); w1=$(date +%s.%N)
  jit_cores=$(echo "scale=2; ($j1 - $j0) / $hz / ($w1 - $w0)" | bc)
  echo "warm-up round: JIT $jit_cores cores" >> "$OUT/results.txt"
  [ "$(echo "$jit_cores < 0.05" | bc)" = 1 ] && break
done
leaders() {
  local line="leaders per node:"
  for i in 0 1 2; do
    line="$line n$((i + 1))=$(curl -s "http://127.0.0.1:$((9464 + i))/metrics" | awk '/^raftcache_raft_leaders /{print int($2)}')"
  done
  echo "$line" | tee -a "$OUT/results.txt"
}
leaders
rate_of() { grep -o 'ops/s=[0-9]*' <<< "$1" | cut -d= -f2; }
set_max=$(run $LG --targets $T --op set | tail -1)
lease_max=$(run $LG --targets $T --op get --consistency LEASE | tail -1)
lin_max=$(run $LG --targets $T --op get --consistency LINEARIZABLE --no-preload | tail -1)
set_leader_max=$(run $LG --targets $T --op set --route leader | tail -1)
lease_leader_max=$(run $LG --targets $T --op get --consistency LEASE --no-preload --route leader | tail -1)
run $LG --targets $T --op set --rate $(( $(rate_of "$set_max") / 2 )) > /dev/null
run $LG --targets $T --op get --consistency LEASE --no-preload --rate $(( $(rate_of "$lease_max") / 2 )) > /dev/null
run $LG --targets $T --op get --consistency LINEARIZABLE --no-preload --rate $(( $(rate_of "$lin_max") / 2 )) > /dev/null
# Half of the rate of the leader-routed lines, sent the same way: the latency of the path a smart client takes.
run $LG --targets $T --op set --route leader --rate $(( $(rate_of "$set_leader_max") / 2 )) > /dev/null
run $LG --targets $T --op get --consistency LEASE --no-preload --route leader \
  --rate $(( $(rate_of "$lease_leader_max") / 2 )) > /dev/null
# Smart client (bench/ClientLoad) against a plain stub at one node, and batches of 32 keys.
CL="$CL --warmup 10 --duration 20"
run $LG --targets 127.0.0.1:7070 --op set > /dev/null
run $LG --targets 127.0.0.1:7070 --op get --consistency LEASE --no-preload > /dev/null
run $CL --op set > /dev/null
run $CL --op get --consistency LEASE > /dev/null
run $CL --op getmulti --batch 32 --consistency LEASE > /dev/null
run $CL --op setmulti --batch 32 > /dev/null
run $CL --op get --consistency LEASE --auto-batch-ms 1 > /dev/null
run $CL --op set --auto-batch-ms 1 > /dev/null
# The same client completing its futures on the transport threads (opt-in, see docs/clients.md).
run $CL --op get --consistency LEASE --transport-callbacks true > /dev/null
run $CL --op getmulti --batch 32 --consistency LEASE --transport-callbacks true > /dev/null
run $CL --op set --transport-callbacks true > /dev/null
leaders
redis
echo "results in $OUT/results.txt"
