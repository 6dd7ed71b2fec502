package io.raftcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.ClusterPeer;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.Topology;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
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

/** The smart client against a real 3-node cluster on loopback, through the loss of the busiest leader. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SmartClientClusterIT {
  static final int PARTITIONS = 4;
  static final Duration LOAD = Duration.ofSeconds(10);

  @TempDir Path dir;
  final List<ClusterPeer> peers = new ArrayList<>();
  final Map<String, RaftCacheNode> nodes = new ConcurrentHashMap<>();

  @AfterEach
  void stopAll() {
    nodes.values().forEach(RaftCacheNode::close);
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
    for (ClusterPeer peer : peers) {
      int port = Integer.parseInt(peer.clientAddress().split(":")[1]);
      Path data = dir.resolve(peer.nodeId());
      NodeConfig config = new NodeConfig(peer.nodeId(), "127.0.0.1", port, -1, data, 64L << 20, 1 << 20, 1024,
          PARTITIONS, NamespaceDefaults.none(), Duration.ofHours(1), Duration.ofSeconds(1), false, "it", peers, false,
          Duration.ofMinutes(5), List.of(), 3, "local", "local");
      nodes.put(peer.nodeId(), RaftCacheNode.start(config, Clock.systemUTC(),
          PartitionStoreFactory.chronicle(data.resolve("partitions")),
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))));
    }
  }

  @Test
  void killingTheBusiestLeaderUnderLoadFailsNoRetriableCallAndLosesNoAcknowledgedWrite() throws Exception {
    startCluster();
    try (RaftCacheClient client = RaftCacheClient.newBuilder()
        .seeds(peers.stream().map(ClusterPeer::clientAddress).toArray(String[]::new))
        .namespace("app").defaultDeadline(Duration.ofSeconds(5)).build()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> client.sync().setString("ready", "yes", SetOptions.DEFAULT) > 0);

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
      nodes.remove(victim).close();
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

  String busiestLeader() {
    String any = nodes.values().iterator().next().config().nodeId();
    ClusterPeer peer = peers.stream().filter(p -> p.nodeId().equals(any)).findFirst().orElseThrow();
    io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
        .forTarget(peer.clientAddress()).usePlaintext().build();
    try {
      Topology t = ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .getTopology(GetTopologyRequest.getDefaultInstance());
      Map<String, Integer> led = new HashMap<>();
      for (PartitionAssignment a : t.getPartitionsList()) {
        led.merge(a.getLeader(), 1, Integer::sum);
      }
      return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    } finally {
      channel.shutdownNow();
    }
  }
}
