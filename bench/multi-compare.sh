#!/usr/bin/env bash
# Measures the batch calls (SetMulti, GetMulti) of a 3-node `raftcache dev` cluster beside Redis in the same run,
# with the load average before every line and the CPU time the three nodes spent per 1000 keys (on a shared
# machine throughput follows the other tenants; CPU per key much less so). A shorter companion of cluster-compare.sh.
# Usage: bash bench/multi-compare.sh [output-dir] [node-jar]   (defaults: bench/target/runs/<UTC time>,
#   node/target/raftcache-node.jar; pass another jar to measure an older build with the same client and script)
#   OPS="get set setmulti getmulti" picks the lines (default: setmulti getmulti); get and getmulti read LEASE.
#   WARMUP=<seconds> of load before each measured line (default 10; the nodes' JIT compiles for ~100 s under load).
#   PARTITIONS=<P> starts the dev cluster with P partitions (default: the dev command's default).
# Needs: the node and bench jars built from the reactor (docs/benchmarks.md, run 6), redis-server on 127.0.0.1:6379.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/target/runs/$(date -u +%Y%m%dT%H%M%SZ)}
JAR=${2:-node/target/raftcache-node.jar}
BATCH=${BATCH:-32}
WARMUP=${WARMUP:-10}
OPS=${OPS:-setmulti getmulti}
PARTITIONS=${PARTITIONS:-}
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/raftcache-bench.XXXXXX)
T=127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072

java @jvm.options -jar "$JAR" dev --data-dir "$DATA" ${PARTITIONS:+--partitions "$PARTITIONS"} > "$OUT/dev.log" 2>&1 &
DEV=$!
trap 'kill $DEV 2>/dev/null; wait $DEV 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do grep -q "cluster ready" "$OUT/dev.log" && break; sleep 1; done
grep -q "cluster ready" "$OUT/dev.log" || { echo "dev cluster did not start; see $OUT/dev.log"; exit 1; }
sleep 15 # let elections settle

pids=$(pgrep -f -- " node .*$DATA/n" | tr '\n' ' ')
cpu() { local t=0; for p in $pids; do t=$((t + $(awk '{print $14+$15}' /proc/"$p"/stat))); done; echo $t; }
hz=$(getconf CLK_TCK)
run() {
  echo "+ [$(uptime | sed 's/.*load average/load average/')] $*" >> "$OUT/results.txt"
  local c0 line keys
  c0=$(cpu)
  line=$("$@" 2>> "$OUT/lg.err" | tail -1)
  keys=$(grep -o 'keys/s=[0-9]*' <<< "$line" | cut -d= -f2)
  # ClientLoad runs warm-up + measurement; the node CPU covers both, so divide by keys/s x both
  echo "$line node-cpu-ms-per-1000-keys=$(echo "scale=1; ($(cpu)-$c0)*1000/$hz*1000/($keys*($WARMUP+20))" | bc)" \
    | tee -a "$OUT/results.txt"
}
CL="java -cp bench/target/raftcache-bench.jar io.raftcache.bench.ClientLoad --seeds $T --concurrency 50 --keys 20000
    --value-size 1024 --warmup $WARMUP --duration 20"
echo "jar: $JAR ($(sha1sum "$JAR" | cut -c1-12)), batch $BATCH, partitions ${PARTITIONS:-default}" | tee "$OUT/results.txt"
preloaded=false
preload() { # load every key once, outside the CPU count
  $preloaded || $CL --op getmulti --warmup 0 --duration 0 > /dev/null 2>> "$OUT/lg.err"
  preloaded=true
}
for op in $OPS; do
  case $op in
    setmulti) run $CL --op setmulti --batch "$BATCH" ;;
    getmulti) preload; run $CL --op getmulti --batch "$BATCH" --consistency LEASE --no-preload true ;;
    get) preload; run $CL --op get --consistency LEASE --no-preload true ;;
    set) run $CL --op set ;;
    *) echo "unknown op $op" >&2; exit 2 ;;
  esac
done
echo "+ [$(uptime | sed 's/.*load average/load average/')] redis-benchmark -t set,get -c 50 -d 1024 -r 20000 -n 300000" >> "$OUT/results.txt"
redis-benchmark -h 127.0.0.1 -p 6379 -t set,get -c 50 -d 1024 -r 20000 -n 300000 --csv | tee -a "$OUT/results.txt"
echo "results in $OUT/results.txt"
