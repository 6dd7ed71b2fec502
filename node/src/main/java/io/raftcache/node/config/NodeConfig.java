package io.raftcache.node.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything a node is started with.
 *
 * @param nodeId stable id of this node
 * @param host address the gRPC and metrics ports bind to
 * @param port gRPC port (0 picks a free one)
 * @param metricsPort HTTP port for /metrics, /healthz, /readyz (0 picks a free one, -1 disables)
 * @param dataDir where partition stores and their files live
 * @param maxMemoryBytes bytes of keys and values the node may store; eviction keeps it below
 * @param maxValueBytes largest value accepted
 * @param averageValueBytes expected value size, used to size Chronicle Map
 * @param partitionCount P
 * @param namespaces per-namespace defaults
 * @param expiryInterval how often the expiry sweeper visits the next segment of each partition
 * @param accessResolution how stale an entry's access time may get before a read rewrites it
 * @param jvmMetrics whether /metrics also exports JVM metrics
 */
public record NodeConfig(
    String nodeId,
    String host,
    int port,
    int metricsPort,
    Path dataDir,
    long maxMemoryBytes,
    int maxValueBytes,
    int averageValueBytes,
    int partitionCount,
    NamespaceDefaults namespaces,
    Duration expiryInterval,
    Duration accessResolution,
    boolean jvmMetrics) {

  public NodeConfig {
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("node id must not be blank");
    }
    if (partitionCount < 1 || partitionCount > 4096) {
      throw new IllegalArgumentException("partitions must be 1..4096, got " + partitionCount);
    }
    if (maxValueBytes < 1 || maxValueBytes > 256 * 1024 * 1024) {
      throw new IllegalArgumentException("max value bytes must be 1 B..256 MiB, got " + maxValueBytes);
    }
    if (averageValueBytes < 1) {
      throw new IllegalArgumentException("average value bytes must be positive");
    }
    if (expiryInterval.isNegative() || expiryInterval.isZero()) {
      throw new IllegalArgumentException("expiry interval must be positive");
    }
  }

  /** The per-partition share of the memory budget. */
  public long partitionBudgetBytes() {
    return maxMemoryBytes / partitionCount;
  }
}
