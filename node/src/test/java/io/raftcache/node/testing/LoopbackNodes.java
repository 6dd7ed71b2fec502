package io.raftcache.node.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.ClusterPeer;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.storage.PartitionStoreFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Cluster nodes started in the test's JVM on loopback ports, open (no auth), as the in-JVM cluster tests run them. */
public final class LoopbackNodes {
  private LoopbackNodes() {}

  /**
   * Starts {@code peer} with its data under {@code dir/<node id>}, founding a cluster of {@code founders} or
   * joining through {@code join}; raft timers are per node so the nodes in one JVM stay independent.
   */
  public static RaftCacheNode start(Path dir, ClusterPeer peer, List<ClusterPeer> founders, List<String> join,
      Clock clock, long memoryBudget, int partitions, int replicationFactor, String zone) throws IOException {
    int port = Integer.parseInt(peer.clientAddress().split(":")[1]);
    Path data = dir.resolve(peer.nodeId());
    NodeConfig config = new NodeConfig(peer.nodeId(), "127.0.0.1", port, -1, data, memoryBudget, 1 << 20, 1024,
        partitions, NamespaceDefaults.none(), Duration.ofHours(1), Duration.ofSeconds(1), false, "it", founders, false,
        Duration.ofMinutes(5), join, replicationFactor, "local", zone, null, SecuritySettings.OPEN_PLAINTEXT);
    return RaftCacheNode.start(config, clock, PartitionStoreFactory.chronicle(data.resolve("partitions")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)));
  }

  /** A plaintext channel to {@code peer}'s client port. */
  public static ManagedChannel channel(ClusterPeer peer) {
    return NettyChannelBuilder.forTarget(peer.clientAddress()).usePlaintext().build();
  }
}
