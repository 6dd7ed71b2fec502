package io.raftcache.node.cluster;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.raftcache.node.common.CacheException;
import io.raftcache.node.common.Failures;
import io.raftcache.node.common.RequestContext;
import io.raftcache.node.partition.Partition;
import io.raftcache.node.raft.AmbiguousProposalException;
import io.raftcache.node.raft.NotLeaderException;
import io.raftcache.node.raft.RaftMetrics;
import io.raftcache.node.raft.RaftPartition;
import io.raftcache.node.statemachine.Command;
import io.raftcache.node.statemachine.CommandCodec;
import io.raftcache.node.statemachine.CompareAndSet;
import io.raftcache.node.statemachine.Delete;
import io.raftcache.node.statemachine.Increment;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.node.statemachine.OutcomeCodec;
import io.raftcache.node.statemachine.Put;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.StoredEntry;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.ErrorReason;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A hosted partition as the rest of the node sees it: proposals reach the leader wherever it is, so any node
 * serves any key.
 *
 * <p>If this node leads, the proposal goes into the local raft group; otherwise it is forwarded (one internal
 * hop) to the leader named by the local replica. While no leader is known (an election), it waits and tries
 * again, within the caller's deadline (at most {@link #MAX_WAIT}). It retries only what is safe: a proposal that
 * was certainly not submitted, or an idempotent one (unconditional Set/Delete, their batches, Touch, leader removals). A
 * non-idempotent write (Increment, CompareAndSet, conditional Set/Delete) whose fate is unknown fails with
 * OUTCOME_UNKNOWN rather than risk applying twice. Reads run on the local replica (ReadIndex works on followers).
 */
