package io.raftcache.node.partition;

import io.raftcache.node.common.CacheException;
import io.raftcache.node.metrics.NodeMetrics;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.node.statemachine.RemoveBatch;
import io.raftcache.node.storage.EntryMeta;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.proto.v1.ErrorReason;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Keeps each partition within its share of the memory budget by evicting its least recently used entries. */
public final class LruEviction {
  /*
   * Implementation notes
   *
   * Runs on the partition leader before a write that would take the store past a high watermark, of bytes or of
   * Chronicle entry capacity, and evicts down to the low watermark; replicas only apply the resulting
   * RemoveBatch(EVICTED). Because a write always makes room first, a full store evicts instead of failing.
   *
   * Selection: one scan of the partition's store keeps, in a bounded max-heap, the entries with the oldest
   * (access tick, version) pairs; ticks are coarse (AccessTicks), and version breaks ties so that among entries
   * touched in the same tick the least recently written goes first. The heap holds at most MAX_CANDIDATES keys,
   * so a round's memory is bounded; a round that frees too little is followed by another. Rounds are rare: a
   * round frees (high - low) of the budget, so a scan of N entries is amortised over ~N/10 inserts.
   *
   * Concurrent writers of one partition serialize here, so they do not both evict for the same shortfall.
   *
   * Writes run on the transport thread (api.NonBlockingCallExecutor), which must never wait, and a round waits
   * for its proposals. So roomFor only checks the high watermark on the caller's thread (two counters) and, in
   * the rare case that a round is due, runs makeRoom on the eviction executor; the write is proposed once it
   * returns. That executor is bounded: a write it cannot take fails with PARTITION_BUSY before anything was
   * proposed, so the caller may retry it.
   */
  static final int MAX_CANDIDATES = 4096;
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final Comparator<Candidate> OLDEST_FIRST =
      Comparator.<Candidate>comparingLong(c -> Integer.toUnsignedLong(c.meta().accessTick()))
          .thenComparingLong(c -> c.meta().version());

  private final MemoryWatermarks watermarks;
  private final long budgetBytes;
  private final Clock clock;
  private final NodeMetrics metrics;
  private final Object[] locks;
  private final Executor rounds;

  /**
   * @param watermarks when to start and stop
   * @param budgetBytes each partition's byte budget
   * @param partitionCount P, for the per-partition locks
   * @param rounds runs the eviction rounds that {@link #roomFor} starts; it may refuse work when full
   */
  public LruEviction(MemoryWatermarks watermarks, long budgetBytes, int partitionCount, Clock clock, NodeMetrics metrics,
      Executor rounds) {
    this.rounds = rounds;
    this.watermarks = watermarks;
    this.budgetBytes = budgetBytes;
    this.clock = clock;
    this.metrics = metrics;
    this.locks = new Object[partitionCount];
    for (int i = 0; i < partitionCount; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * Evicts from {@code partition} if it is led here and writing {@code incomingEntries} entries of
   * {@code incomingBytes} in all (a batch) would cross a high watermark.
   */
  private void makeRoom(Partition partition, long incomingBytes, int incomingEntries) {
    // Only the leader evicts; a follower that forwards a write leaves it to the leader, which makes room on arrival.
    if (!partition.isLeader() || !above(partition.store(), incomingBytes, incomingEntries, watermarks.high())) {
      return;
    }
    synchronized (locks[partition.id()]) {
      for (int round = 0; round < 64 && above(partition.store(), incomingBytes, incomingEntries, watermarks.low());
          round++) {
        if (evictRound(partition, incomingBytes, incomingEntries) == 0) {
          return; // nothing evictable left; the store takes the write or refuses it as STORE_FULL
        }
      }
    }
  }

  /**
   * Completes once {@code partition} has room for {@code incomingEntries} entries of {@code incomingBytes} in all:
   * at once when no eviction is due (almost always), else after {@link #makeRoom} ran on the eviction executor.
   * Never waits on the caller's thread.
   */
  public CompletableFuture<Void> roomFor(Partition partition, long incomingBytes, int incomingEntries) {
    if (!partition.isLeader() || !above(partition.store(), incomingBytes, incomingEntries, watermarks.high())) {
      return DONE;
    }
    try {
      return CompletableFuture.runAsync(() -> makeRoom(partition, incomingBytes, incomingEntries), rounds);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new CacheException(ErrorReason.PARTITION_BUSY,
          "partition " + partition.id() + " is evicting and its eviction queue is full; retry shortly"));
    }
  }

  private boolean above(PartitionStore store, long incomingBytes, int incomingEntries, double fraction) {
    return store.storedBytes() + incomingBytes > fraction * budgetBytes
        || store.entryCount() + incomingEntries > fraction * store.entryCapacity();
  }

  private int evictRound(Partition partition, long incomingBytes, int incomingEntries) {
    PartitionStore store = partition.store();
    long bytesToFree = (long) (store.storedBytes() + incomingBytes - watermarks.low() * budgetBytes);
    long entriesToFree = (long) (store.entryCount() + incomingEntries - watermarks.low() * store.entryCapacity());
    long averageBytes = Math.max(1, store.storedBytes() / Math.max(1, store.entryCount()));
    int wanted = (int) Math.min(MAX_CANDIDATES,
        Math.max(16, Math.max(entriesToFree, bytesToFree / averageBytes + 1) * 11 / 10));

    PriorityQueue<Candidate> newest = new PriorityQueue<>(wanted + 1, OLDEST_FIRST.reversed());
    store.scanAll((key, meta, size) -> {
      newest.add(new Candidate(key, meta, size));
      if (newest.size() > wanted) {
        newest.poll();
      }
    });
    List<Candidate> oldest = new ArrayList<>(newest);
    oldest.sort(OLDEST_FIRST);

    List<RemoveBatch.VersionedKey> victims = new ArrayList<>();
    long freedBytes = 0;
    for (Candidate c : oldest) {
      if (freedBytes >= bytesToFree && victims.size() >= entriesToFree) {
        break;
      }
      victims.add(new RemoveBatch.VersionedKey(c.key(), c.meta().version()));
      freedBytes += c.size();
    }
    int removed = 0;
    long now = clock.millis();
    for (int from = 0; from < victims.size(); from += RemoveBatch.MAX_ENTRIES) {
      List<RemoveBatch.VersionedKey> batch = victims.subList(from, Math.min(victims.size(), from + RemoveBatch.MAX_ENTRIES));
      Outcome outcome = partition.propose(new RemoveBatch(RemoveBatch.Cause.EVICTED, batch, now)).join();
      if (outcome instanceof Outcome.Removed r) {
        removed += r.count();
      }
    }
    metrics.evicted(removed);
    return removed;
  }

  private record Candidate(byte[] key, EntryMeta meta, int size) {}
}
