package io.raftcache.bench;

import io.raftcache.client.RaftCacheClient;
import io.raftcache.proto.v1.Consistency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load through the smart Java client ({@link RaftCacheClient}): single-key get/set, or batches.
 *
 * <pre>
 * java -cp bench/target/raftcache-bench.jar io.raftcache.bench.ClientLoad --seeds 127.0.0.1:7070 \
 *   --op get|set|getmulti|setmulti [--batch 32] [--consistency LEASE] [--concurrency 50] [--duration 20]
 *   [--warmup 10] [--keys 20000] [--value-size 1024] [--auto-batch-ms 0.5] [--no-preload true] [--transport-callbacks true]
 * </pre>
 *
 * At most {@code --concurrency} calls are outstanding. Prints calls/s and keys/s (they differ for batches) and
 * the latency of calls issued after the warm-up, then this JVM's own collections over that window
 * ({@code gc=N/Mms}). For get and getmulti the keyspace is first loaded with SetMulti.
 */
public final class ClientLoad {
  private ClientLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>(Map.of("--op", "get", "--batch", "32", "--consistency", "LINEARIZABLE",
        "--concurrency", "50", "--duration", "20", "--warmup", "10", "--keys", "20000", "--value-size", "1024"));
    o.put("--auto-batch-ms", "0");
    o.put("--no-preload", "false");
    o.put("--transport-callbacks", "false");
    String seeds = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--seeds")) {
        seeds = args[i + 1];
      } else if (o.containsKey(args[i])) {
        o.put(args[i], args[i + 1]);
      } else {
        System.err.println("unknown option " + args[i]);
        System.exit(2);
      }
    }
    if (seeds == null) {
      System.err.println("usage: ClientLoad --seeds h:p[,h:p] --op get|set|getmulti|setmulti [options]");
      System.exit(2);
    }
    String op = o.get("--op");
    int batch = Integer.parseInt(o.get("--batch"));
    int concurrency = Integer.parseInt(o.get("--concurrency"));
    int keys = Integer.parseInt(o.get("--keys"));
    byte[] value = new byte[Integer.parseInt(o.get("--value-size"))];
    new Random(42).nextBytes(value);
    String[] keyNames = new String[keys];
    for (int i = 0; i < keys; i++) {
      keyNames[i] = String.format("key:%08d", i);
    }
    RaftCacheClient.Builder builder = RaftCacheClient.newBuilder().seeds(seeds.split(",")).namespace("bench")
        .defaultConsistency(Consistency.valueOf(o.get("--consistency"))).defaultDeadline(Duration.ofSeconds(5))
        .completeOnTransportThreads(Boolean.parseBoolean(o.get("--transport-callbacks")));
    double autoBatchMs = Double.parseDouble(o.get("--auto-batch-ms"));
    if (autoBatchMs > 0) {
      builder.autoBatch(Duration.ofNanos((long) (autoBatchMs * 1e6)), 64);
    }
    try (RaftCacheClient client = builder.build()) {
      if (op.startsWith("get") && !Boolean.parseBoolean(o.get("--no-preload"))) {
        for (int from = 0; from < keys; from += 500) {
          Map<String, byte[]> entries = new LinkedHashMap<>();
          for (int i = from; i < Math.min(keys, from + 500); i++) {
            entries.put(keyNames[i], value);
          }
          client.setMulti(entries, Duration.ZERO).join();
        }
      }
      Histogram hist = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
      LongAdder calls = new LongAdder();
      LongAdder keysDone = new LongAdder();
      LongAdder errors = new LongAdder();
      Semaphore permits = new Semaphore(concurrency);
      SplittableRandom rnd = new SplittableRandom(7);
      long start = System.nanoTime();
      long measureFrom = start + (long) (Double.parseDouble(o.get("--warmup")) * 1e9);
      double seconds = Double.parseDouble(o.get("--duration"));
      long end = measureFrom + (long) (seconds * 1e9);
      GcTime gcAtMeasureStart = null;
      while (true) {
        permits.acquire();
        long issue = System.nanoTime();
        if (issue >= end) {
          permits.release();
          break;
        }
        boolean measured = issue >= measureFrom;
        if (measured && gcAtMeasureStart == null) {
          gcAtMeasureStart = GcTime.now();
        }
        int n = op.endsWith("multi") ? batch : 1;
        CompletableFuture<?> call;
        switch (op) {
          case "get" -> call = client.get(keyNames[rnd.nextInt(keys)]);
          case "set" -> call = client.set(keyNames[rnd.nextInt(keys)], value);
          case "getmulti" -> {
            List<String> some = new ArrayList<>(batch);
            while (some.size() < batch) {
              String k = keyNames[rnd.nextInt(keys)];
              if (!some.contains(k)) {
                some.add(k);
              }
            }
            call = client.getMulti(some);
          }
          case "setmulti" -> {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            while (entries.size() < batch) {
              entries.put(keyNames[rnd.nextInt(keys)], value);
            }
            call = client.setMulti(entries, Duration.ZERO);
          }
          default -> throw new IllegalArgumentException("--op must be get, set, getmulti or setmulti");
        }
        call.whenComplete((r, failure) -> {
          if (measured) {
            if (failure == null) {
              hist.recordValue(Math.max(1, (System.nanoTime() - issue) / 1000));
              calls.increment();
              keysDone.add(n);
            } else {
              errors.increment();
            }
          }
          permits.release();
        });
      }
      permits.acquire(concurrency);
      GcTime gc = gcAtMeasureStart == null ? GcTime.NONE : GcTime.now().since(gcAtMeasureStart);
      System.out.printf(Locale.ROOT, "client op=%s%s batch=%d concurrency=%d calls/s=%.0f keys/s=%.0f p50=%.3fms p99=%.3fms"
              + " p99.9=%.3fms errors=%d %s%n", op, (autoBatchMs > 0 ? " auto-batch=" + autoBatchMs + "ms" : "")
              + (Boolean.parseBoolean(o.get("--transport-callbacks")) ? " transport-callbacks" : ""), op.endsWith("multi") ? batch : 1, concurrency, calls.sum() / seconds,
          keysDone.sum() / seconds, hist.getValueAtPercentile(50) / 1000.0, hist.getValueAtPercentile(99) / 1000.0,
          hist.getValueAtPercentile(99.9) / 1000.0, errors.sum(), gc.format());
    }
  }
}