public final class ForwardingPartition implements Partition {
  /** The longest a request waits for a leader when the caller set no shorter deadline. */
  static final Duration MAX_WAIT = Duration.ofSeconds(5);
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ForwardingPartition.class);

  /** The most access hints a partition buffers between flushes; more are dropped (they only steer eviction). */
  static final int MAX_HINTS = 4096;

  private final RaftPartition local;
  private final java.util.Set<java.nio.ByteBuffer> hints = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final PeerChannels peers;
  private final ScheduledExecutorService scheduler;
  private final RaftMetrics metrics;

  public ForwardingPartition(RaftPartition local, PeerChannels peers, ScheduledExecutorService scheduler, RaftMetrics metrics) {
    this.local = local;
    this.peers = peers;
    this.scheduler = scheduler;
    this.metrics = metrics;
  }

  @Override
  public int id() {
    return local.id();
  }

  @Override
  public CompletableFuture<Outcome> propose(Command command) {
    Attempt attempt = new Attempt(command, deadline(), RequestContext.NO_FORWARD.get());
    attempt.run();
    return attempt.result;
  }

  @Override
  public void accessed(byte[] key) {
    if (hints.size() < MAX_HINTS) {
      hints.add(java.nio.ByteBuffer.wrap(key));
    }
  }

  /**
   * Sends the keys read here since the last flush to the partition's leader, which refreshes their LRU ticks
   * (fire and forget: a lost batch only makes eviction a little less exact).
   */
  public void flushAccessHints() {
    if (hints.isEmpty()) {
      return;
    }
    java.util.List<byte[]> keys = new java.util.ArrayList<>(hints.size());
    for (java.util.Iterator<java.nio.ByteBuffer> it = hints.iterator(); it.hasNext(); ) {
      keys.add(it.next().array());
      it.remove();
    }
    String leader = local.leaderNodeId();
    if (leader == null || local.isLeader()) {
      return; // no one to tell, or this node leads now and records its own reads
    }
    io.grpc.stub.ClientCalls.futureUnaryCall(peers.to(leader).newCall(ForwardingProtocol.ACCESSED,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)), ForwardingProtocol.accessed(local.id(), keys));
  }

  @Override
  public CompletableFuture<StoredEntry> read(byte[] key, Consistency consistency) {
    CompletableFuture<StoredEntry> result = new CompletableFuture<>();
    read(key, consistency, deadline(), 0, result);
    return result;
  }

  private void read(byte[] key, Consistency consistency, Deadline deadline, int tries, CompletableFuture<StoredEntry> result) {
    local.read(key, consistency).whenComplete((entry, failure) -> {
      if (failure == null) {
        result.complete(entry);
      } else if (deadline.isExpired()) {
        result.completeExceptionally(noLeader(deadline));
      } else {
        scheduler.schedule(() -> read(key, consistency, deadline, tries + 1, result), backoff(tries), TimeUnit.MILLISECONDS);
      }
    });
  }

  private static Deadline deadline() {
    Deadline max = Deadline.after(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    Deadline callers = Context.current().getDeadline();
    return callers == null ? max : callers.minimum(max);
  }

  private static long backoff(int tries) {
    return Math.min(200, 5L << Math.min(tries, 6));
  }

  private CacheException noLeader(Deadline deadline) {
    return new CacheException(ErrorReason.NOT_LEADER,
        "partition " + local.id() + " had no reachable leader before the deadline; retry");
  }

  /** True if applying {@code command} twice leaves what applying it once left (a WriteBatch is unconditional). */
  static boolean idempotent(Command command) {
    if (command instanceof Put p) {
      return !p.ifAbsent() && p.ifVersion() == 0;
    }
    if (command instanceof Delete d) {
      return d.ifVersion() == 0;
    }
    return !(command instanceof Increment || command instanceof CompareAndSet);
  }

  /** One proposal's tries. */
  private final class Attempt {
    final Command command;
    final Deadline deadline;
    final boolean noForward;
    final CompletableFuture<Outcome> result = new CompletableFuture<>();
    byte[] encoded;
    int tries;

    Attempt(Command command, Deadline deadline, boolean noForward) {
      this.command = command;
      this.deadline = deadline;
      this.noForward = noForward;
    }

    void run() {
      if (local.isLeader()) {
        local.propose(command).whenComplete((outcome, failure) -> {
          if (failure == null) {
            result.complete(outcome);
          } else {
            Throwable cause = Failures.unwrap(failure);
            if (cause instanceof NotLeaderException) {
              retry();
            } else if (cause instanceof AmbiguousProposalException) {
              retryIfIdempotent(cause.getMessage());
            } else {
              result.completeExceptionally(cause);
            }
          }
        });
        return;
      }
      String leader = local.leaderNodeId();
      if (leader == null) {
        retry();
        return;
      }
      if (noForward) {
        result.completeExceptionally(new CacheException(ErrorReason.NOT_LEADER,
            "this node does not lead partition " + local.id() + "; the leader is " + leader, peers.clientAddressOf(leader)));
        return;
      }
      if (encoded == null) {
        encoded = ForwardingProtocol.request(local.id(), CommandCodec.encode(command));
      }
      metrics.forwarded();
      Futures.addCallback(ClientCalls.futureUnaryCall(
          peers.to(leader).newCall(ForwardingProtocol.PROPOSE, CallOptions.DEFAULT.withDeadline(deadline)), encoded),
          new FutureCallback<>() {
            @Override
            public void onSuccess(byte[] response) {
              result.complete(OutcomeCodec.decode(response));
            }

            @Override
            public void onFailure(Throwable t) {
              Status status = Status.fromThrowable(t);
              if (status.getCode() == Status.Code.FAILED_PRECONDITION) {
                retry(); // the node was not (or no longer) the leader: nothing was submitted
              } else {
                retryIfIdempotent(status.getCode() + " " + status.getDescription());
              }
            }
          }, MoreExecutors.directExecutor());
    }

    void retryIfIdempotent(String why) {
      if (idempotent(command)) {
        retry();
      } else {
        result.completeExceptionally(new CacheException(ErrorReason.OUTCOME_UNKNOWN,
            "leadership of partition " + local.id() + " changed while the write was in flight (" + why
                + "); it may or may not have been applied"));
      }
    }

    void retry() {
      if (log.isDebugEnabled()) {
        log.debug("partition {}: retry {} (leader here: {}, known leader: {})", local.id(), tries, local.isLeader(),
            local.leaderNodeId());
      }
      if (deadline.isExpired()) {
        result.completeExceptionally(noLeader(deadline));
        return;
      }
      scheduler.schedule(this::run, backoff(tries++), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public boolean isLeader() {
    return local.isLeader();
  }

  @Override
  public PartitionStore store() {
    return local.store();
  }

  /** The raft replica underneath. */
  public RaftPartition replica() {
    return local;
  }

  @Override
  public void close() {}
}
