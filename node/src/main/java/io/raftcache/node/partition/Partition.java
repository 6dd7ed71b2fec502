package io.raftcache.node.partition;

import io.raftcache.node.statemachine.Command;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.StoredEntry;
import io.raftcache.proto.v1.Consistency;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One partition hosted on this node: where commands are proposed and reads are served.
 *
 * <p>On a single node, {@link LocalPartition} orders and applies commands itself; under raft, the same contract
 * is met by replicating each command through the partition's raft group before applying it.
 */
public interface Partition extends AutoCloseable {

  /** The partition number. */
  int id();

  /** Orders {@code command} in the partition's log and completes with its outcome once applied. */
  CompletableFuture<Outcome> propose(Command command);

  /** Reads the entry under a store key (expired entries included; callers filter) at the given freshness. */
  CompletableFuture<StoredEntry> read(byte[] key, Consistency consistency);

  /**
   * Reads many store keys of this partition at one freshness, paying for one consistency round: the first key's
   * read is the barrier, and the others are then read from the local replica, which is at least as fresh.
   */
  default CompletableFuture<List<StoredEntry>> readAll(List<byte[]> keys, Consistency consistency) {
    return read(keys.get(0), consistency).thenApply(first -> {
      List<StoredEntry> entries = new ArrayList<>(keys.size());
      entries.add(first);
      for (byte[] key : keys.subList(1, keys.size())) {
        entries.add(store().get(key));
      }
      return entries;
    });
  }

  /** Whether this node holds a replica of the partition (a store to scan); false for one it only routes to. */
  default boolean hosted() {
    return true;
  }

  /**
   * Removes {@code namespace}'s entries (only those tagged {@code tag}, unless it is null) through a node that
   * hosts the partition, for a partition this node does not host; completes with how many went.
   */
  default CompletableFuture<Long> removeOnReplica(String namespace, String tag) {
    throw new UnsupportedOperationException("partition " + id() + " is hosted here: scan it locally");
  }

  /**
   * Entries read for a caller, and which node's replica they came from.
   *
   * @param servedBy node id of the replica that served the read, or null for this node's own
   * @param entries one per key asked, null where absent
   */
  record Served(String servedBy, List<StoredEntry> entries) {}

  /** {@link #readAll}, saying which replica served it (this node's, unless the partition is not hosted here). */
  default CompletableFuture<Served> readServed(List<byte[]> keys, Consistency consistency) {
    return readAll(keys, consistency).thenApply(entries -> new Served(null, entries));
  }

  /** True if this node may propose for the partition (its leader). */
  boolean isLeader();

  /**
   * Says that {@code key} was read here from a replica that does not lead the partition, so the leader (which
   * alone keeps LRU access ticks) should refresh it. Hints may be dropped; nothing depends on them but eviction
   * order.
   */
  default void accessed(byte[] key) {}

  /** The local store, for leader-side scans (expiry, eviction, tag invalidation). */
  PartitionStore store();

  @Override
  void close();
}
