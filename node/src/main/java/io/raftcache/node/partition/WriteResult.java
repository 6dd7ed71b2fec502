package io.raftcache.node.partition;

import io.raftcache.node.statemachine.Outcome;

/**
 * The applied outcome of a write, with the partition it went to and the time it was proposed at.
 *
 * @param partition partition of the key
 * @param outcome what applying the command did
 * @param proposedAtMillis the proposer's clock, to turn deadlines into remaining TTLs
 */
public record WriteResult(int partition, Outcome outcome, long proposedAtMillis) {
  /** Milliseconds left until {@code expireAtMillis} at proposal time: -1 for never, 0 if absent. */
  public long ttlRemaining(long expireAtMillis, boolean present) {
    if (!present) {
      return 0;
    }
    return expireAtMillis == 0 ? -1 : Math.max(0, expireAtMillis - proposedAtMillis);
  }
}
