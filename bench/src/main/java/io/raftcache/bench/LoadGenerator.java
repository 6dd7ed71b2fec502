package io.raftcache.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.raftcache.proto.Partitioning;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.Member;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.Topology;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.SetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop (or paced) gRPC load generator against a running raftcache cluster.
 *
 * <pre>
 * java -cp bench/target/raftcache-bench.jar io.raftcache.bench.LoadGenerator \
 *   --targets 127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072 --op get --consistency LEASE \
 *   --concurrency 50 --duration 20 --warmup 5 --keys 100000 --value-size 1024 [--rate 5000] [--deadline-ms 5000]
 *   [--route leader] [--slow-calls slow.csv [--slow-ms 5]]
 * </pre>
 *
 * One channel per target; calls go to the targets round robin, or with {@code --route leader} to each key's
 * partition leader as the topology named it at the start (keys routed with proto/ROUTING.md). At most {@code --concurrency} calls are
 * outstanding (a semaphore), so nothing queues without bound. Latency is recorded per call in microseconds, from
 * issue to completion, only for calls issued inside the measurement window. With {@code --rate} calls are issued at
 * fixed intervals (still capped by the semaphore; {@link IssueSchedule}), the schedule starting afresh when the
 * measured window opens; issues more than 1 ms behind schedule are counted as "late".
 * The line ends with this JVM's own collections and their time over the measured window ({@code gc=N/Mms}), since
 * the generator's pauses count in the latencies too.
 * With {@code --slow-calls FILE} the measured calls slower than {@code --slow-ms} are kept ({@link SlowCalls}, at
 * most 100,000), written to FILE as CSV (wall-clock issue time, latency, partition, node) and summarised as bursts
 * on stderr, so a tail can be told apart: one slow partition or node, or the whole machine stalling.
 * For {@code --op get} the keyspace is first loaded with sets.
 */
public final class LoadGenerator {

  private static void usage(String msg) {
    System.err.println("error: " + msg);
    System.err.println("usage: LoadGenerator --targets h:p[,h:p...] --op get|set [--consistency LINEARIZABLE|LEASE|STALE]"
        + " [--concurrency 50] [--duration 20] [--warmup 5] [--keys 100000] [--value-size 1024] [--rate ops/s]"
        + " [--deadline-ms 5000] [--namespace bench] [--no-preload] [--route round-robin|leader]"
        + " [--slow-calls FILE] [--slow-ms 5]");
    System.exit(2);
  }

