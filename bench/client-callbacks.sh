#!/usr/bin/env bash
# Smart client with and without --transport-callbacks on one warmed 3-node dev cluster, paired lines, Redis at both
# ends (docs/benchmarks.md, run 8). Usage: bash bench/client-callbacks.sh (needs the node and bench jars).
cd "$(dirname "$0")/.."
DATA=$(mktemp -d /tmp/rc-cb.XXXX)
T=127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072
java @jvm.options -jar node/target/raftcache-node.jar dev --data-dir "$DATA" > "$DATA/dev.log" 2>&1 &
DEV=$!
for i in $(seq 1 120); do grep -q "cluster ready" "$DATA/dev.log" && break; sleep 1; done
sleep 10
CL="java -cp bench/target/raftcache-bench.jar io.raftcache.bench.ClientLoad --seeds $T --keys 20000 --value-size 1024 --concurrency 50"
$CL --op getmulti --warmup 0 --duration 0 > /dev/null 2>&1
$CL --op get --consistency LEASE --no-preload true --warmup 40 --duration 1 > /dev/null 2>&1
redis-benchmark -h 127.0.0.1 -p 6379 -t set,get -c 50 -d 1024 -r 20000 -n 300000 --csv
for round in 1 2; do
  for tc in false true; do
    for op in get getmulti; do
      echo "[$(cut -d' ' -f1 /proc/loadavg)] $($CL --op $op --consistency LEASE --no-preload true --warmup 5 --duration 20 --transport-callbacks $tc 2>/dev/null | tail -1)"
    done
  done
done
redis-benchmark -h 127.0.0.1 -p 6379 -t set,get -c 50 -d 1024 -r 20000 -n 300000 --csv
kill $DEV; wait $DEV 2>/dev/null; rm -rf "$DATA"

