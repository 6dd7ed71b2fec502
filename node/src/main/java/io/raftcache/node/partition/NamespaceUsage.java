package io.raftcache.node.partition;

import java.util.Map;
import java.util.Set;

/**
 * How many entries and bytes each capacity-limited namespace holds, measured by a periodic scan of this node's
 * stores. Every member replicates every partition, so one node's count is the cluster's. Between scans the
 * figures lag, so a namespace can overshoot its limit by what is written in one interval.
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
    last = Map.copyOf(partitions.usageByNamespace(namespaces::contains, namespaces.size()));
  }

  /** The last measured usage of {@code namespace}. */
  public Usage of(String namespace) {
    return last.getOrDefault(namespace, Usage.NONE);
  }
}
