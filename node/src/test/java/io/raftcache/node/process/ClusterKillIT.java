package io.raftcache.node.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.raftcache.proto.Partitioning;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.SetRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes under concurrent writes; the leader of the busiest partitions is killed with SIGKILL.
 *
 * <p>About half a minute with the default 1000 writes; {@code mvn -B verify -Pchaos} runs it with 20,000 (several
 * minutes). Node logs are kept under {@code node/target/chaos-logs/}.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class ClusterKillIT {
  static final int PARTITIONS = 4;
  static final int WRITERS = 4;
  /** 1000 in the default build; the chaos profile raises it for a longer run under the same kill. */
  static final int WRITES = Integer.getInteger("raftcache.killWrites", 1000);

  @TempDir Path dir;
  NodeProcessCluster cluster;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void acknowledgedWritesSurviveKillNineOfTheBusiestLeader() throws Exception {
    cluster = new NodeProcessCluster(3, dir, Path.of("target", "chaos-logs"), "cluster-kill-",
        List.of("--cluster-id", "kill-it", "--partitions", String.valueOf(PARTITIONS), "--max-memory", "64MiB",
            "--max-value-bytes", "1MiB"));
    cluster.startAll();
    cluster.awaitServingWithLeaders(cluster.ids());

    Map<String, Long> led = new HashMap<>();
    for (PartitionAssignment a : ClusterGrpc.newBlockingStub(cluster.channel("n1"))
        .getTopology(GetTopologyRequest.getDefaultInstance()).getPartitionsList()) {
      led.merge(a.getLeader(), 1L, Long::sum);
    }
    String victim = led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    List<String> survivors = cluster.ids().stream().filter(id -> !id.equals(victim)).sorted().toList();

    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    AtomicLong killedAt = new AtomicLong();
    Map<Integer, Long> firstAckAfterKill = new ConcurrentHashMap<>();
    AtomicInteger failedAttempts = new AtomicInteger();
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      done.add(writers.submit(() -> {
        for (int i = next.getAndIncrement(); i < WRITES; i = next.getAndIncrement()) {
          String key = "k" + i;
          String value = "v" + i + "-w" + writer;
          for (int attempt = 0; ; attempt++) {
            // Before the kill, writes go through every node; after it, through the survivors.
            List<String> targets = killedAt.get() == 0 ? List.of("n1", "n2", "n3") : survivors;
            String via = targets.get((i + attempt) % targets.size());
            try {
              CacheGrpc.newBlockingStub(cluster.channel(via)).withDeadlineAfter(10, TimeUnit.SECONDS)
                  .set(SetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8(key))
                      .setValue(ByteString.copyFromUtf8(value)).build());
              acknowledged.put(key, value);
              long kill = killedAt.get();
              if (kill != 0) {
                firstAckAfterKill.putIfAbsent(Partitioning.partitionOf("app", key.getBytes(), PARTITIONS), System.nanoTime());
              }
              break;
            } catch (RuntimeException e) {
              failedAttempts.incrementAndGet(); // not acknowledged: try again (an unconditional Set is idempotent)
              assertThat(attempt).as("attempts for %s", key).isLessThan(50);
            }
          }
          if (i == WRITES / 2) {
            cluster.kill(victim); // SIGKILL mid-load
            killedAt.set(System.nanoTime());
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get(3, TimeUnit.MINUTES);
    }
    writers.shutdown();
    assertThat(cluster.kill(victim).waitFor(10, TimeUnit.SECONDS)).isTrue();
    cluster.dropChannel(victim);

    long windowMs = firstAckAfterKill.values().stream().mapToLong(t -> (t - killedAt.get()) / 1_000_000).max().orElseThrow();
    System.out.printf("kill -9 of %s (leader of %d/%d partitions) under %d concurrent writers: writes to every"
        + " partition resumed within %d ms; %d attempts failed and were retried; %d writes acknowledged%n",
        victim, led.get(victim), PARTITIONS, WRITERS, windowMs, failedAttempts.get(), acknowledged.size());
    assertThat(acknowledged).hasSize(WRITES);
    assertThat(firstAckAfterKill).hasSize(PARTITIONS);

    long readsFrom = System.nanoTime();
    Map<String, Integer> readFailures = new ConcurrentHashMap<>();
    for (String id : survivors) {
      CacheGrpc.CacheBlockingStub cache = CacheGrpc.newBlockingStub(cluster.channel(id));
      for (Map.Entry<String, String> e : acknowledged.entrySet()) {
        GetRequest request = GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8(e.getKey()))
            .setConsistency(Consistency.LINEARIZABLE).build();
        String value = await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
            .until(() -> {
              try {
                return cache.withDeadlineAfter(5, TimeUnit.SECONDS).get(request).getValue().toStringUtf8();
              } catch (RuntimeException failure) {
                readFailures.merge(id + " " + io.grpc.Status.fromThrowable(failure).getCode(), 1, Integer::sum);
                throw failure;
              }
            }, v -> v != null);
        assertThat(value).as("%s on %s", e.getKey(), id).isEqualTo(e.getValue());
      }
    }
    System.out.printf("all %d acknowledged writes read back LINEARIZABLE from %s in %d ms; failed read attempts: %s%n",
        acknowledged.size(), survivors, (System.nanoTime() - readsFrom) / 1_000_000, readFailures);
  }
}
