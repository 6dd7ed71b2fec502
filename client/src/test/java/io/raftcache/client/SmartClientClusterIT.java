package io.raftcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcache.node.config.ClusterPeer;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.Topology;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smart client against a real 3-node cluster (three node processes from the packaged jar, on loopback),
 * through a SIGKILL of the busiest leader.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SmartClientClusterIT {
  static final int PARTITIONS = 4;
  static final Duration LOAD = Duration.ofSeconds(10);

  @TempDir Path dir;
  final List<ClusterPeer> peers = new ArrayList<>();
  final Map<String, Process> nodes = new ConcurrentHashMap<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : nodes.values()) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  void startCluster() throws Exception {
    for (int i = 1; i <= 3; i++) {
      peers.add(new ClusterPeer("n" + i, "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort()));
    }
    String peerList = String.join(",", peers.stream()
        .map(p -> p.nodeId() + "=127.0.0.1:" + port(p.clientAddress()) + ":" + port(p.raftAddress())).toList());
    for (ClusterPeer peer : peers) {
      List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "@" + System.getProperty("raftcache.jvmOptionsFile"), "-Xmx256m", "-jar", System.getProperty("raftcache.nodeJar"),
          "node", "--node-id", peer.nodeId(), "--port", String.valueOf(port(peer.clientAddress())), "--metrics-port", "-1",
          "--data-dir", dir.resolve(peer.nodeId()).toString(), "--cluster-id", "it", "--peers", peerList,
          "--partitions", String.valueOf(PARTITIONS), "--max-memory", "64MiB", "--max-value-bytes", "1MiB", "--auth", "open");
      nodes.put(peer.nodeId(), new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(peer.nodeId() + ".log").toFile())).start());
    }
  }

  static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  @Test
  void killingTheBusiestLeaderUnderLoadFailsNoRetriableCallAndLosesNoAcknowledgedWrite() throws Exception {
    startCluster();
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(this::leadersKnown); // the processes start
    try (RaftCacheClient client = RaftCacheClient.newBuilder()
        .seeds(peers.stream().map(ClusterPeer::clientAddress).toArray(String[]::new))
        .namespace("app").defaultDeadline(Duration.ofSeconds(5)).build()) {
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> client.sync().setString("ready", "yes", SetOptions.DEFAULT) > 0 && leadersKnown());
      // A client that completes its futures on the transport threads works the same (bench's fastest setting).
      try (RaftCacheClient direct = RaftCacheClient.newBuilder()
          .seeds(peers.stream().map(ClusterPeer::clientAddress).toArray(String[]::new))
          .namespace("app").defaultDeadline(Duration.ofSeconds(5)).completeOnTransportThreads(true).build()) {
        Map<String, byte[]> batch = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 64; i++) {
          batch.put("direct-" + i, ("d" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(direct.sync().setMulti(batch, Duration.ZERO)).hasSize(64);
        List<java.util.Optional<CacheEntry>> read = direct.getMulti(List.copyOf(batch.keySet()))
            .join();
        for (int i = 0; i < 64; i++) {
          assertThat(new String(read.get(i).orElseThrow().value(), java.nio.charset.StandardCharsets.UTF_8))
              .isEqualTo("d" + i);
        }
        assertThat(client.sync().getString("direct-7")).contains("d7");
      }

      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      long start = System.nanoTime();
      long endAt = start + LOAD.toNanos();
      List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int worker = w;
        Thread t = new Thread(() -> {
          for (int i = 0; System.nanoTime() < endAt; i++) {
            String key = "w" + worker + "-" + i;
            try {
              client.sync().setString(key, "v" + i, SetOptions.DEFAULT);
              acknowledged.put(key, "v" + i);
              if (i % 4 == 0) {
                assertThat(client.sync().getString(key)).contains("v" + i); // read-your-write, LINEARIZABLE
              }
            } catch (RuntimeException | AssertionError e) {
              failures.add(e);
            }
          }
        }, "load-" + w);
        t.start();
        workers.add(t);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() >= 200);
      String victim = busiestLeader();
      nodes.remove(victim).destroyForcibly(); // SIGKILL
      long killedAt = System.nanoTime();
      for (Thread t : workers) { // they stop on their own when the load period ends
        t.join(LOAD.toMillis() + 30_000);
      }
      System.out.printf("smart client: %d writes acknowledged in %d ms, leader %s stopped after %d ms, failures %s%n",
          acknowledged.size(), (System.nanoTime() - start) / 1_000_000, victim, (killedAt - start) / 1_000_000,
          failures.stream().map(String::valueOf).limit(5).toList());
      assertThat(failures).as("failed calls (every one was retriable)").isEmpty();

      List<String> keys = new ArrayList<>(acknowledged.keySet());
      for (int from = 0; from < keys.size(); from += 500) {
        List<String> batch = keys.subList(from, Math.min(keys.size(), from + 500));
        List<java.util.Optional<CacheEntry>> read = client.sync().getMulti(batch);
        for (int i = 0; i < batch.size(); i++) {
          assertThat(read.get(i)).as(batch.get(i)).isPresent();
          assertThat(read.get(i).get().valueAsString()).as(batch.get(i)).isEqualTo(acknowledged.get(batch.get(i)));
        }
      }
    }
  }

  boolean leadersKnown() {
    return peers.stream().allMatch(p -> {
      Topology t = topologyFrom(p);
      return t.getPartitionsCount() == PARTITIONS && t.getPartitionsList().stream().noneMatch(a -> a.getLeader().isEmpty());
    });
  }

  String busiestLeader() {
    Map<String, Integer> led = new HashMap<>();
    for (PartitionAssignment a : topologyFrom(peers.get(0)).getPartitionsList()) {
      led.merge(a.getLeader(), 1, Integer::sum);
    }
    return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  static Topology topologyFrom(ClusterPeer peer) {
    io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
        .forTarget(peer.clientAddress()).usePlaintext().build();
    try {
      return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .getTopology(GetTopologyRequest.getDefaultInstance());
    } finally {
      channel.shutdownNow();
    }
  }
}
