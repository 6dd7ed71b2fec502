package io.raftcache.node.partition;

import java.util.Map;
import java.util.Set;

/**
 * How many entries and bytes each capacity-limited namespace holds in the cluster, estimated by a periodic scan of
 * this node's stores. A node hosts k of the P partitions; keys spread evenly over partitions by their hash, so
 * the cluster's figure is estimated as the node's times P/k (exact when the node hosts every partition). Between
 * scans the figures lag, so a namespace can overshoot its limit by what is written in one interval.
 */
public final class NamespaceUsage {
  /** Entries and bytes (keys and values) of one namespace. */
  public record Usage(long entries, long bytes) {
    public static final Usage NONE = new Usage(0, 0);
  }

  private final PartitionSet partitions;
  private volatile Map<String, Usage> last = Map.of();

  public NamespaceUsage(PartitionSet partitions) {
    this.partitions = partitions;
  }

  /** Re-measures {@code namespaces} (and forgets the others); a no-op scan when the set is empty. */
  public void refresh(Set<String> namespaces) {
    if (namespaces.isEmpty()) {
      last = Map.of();
      return;
    }
    int hosted = partitions.hosted().size();
    if (hosted == 0) {
      last = Map.of(); // nothing to measure yet: no limit is enforced until this node hosts a partition
      return;
    }
    double scale = (double) partitions.count() / hosted;
    Map<String, Usage> measured = new java.util.HashMap<>();
    partitions.usageByNamespace(namespaces::contains, namespaces.size()).forEach((ns, usage) -> measured.put(ns,
        new Usage(Math.round(usage.entries() * scale), Math.round(usage.bytes() * scale))));
    last = Map.copyOf(measured);
  }

  /** The last measured usage of {@code namespace}. */
  public Usage of(String namespace) {
    return last.getOrDefault(namespace, Usage.NONE);
  }
}
