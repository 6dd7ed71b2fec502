#!/usr/bin/env bash
# A/B of two node builds on reads: a 3-node dev cluster of JAR, warmed up 40 s, then Get LEASE and GetMulti 32
# (LEASE) twice for 20 s each with the smart client. Usage: bash bench/ab-reads.sh LABEL JAR (from the repository root;
# needs the bench jar). Run it for each build, alternating, as docs/benchmarks.md run 7 did.
set -u
cd "$(dirname "$0")/.."
LABEL=$1; JAR=$2
DATA=$(mktemp -d /tmp/rc-ab.XXXX)
T=127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072
java @jvm.options -jar "$JAR" dev --data-dir "$DATA" > "$DATA/dev.log" 2>&1 &
DEV=$!
for i in $(seq 1 120); do grep -q "cluster ready" "$DATA/dev.log" && break; sleep 1; done
sleep 10
CL="java -cp bench/target/raftcache-bench.jar io.raftcache.bench.ClientLoad --seeds $T --keys 20000 --value-size 1024 --concurrency 50"
$CL --op getmulti --warmup 0 --duration 0 > /dev/null 2>&1
$CL --op get --consistency LEASE --no-preload true --warmup 40 --duration 1 > /dev/null 2>&1
for op in get getmulti get getmulti; do
  echo "$LABEL [$(cut -d' ' -f1 /proc/loadavg)] $($CL --op $op --consistency LEASE --no-preload true --warmup 5 --duration 20 2>/dev/null | tail -1)"
done
kill $DEV; wait $DEV 2>/dev/null; rm -rf "$DATA"
