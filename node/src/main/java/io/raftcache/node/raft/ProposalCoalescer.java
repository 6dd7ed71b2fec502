package io.raftcache.node.raft;

import io.raftcache.node.common.CacheException;
import io.raftcache.node.statemachine.Command;
import io.raftcache.node.statemachine.CommandBatch;
import io.raftcache.node.statemachine.CommandCodec;
import io.raftcache.node.statemachine.CommandKeys;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.node.statemachine.WriteBatch;
import io.raftcache.proto.v1.ErrorReason;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Group commit for one raft group: proposals that arrive while the group already has its limit of entries in
 * flight wait, and the next entry carries all of them that fit as one {@link CommandBatch}.
 */
final class ProposalCoalescer {
  /*
   * Implementation notes
   *
   * No timer: a proposal that finds fewer than maxInFlight entries in flight is submitted at once, alone and in
   * its own form, so an idle partition adds no latency and writes the entries it always wrote. A proposal that
   * finds the limit reached joins a FIFO queue, and each entry that completes submits the next, made of the
   * queue's head: up to CommandBatch.MAX_COMMANDS commands and WriteBatch.TARGET_BYTES, ending before the first
   * command that touches a key already in the entry. So no key is written twice in one entry (its version, the
   * entry's index, names one write), and commands on one key keep their arrival order. The further the group
   * falls behind, the larger its entries get, which is when merging pays: every entry costs a trip through
   * jraft's disruptors, the log store and a replication round on every replica, whatever it carries.
   *
   * The queue holds at most maxQueuedBytes of encoded commands (DEFAULT_MAX_QUEUED_BYTES); past that a proposal
   * fails at once with PARTITION_BUSY, before anything was proposed, so every caller may retry it.
   *
   * An entry that fails fails all of its commands alike: NotLeaderException if it was never handed to raft
   * (nothing proposed; a forwarder may try the new leader), AmbiguousProposalException if raft had it.
   */

  /** Encoded bytes that may wait per group: beyond many entries' worth, callers do better to back off. */
  static final long DEFAULT_MAX_QUEUED_BYTES = 64L * 1024 * 1024;

  /** A proposal waiting for an entry, with its encoded form and the keys it touches. */
  private record Pending(Command command, byte[] encoded, List<byte[]> keys, CompletableFuture<Outcome> future) {}

  private final int partition;
  private final int maxInFlight;
  private final long maxQueuedBytes;
  /** Hands one encoded entry to raft; completes with its outcome. */
  private final Function<byte[], CompletableFuture<Outcome>> submit;
  private final RaftMetrics metrics;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** Entries handed to raft and not yet completed; guarded by this, as are the queue and queuedBytes. */
  private int inFlight;
  private long queuedBytes;

  /**
   * @param maxInFlight entries this group may have in flight before proposals wait and merge (at least 1)
   * @param maxQueuedBytes encoded bytes of proposals that may wait before more are refused with PARTITION_BUSY
   * @param submit hands an encoded entry to raft; it must fail with {@link NotLeaderException} if it did not
   */
  ProposalCoalescer(int partition, int maxInFlight, long maxQueuedBytes,
      Function<byte[], CompletableFuture<Outcome>> submit, RaftMetrics metrics) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    this.partition = partition;
    this.maxInFlight = maxInFlight;
    this.maxQueuedBytes = maxQueuedBytes;
    this.submit = submit;
    this.metrics = metrics;
  }

  /** Proposes {@code command}: at once if the group has room in flight, else merged into a later entry. */
  CompletableFuture<Outcome> propose(Command command) {
    byte[] encoded = CommandCodec.encode(command);
    CompletableFuture<Outcome> future = new CompletableFuture<>();
    Pending pending = new Pending(command, encoded, null, future);
    synchronized (this) {
      if (inFlight < maxInFlight && queue.isEmpty()) {
        inFlight++;
      } else if (queuedBytes + encoded.length > maxQueuedBytes) {
        return CompletableFuture.failedFuture(new CacheException(ErrorReason.PARTITION_BUSY,
            "partition " + partition + " has " + queuedBytes + " bytes of proposals waiting; retry shortly"));
      } else {
        queue.add(new Pending(command, encoded, CommandKeys.of(command), future));
        queuedBytes += encoded.length;
        return future;
      }
    }
    send(List.of(pending));
    return future;
  }

  /** Fails every waiting proposal (the group is stopping, or this node lost leadership), proposing nothing. */
  void failQueued(RuntimeException failure) {
    List<Pending> dropped;
    synchronized (this) {
      dropped = new ArrayList<>(queue);
      queue.clear();
      queuedBytes = 0;
    }
    dropped.forEach(p -> p.future().completeExceptionally(failure));
  }

  /** Proposals waiting for an entry now. */
  synchronized int queued() {
    return queue.size();
  }

  private void send(List<Pending> entry) {
    metrics.proposalEntry(entry.size());
    CompletableFuture<Outcome> applied;
    try {
      applied = submit.apply(entry.size() == 1 ? entry.get(0).encoded() : CommandCodec.encodeBatch(encodedOf(entry)));
    } catch (RuntimeException e) {
      applied = CompletableFuture.failedFuture(e);
    }
    applied.whenComplete((outcome, failure) -> {
      if (failure != null && io.raftcache.node.common.Failures.unwrap(failure) instanceof NotLeaderException lost) {
        failQueued(lost); // leadership is gone: nothing waiting can be proposed here, so none of it is tried
      }
      // The next entry goes to raft before these callers hear back, so the group never idles behind them.
      sendNext();
      if (failure != null) {
        entry.forEach(p -> p.future().completeExceptionally(failure));
      } else if (entry.size() == 1) {
        entry.get(0).future().complete(outcome);
      } else {
        List<Outcome> each = ((Outcome.Batch) outcome).outcomes();
        for (int i = 0; i < entry.size(); i++) {
          entry.get(i).future().complete(each.get(i));
        }
      }
    });
  }

  private void sendNext() {
    List<Pending> next;
    synchronized (this) {
      inFlight--;
      next = takeEntry();
      if (next.isEmpty()) {
        return;
      }
      inFlight++;
    }
    send(next);
  }

  /** The queue's head that fits one entry (see the notes); guarded by this. */
  private List<Pending> takeEntry() {
    List<Pending> entry = new ArrayList<>();
    Set<ByteBuffer> keys = new HashSet<>();
    long bytes = 0;
    while (!queue.isEmpty() && entry.size() < CommandBatch.MAX_COMMANDS) {
      Pending head = queue.peek();
      if (!entry.isEmpty() && (bytes + head.encoded().length > WriteBatch.TARGET_BYTES || !distinct(head, keys))) {
        break;
      }
      queue.poll();
      queuedBytes -= head.encoded().length;
      bytes += head.encoded().length;
      head.keys().forEach(k -> keys.add(ByteBuffer.wrap(k)));
      entry.add(head);
    }
    return entry;
  }

  private static boolean distinct(Pending p, Set<ByteBuffer> keys) {
    for (byte[] k : p.keys()) {
      if (keys.contains(ByteBuffer.wrap(k))) {
        return false;
      }
    }
    return true;
  }

  private static List<byte[]> encodedOf(List<Pending> entry) {
    List<byte[]> encoded = new ArrayList<>(entry.size());
    entry.forEach(p -> encoded.add(p.encoded()));
    return encoded;
  }
}
