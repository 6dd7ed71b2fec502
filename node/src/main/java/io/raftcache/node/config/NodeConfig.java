package io.raftcache.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
 * @param clusterId id of the cluster ("local" for a single node)
 * @param peers every member of a replicated cluster, this node included; empty for a single node
 * @param sharedRaftTimers share jraft's timer pools between groups (off only for several nodes in one JVM)
 * @param snapshotInterval how often each raft group snapshots its store and truncates its log
 * @param join client addresses (host:port) of members of an existing cluster to join; empty (or only this node's
 *     own address) to found one from {@code peers} (a joining node lists only itself in {@code peers})
 * @param replicationFactor R, recorded when the cluster is founded
 * @param region this node's region label
 * @param zone this node's zone label
 * @param postgres where the config and audit database is, or null to keep config from flags and audit in the
 *     local spool only
 * @param security authentication mode, cluster secret and TLS files
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
    boolean jvmMetrics,
    String clusterId,
    List<ClusterPeer> peers,
    boolean sharedRaftTimers,
    Duration snapshotInterval,
    List<String> join,
    int replicationFactor,
    String region,
    String zone,
    PostgresSettings postgres,
    SecuritySettings security) {

  /**
   * The most members a cluster has (every member is a voter of the meta group, which stays at five), and so the
   * largest replication factor.
   */
  public static final int MAX_MEMBERS = 5;

  /** A single-node configuration. */
  public NodeConfig(String nodeId, String host, int port, int metricsPort, Path dataDir, long maxMemoryBytes,
      int maxValueBytes, int averageValueBytes, int partitionCount, NamespaceDefaults namespaces,
      Duration expiryInterval, Duration accessResolution, boolean jvmMetrics) {
    this(nodeId, host, port, metricsPort, dataDir, maxMemoryBytes, maxValueBytes, averageValueBytes, partitionCount,
        namespaces, expiryInterval, accessResolution, jvmMetrics, "local", List.of(), true, Duration.ofMinutes(5),
        List.of(), 1, "local", "local", null, SecuritySettings.OPEN_PLAINTEXT);
  }

  public NodeConfig {
    peers = List.copyOf(peers);
    join = List.copyOf(join);
    if (security == null) {
      throw new IllegalArgumentException("security settings are required (SecuritySettings.OPEN_PLAINTEXT for tests)");
    }
    if (!join.isEmpty() && peers.size() != 1) {
      throw new IllegalArgumentException("a joining node lists only itself in --peers (its id, client and raft"
          + " address); the cluster tells it the rest");
    }
    if (replicationFactor < 1 || replicationFactor > MAX_MEMBERS) {
      throw new IllegalArgumentException("replication factor must be 1.." + MAX_MEMBERS
          + ", got " + replicationFactor);
    }
    if (region == null || region.isBlank() || zone == null || zone.isBlank()) {
      throw new IllegalArgumentException("region and zone must not be blank");
    }
    if (!peers.isEmpty()) {
      if (peers.stream().noneMatch(p -> p.nodeId().equals(nodeId))) {
        throw new IllegalArgumentException("--peers must include this node (" + nodeId + ")");
      }
      if (peers.stream().map(ClusterPeer::nodeId).distinct().count() != peers.size()) {
        throw new IllegalArgumentException("--peers names a node id twice");
      }
      if (peers.size() > MAX_MEMBERS) {
        throw new IllegalArgumentException("every member is a voter of the meta group, so a cluster has at most "
            + MAX_MEMBERS + " members in this version; got " + peers.size());
      }
    }
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

  /**
   * True when this node joins an existing cluster instead of founding one. A node whose {@code --join} names
   * only its own address founds the cluster: every pod of a StatefulSet can then be started with the same
   * {@code --join first-pod:port}, and the first pod founds it.
   */
  public boolean joining() {
    return !join.isEmpty() && !(join.size() == 1 && join.get(0).equals(self().clientAddress()));
  }

  /** True when this node is a member of a replicated cluster. */
  public boolean replicated() {
    return !peers.isEmpty();
  }

  /** This node's entry in {@link #peers}. */
  public ClusterPeer self() {
    return peers.stream().filter(p -> p.nodeId().equals(nodeId)).findFirst().orElseThrow();
  }

  /** The per-partition share of the memory budget. */
  public long partitionBudgetBytes() {
    return maxMemoryBytes / partitionCount;
  }
}
