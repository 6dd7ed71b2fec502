package io.raftcache.node.partition;

import io.raftcache.node.metrics.StoreStats;
import io.raftcache.proto.Partitioning;
import io.raftcache.proto.KeyHashing;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every partition of the cluster as this node reaches it, indexed by partition number, and the routing of store
 * keys to them; {@link #hosted} are those with a local replica.
 */
public final class PartitionSet implements AutoCloseable {
  private final List<Partition> partitions;
  private final long budgetBytes;

  /** Wraps partitions 0..P-1 (in order); {@code budgetBytes} is the node's memory budget, for stats. */
  public PartitionSet(List<Partition> partitions, long budgetBytes) {
    this.partitions = List.copyOf(partitions);
    this.budgetBytes = budgetBytes;
    for (int i = 0; i < this.partitions.size(); i++) {
      if (this.partitions.get(i).id() != i) {
        throw new IllegalArgumentException("partition " + i + " is out of order");
      }
    }
  }

  /** P, the partition count. */
  public int count() {
    return partitions.size();
  }

  /** The partition a store key routes to. */
  public Partition forKey(byte[] storeKey) {
    // A store key already is namespace ‖ 0x00 ‖ key, the exact bytes routing hashes.
    return partitions.get(Partitioning.partition(KeyHashing.hashRoutingBytes(storeKey), partitions.size()));
  }

  /** All partitions, by number. */
  public List<Partition> all() {
    return partitions;
  }

  /** The partitions with a replica (a store) on this node, by number. */
  public List<Partition> hosted() {
    List<Partition> hosted = new java.util.ArrayList<>(partitions.size());
    for (Partition p : partitions) {
      if (p.hosted()) {
        hosted.add(p);
      }
    }
    return hosted;
  }

  /** Sizes summed over the stores of the hosted partitions. */
  public StoreStats stats() {
    long entries = 0;
    long stored = 0;
    long offHeap = 0;
    List<Partition> hosted = hosted();
    for (Partition p : hosted) {
      entries += p.store().entryCount();
      stored += p.store().storedBytes();
      offHeap += p.store().offHeapBytes();
    }
    return new StoreStats(hosted.size(), entries, stored, offHeap, budgetBytes);
  }

  /**
   * Entries and bytes (keys and values) per namespace over all stores, counting only the namespaces
   * {@code counted} accepts and at most {@code maxNamespaces} of them (the first ones seen), so the result stays
   * bounded. One full scan of every store.
   */
  public Map<String, NamespaceUsage.Usage> usageByNamespace(Predicate<String> counted, int maxNamespaces) {
    Map<String, long[]> counts = new HashMap<>();
    for (Partition p : hosted()) {
      p.store().scanAll((key, meta, size) -> {
        String ns = StoreKeys.namespaceOf(key);
        long[] c = counts.get(ns);
        if (c == null) {
          if (counts.size() >= maxNamespaces || !counted.test(ns)) {
            return;
          }
          c = new long[2];
          counts.put(ns, c);
        }
        c[0]++;
        c[1] += size;
      });
    }
    Map<String, NamespaceUsage.Usage> usage = new HashMap<>();
    counts.forEach((ns, c) -> usage.put(ns, new NamespaceUsage.Usage(c[0], c[1])));
    return usage;
  }

  @Override
  public void close() {
    for (Partition p : partitions) {
      p.close();
    }
  }
}