  public static void main(String[] args) throws Exception {
    List<String> targets = new ArrayList<>();
    String op = null;
    Consistency consistency = Consistency.LINEARIZABLE;
    int concurrency = 50;
    double duration = 20;
    double warmup = 5;
    int keys = 100_000;
    int valueSize = 1024;
    double rate = 0;
    long deadlineMs = 5000;
    String namespace = "bench";
    boolean preload = true;
    boolean routeToLeader = false;
    Path slowCallsFile = null;
    double slowMs = 5;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--no-preload")) {
          preload = false;
          continue;
        }
        if (i + 1 >= args.length) {
          usage("missing value for " + a);
        }
        String v = args[++i];
        switch (a) {
          case "--targets" -> {
            for (String t : v.split(",")) {
              if (!t.isBlank()) {
                targets.add(t.trim());
              }
            }
          }
          case "--op" -> op = v.toLowerCase(Locale.ROOT);
          case "--consistency" -> consistency = Consistency.valueOf(v.toUpperCase(Locale.ROOT));
          case "--concurrency" -> concurrency = Integer.parseInt(v);
          case "--duration" -> duration = Double.parseDouble(v);
          case "--warmup" -> warmup = Double.parseDouble(v);
          case "--keys" -> keys = Integer.parseInt(v);
          case "--value-size" -> valueSize = Integer.parseInt(v);
          case "--rate" -> rate = Double.parseDouble(v);
          case "--deadline-ms" -> deadlineMs = Long.parseLong(v);
          case "--namespace" -> namespace = v;
          case "--slow-calls" -> slowCallsFile = Path.of(v);
          case "--slow-ms" -> slowMs = Double.parseDouble(v);
          case "--route" -> {
            if (!v.equals("leader") && !v.equals("round-robin")) {
              usage("--route is leader or round-robin");
            }
            routeToLeader = v.equals("leader");
          }
          default -> usage("unknown option " + a);
        }
      }
    } catch (IllegalArgumentException e) {
      usage(e.toString());
    }
    if (targets.isEmpty()) {
      usage("--targets is required");
    }
    if (!"get".equals(op) && !"set".equals(op)) {
      usage("--op must be get or set");
    }
    if (concurrency < 1 || keys < 1 || valueSize < 0 || duration <= 0 || warmup < 0 || rate < 0 || deadlineMs < 1
        || !(slowMs >= 0)) {
      usage("bad numeric option");
    }

    SlowCalls slowCalls = slowCallsFile == null ? null
        : new SlowCalls((long) (slowMs * 1000), SLOW_CALLS_KEPT);
    LoadGenerator gen = new LoadGenerator(targets, namespace, keys, valueSize, concurrency, deadlineMs, slowCalls);
    int rc;
    try {
      if (!gen.probe()) {
        rc = 3;
      } else {
        if (routeToLeader || slowCalls != null) {
          gen.readTopology(routeToLeader); // slow calls are recorded with their partition
        }
        if ("get".equals(op) && preload) {
          if (!gen.preload()) {
            gen.close();
            System.exit(4);
          }
        }
        gen.run("get".equals(op), consistency, warmup, duration, rate);
        if (slowCalls != null) {
          // The wall clock at nanoTime zero, so the CSV's issue times join with other tools' timestamps.
          long epochNanosAtZero = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
          slowCalls.writeCsv(slowCallsFile, epochNanosAtZero);
          System.err.println(slowCalls.summary(BURST_GAP_NANOS, gen.partitionCount) + "; written to " + slowCallsFile);
        }
        rc = 0;
      }
    } finally {
      gen.close();
    }
    System.exit(rc);
  }

  /** Slow calls kept at most: 100,000 records of ~60 bytes. */
  private static final int SLOW_CALLS_KEPT = 100_000;
  /** Slow calls issued closer than this belong to one burst. */
  private static final long BURST_GAP_NANOS = 5_000_000L;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Route> routes = new ArrayList<>();
  private final AtomicLong rr = new AtomicLong();
  private final String namespace;
  private final int keys;
  private final ByteString[] keyBytes;
  private final ByteString value;
  private final int concurrency;
  private final Semaphore permits;
  private final long deadlineMs;
  private final SlowCalls slowCalls;
  /** Partitions in the topology read at the start; 0 if it was not read (partitions are then not computed). */
  private int partitionCount;
  /** Per partition, its leader; null unless --route leader. */
  private Route[] leaderRoutes;

  /** Where a call goes: a stub and the name of its node, for the slow-call record. */
  private record Route(CacheGrpc.CacheStub stub, String target) {}

  private LoadGenerator(List<String> targets, String namespace, int keys, int valueSize, int concurrency,
      long deadlineMs, SlowCalls slowCalls) {
    for (String t : targets) {
      ManagedChannel ch = NettyChannelBuilder.forTarget(t).usePlaintext().directExecutor()
          .maxInboundMessageSize(16 * 1024 * 1024).build();
      channels.add(ch);
      routes.add(new Route(CacheGrpc.newStub(ch), t));
    }
    this.slowCalls = slowCalls;
    this.namespace = namespace;
    this.keys = keys;
    this.keyBytes = new ByteString[keys];
    for (int i = 0; i < keys; i++) {
      keyBytes[i] = ByteString.copyFrom(String.format("key:%08d", i), StandardCharsets.US_ASCII);
    }
    byte[] v = new byte[valueSize];
    new Random(42).nextBytes(v);
    this.value = ByteString.copyFrom(v);
    this.concurrency = concurrency;
    this.permits = new Semaphore(concurrency);
    this.deadlineMs = deadlineMs;
  }

  private Route nextRoute() {
    return routes.get((int) (rr.getAndIncrement() % routes.size()));
  }

  private CacheGrpc.CacheStub nextStub() {
    return nextRoute().stub().withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
  }

  /** The key's partition, or -1 if the topology was not read. */
  private int partitionOf(ByteString key) {
    return partitionCount == 0 ? -1 : Partitioning.partitionOf(namespace, key.toByteArray(), partitionCount);
  }

  /** Where a call for {@code partition} goes: its leader when routing to leaders, else the next target. */
  private Route routeFor(int partition) {
    return leaderRoutes == null ? nextRoute() : leaderRoutes[partition];
  }

  /**
   * Reads the topology once for its partition count and, with {@code toLeaders}, sends each key to its partition's
   * leader (what a smart client does), so no call is forwarded while leaders stay put. A leader change during the
   * run only costs a forwarding hop.
   */
  private void readTopology(boolean toLeaders) {
    Topology topology = ClusterGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getTopology(GetTopologyRequest.getDefaultInstance());
    partitionCount = topology.getPartitionCount();
    if (!toLeaders) {
      return;
    }
    Map<String, Route> byNode = new java.util.HashMap<>();
    for (Member m : topology.getMembersList()) {
      ManagedChannel ch = NettyChannelBuilder.forTarget(m.getClientAddress()).usePlaintext().directExecutor()
          .maxInboundMessageSize(16 * 1024 * 1024).build();
      channels.add(ch);
      byNode.put(m.getNodeId(), new Route(CacheGrpc.newStub(ch), m.getNodeId()));
    }
    Route[] leaders = new Route[partitionCount];
    for (PartitionAssignment a : topology.getPartitionsList()) {
      leaders[a.getPartition()] = byNode.get(a.getLeader());
    }
    for (int p = 0; p < leaders.length; p++) {
      if (leaders[p] == null) {
        leaders[p] = routes.get(p % routes.size()); // no leader named: any node forwards
      }
    }
    leaderRoutes = leaders;
    System.err.printf(Locale.ROOT, "routing to leaders: epoch %d, %d partitions%n", topology.getEpoch(), leaders.length);
  }

  /** One blocking get per target so an unreachable cluster fails fast. */
  private boolean probe() {
    boolean ok = true;
    for (int i = 0; i < channels.size(); i++) {
      try {
        CacheGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(10, TimeUnit.SECONDS)
            .get(GetRequest.newBuilder().setNamespace(namespace).setKey(keyBytes[0]).build());
      } catch (RuntimeException e) {
        System.err.println("setup: target " + channels.get(i).authority() + " failed a probe get: "
            + Status.fromThrowable(e));
        ok = false;
      }
    }
    return ok;
  }

  /** Sets every key once, with at most {@code concurrency} outstanding calls. */
  private boolean preload() throws InterruptedException {
    LongAdder done = new LongAdder();
    Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
    long t0 = System.nanoTime();
    int step = Math.max(1, keys / 10);
    for (int i = 0; i < keys; i++) {
      permits.acquire();
      SetRequest req = SetRequest.newBuilder().setNamespace(namespace).setKey(keyBytes[i]).setValue(value).build();
      nextStub().set(req, new StreamObserver<SetResponse>() {
        @Override
        public void onNext(SetResponse r) {
        }

        @Override
        public void onError(Throwable t) {
          errors.computeIfAbsent(Status.fromThrowable(t).getCode(), c -> new LongAdder()).increment();
          permits.release();
        }

        @Override
        public void onCompleted() {
          done.increment();
          permits.release();
        }
      });
      if ((i + 1) % step == 0) {
        System.err.printf(Locale.ROOT, "preload: %d/%d issued, %d ok, errors %s, %.1f s%n", i + 1, keys,
            done.sum(), errors, (System.nanoTime() - t0) / 1e9);
      }
    }
    if (!permits.tryAcquire(concurrency, deadlineMs + 10_000, TimeUnit.MILLISECONDS)) {
      System.err.println("setup: preload calls did not finish");
      return false;
    }
    permits.release(concurrency);
    long errs = errors.values().stream().mapToLong(LongAdder::sum).sum();
    System.err.printf(Locale.ROOT, "preload: done, %d ok, %d errors %s in %.1f s%n", done.sum(), errs, errors,
        (System.nanoTime() - t0) / 1e9);
    if (errs > keys / 100) {
      System.err.println("setup: more than 1% of preload sets failed");
      return false;
    }
    return true;
  }

  private void run(boolean get, Consistency consistency, double warmupS, double durationS, double rate)
      throws InterruptedException {
    Histogram hist = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
    Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
    LongAdder ok = new LongAdder();
    Tally tally = new Tally(hist, errors, ok);
    LongAdder misses = new LongAdder();
    long issued = 0;
    SplittableRandom rnd = new SplittableRandom(7);

    long start = System.nanoTime();
    long measureStart = start + (long) (warmupS * 1e9);
    long end = measureStart + (long) (durationS * 1e9);
    IssueSchedule schedule = rate > 0 ? new IssueSchedule(rate, start) : null;
    boolean scheduleRestarted = false;
    GcTime gcAtMeasureStart = null;

    while (true) {
      if (schedule != null) {
        long now = System.nanoTime();
        if (!scheduleRestarted && now >= measureStart) {
          schedule.restart(now); // the warm-up's backlog is not sent as a burst inside the measured window
          scheduleRestarted = true;
        }
        if (schedule.nextDue() >= end) {
          break;
        }
        long wait = schedule.take(now);
        if (wait > 0) {
          LockSupport.parkNanos(wait);
          continue;
        }
      }
      permits.acquire();
      long issue = System.nanoTime();
      if (issue >= end) {
        permits.release();
        break;
      }
      final boolean measured = issue >= measureStart;
      if (measured) {
        issued++;
        if (gcAtMeasureStart == null) {
          gcAtMeasureStart = GcTime.now();
        }
      }
      ByteString key = keyBytes[rnd.nextInt(keys)];
      int partition = partitionOf(key);
      Route route = routeFor(partition);
      CacheGrpc.CacheStub stub = route.stub().withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
      if (get) {
        GetRequest req = GetRequest.newBuilder().setNamespace(namespace).setKey(key).setConsistency(consistency)
            .build();
        stub.get(req, new Completion<GetResponse>(tally, measured, issue, partition, route.target()) {
          @Override
          public void onNext(GetResponse r) {
            if (measured && !r.getFound()) {
              misses.increment();
            }
          }
        });
      } else {
        SetRequest req = SetRequest.newBuilder().setNamespace(namespace).setKey(key).setValue(value).build();
        stub.set(req, new Completion<SetResponse>(tally, measured, issue, partition, route.target()) {});
      }
    }
    boolean drained = permits.tryAcquire(concurrency, deadlineMs + 5_000, TimeUnit.MILLISECONDS);
    GcTime gc = gcAtMeasureStart == null ? GcTime.NONE : GcTime.now().since(gcAtMeasureStart);
    double seconds = durationS;
    long errs = errors.values().stream().mapToLong(LongAdder::sum).sum();
    Map<Status.Code, Long> errMap = new EnumMap<>(Status.Code.class);
    errors.forEach((c, n) -> errMap.put(c, n.sum()));
    String opName = get ? "get(" + consistency + ")" : "set";
    System.out.printf(Locale.ROOT,
        "op=%s targets=%d concurrency=%d rate=%s ops/s=%.0f p50=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms"
            + " ok=%d issued=%d errors=%d %s%s%s %s%s%n",
        opName, routes.size(), concurrency, rate > 0 ? String.format(Locale.ROOT, "%.0f", rate) : "max",
        ok.sum() / seconds, hist.getValueAtPercentile(50) / 1000.0, hist.getValueAtPercentile(99) / 1000.0,
        hist.getValueAtPercentile(99.9) / 1000.0, hist.getMaxValue() / 1000.0, ok.sum(), issued, errs,
        errMap.isEmpty() ? "" : errMap.toString(), get ? " misses=" + misses.sum() : "",
        schedule != null ? " late=" + schedule.late() : "", gc.format(), drained ? "" : " (calls still outstanding at exit)");
  }

  private void close() throws InterruptedException {
    for (ManagedChannel ch : channels) {
      ch.shutdownNow();
    }
    for (ManagedChannel ch : channels) {
      ch.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Where the measured phase counts latencies, successes and errors by code. */
  private record Tally(Histogram hist, Map<Status.Code, LongAdder> errors, LongAdder ok) {}

  /** Counts one call's outcome and latency, and frees its concurrency permit, whatever the response type. */
  private abstract class Completion<T> implements StreamObserver<T> {
    private final Tally tally;
    private final boolean measured;
    private final long issue;
    private final int partition;
    private final String target;

    Completion(Tally tally, boolean measured, long issue, int partition, String target) {
      this.tally = tally;
      this.measured = measured;
      this.issue = issue;
      this.partition = partition;
      this.target = target;
    }

    @Override
    public void onNext(T response) {}

    @Override
    public void onError(Throwable t) {
      if (measured) {
        tally.errors().computeIfAbsent(Status.fromThrowable(t).getCode(), c -> new LongAdder()).increment();
      }
      permits.release();
    }

    @Override
    public void onCompleted() {
      if (measured) {
        long micros = Math.max(1, (System.nanoTime() - issue) / 1000);
        tally.hist().recordValue(micros);
        tally.ok().increment();
        if (slowCalls != null) {
          slowCalls.offer(issue, micros, partition, target);
        }
      }
      permits.release();
    }
  }
}
