package io.raftcache.node.partition;

import io.raftcache.node.metrics.NodeMetrics;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.node.statemachine.RemoveBatch;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes expired entries actively, so memory held by keys nobody reads again comes back.
 *
 * <p>Reads already hide expired entries; the sweeper reclaims them. Each {@link #sweepStep} scans one segment of
 * every partition this node leads (round-robin), and proposes RemoveBatch(EXPIRED) for what it found, so replicas
 * remove exactly what the leader saw, and only if the entry is unchanged and still expired at proposal time.
 */
public final class ExpirySweeper {
  private final PartitionSet partitions;
  private final Clock clock;
  private final NodeMetrics metrics;
  private final int[] cursors;

  public ExpirySweeper(PartitionSet partitions, Clock clock, NodeMetrics metrics) {
    this.partitions = partitions;
    this.clock = clock;
    this.metrics = metrics;
    this.cursors = new int[partitions.count()];
  }

  /** Sweeps the next segment of each led partition; returns how many entries were removed. */
  public synchronized int sweepStep() {
    int removed = 0;
    for (Partition p : partitions.all()) {
      if (p.isLeader()) {
        int segment = cursors[p.id()]++ % p.store().segmentCount();
        removed += sweep(p, segment);
      }
    }
    return removed;
  }

  /** Sweeps every segment of every led partition once; returns how many entries were removed. */
  public synchronized int sweepAll() {
    int removed = 0;
    for (Partition p : partitions.all()) {
      if (p.isLeader()) {
        for (int s = 0; s < p.store().segmentCount(); s++) {
          removed += sweep(p, s);
        }
      }
    }
    return removed;
  }

  private int sweep(Partition partition, int segment) {
    long now = clock.millis();
    List<RemoveBatch.VersionedKey> expired = new ArrayList<>();
    int[] removed = {0};
    partition.store().scanSegment(segment, (key, meta, size) -> {
      if (meta.isExpiredAt(now)) {
        expired.add(new RemoveBatch.VersionedKey(key, meta.version()));
      }
    });
    for (int from = 0; from < expired.size(); from += RemoveBatch.MAX_ENTRIES) {
      List<RemoveBatch.VersionedKey> batch = expired.subList(from, Math.min(expired.size(), from + RemoveBatch.MAX_ENTRIES));
      Outcome outcome = partition.propose(new RemoveBatch(RemoveBatch.Cause.EXPIRED, batch, now)).join();
      if (outcome instanceof Outcome.Removed r) {
        removed[0] += r.count();
      }
    }
    metrics.expired(removed[0]);
    return removed[0];
  }
}
