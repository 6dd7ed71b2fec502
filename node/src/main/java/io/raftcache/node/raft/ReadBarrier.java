package io.raftcache.node.raft;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One partition's read barrier (a ReadIndex round) shared by every read that arrives while the previous round is
 * in flight: they all wait for the next round, issued as soon as the current one ends.
 *
 * <p>A round issued after a read arrived confirms leadership and an applied index at least as new as anything
 * committed before the read began, which is all LINEARIZABLE and LEASE promise; sharing it keeps that promise.
 * Under load, a partition then runs one round per round trip instead of one per read (a GetMulti touches a dozen
 * partitions, and each round costs jraft a disruptor event and a callback); an idle partition still issues at
 * once.
 */
final class ReadBarrier {
  private final Supplier<CompletableFuture<Void>> round;
  private boolean inFlight;
  private CompletableFuture<Void> next;

  /** @param round starts one ReadIndex round; completes once this replica has applied up to the read index */
  ReadBarrier(Supplier<CompletableFuture<Void>> round) {
    this.round = round;
  }

  /** Completes once a round issued after this call has passed (or fails with that round's failure). */
  CompletableFuture<Void> pass() {
    CompletableFuture<Void> waiting;
    synchronized (this) {
      if (inFlight) {
        if (next == null) {
          next = new CompletableFuture<>();
        }
        return next;
      }
      inFlight = true;
      waiting = new CompletableFuture<>();
    }
    issue(waiting);
    return waiting;
  }

  private void issue(CompletableFuture<Void> waiting) {
    round.get().whenComplete((done, failure) -> {
      CompletableFuture<Void> queued;
      synchronized (this) {
        queued = next;
        next = null;
        inFlight = queued != null;
      }
      // Start the next round before completing this one's readers: their continuations (store reads, replies)
      // may run on this thread, and the next round should not wait for them.
      if (queued != null) {
        issue(queued);
      }
      if (failure == null) {
        waiting.complete(null);
      } else {
        waiting.completeExceptionally(failure);
      }
    });
  }
}
