package io.raftcache.node.testing;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.storage.PartitionStoreFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Builds nodes for tests: small, in-process, on a given clock. */
public final class TestNodes {
  private TestNodes() {}

  /** A config with 8 partitions, a 64 MiB budget and 1 MiB values, metrics disabled. */
  public static NodeConfig config(Path dataDir) {
    return config(dataDir, NamespaceDefaults.none());
  }

  /** {@link #config(Path)} with per-namespace defaults. */
  public static NodeConfig config(Path dataDir, NamespaceDefaults namespaces) {
    return new NodeConfig("test-node", "127.0.0.1", 0, -1, dataDir, 64L << 20, 1 << 20, 1024, 8,
        namespaces, Duration.ofHours(1), Duration.ofSeconds(1), false);
  }

  /** Starts {@code config} on an in-process server named {@code name}. */
  public static RaftCacheNode inProcess(String name, NodeConfig config, Clock clock, PartitionStoreFactory stores)
      throws IOException {
    return RaftCacheNode.start(config, clock, stores, InProcessServerBuilder.forName(name).directExecutor());
  }

  /** A channel to the in-process server {@code name}. */
  public static ManagedChannel channel(String name) {
    return InProcessChannelBuilder.forName(name).directExecutor().build();
  }
}
