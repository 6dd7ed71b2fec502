package io.raftcache.node.cluster;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A partition as the rest of the node sees it, whether this node holds one of its replicas or not: proposals
 * reach the leader wherever it is, and reads reach a replica, so any node serves any key.
 *
 * <p>On a node that hosts the partition, a proposal goes into the local raft group if this node leads, or is
 * forwarded (one internal hop) to the leader the local replica names; reads run on the local replica (ReadIndex
 * works on followers). On a node that does not host it, proposals, reads and tag removals go to the leader it
 * last learned of (from a leader lookup or a peer's hint), else to an assigned replica, which answers or names the
 * leader. While no leader is known (an election), a call waits and tries again within the caller's deadline (at
 * most {@link #MAX_WAIT}). Proposals are retried only when that is safe: a proposal that was certainly not
 * submitted, or an idempotent one (unconditional Set/Delete, their batches, Touch, leader removals). A
 * non-idempotent write (Increment, CompareAndSet, conditional Set/Delete) whose fate is unknown fails with
 * OUTCOME_UNKNOWN rather than risk applying twice.
 */
public final class ForwardingPartition implements Partition {
  /** The longest a request waits for a leader when the caller set no shorter deadline. */
  static final Duration MAX_WAIT = Duration.ofSeconds(5);
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ForwardingPartition.class);

  /** The most access hints a partition buffers between flushes; more are dropped (they only steer eviction). */
  static final int MAX_HINTS = 4096;

  private final int id;
  /** The local replica, or null while this node does not host the partition. */
  private volatile RaftPartition local;
  /** Node ids of the assigned replicas, from the cluster state. */
  private volatile List<String> replicas = List.of();
  /** Where calls go while the partition is not hosted here: the leader last learned of, or a replica to ask. */
  private volatile String target;
  /** The term in which {@link #target} was reported leader; 0 while it is only a guess. */
  private volatile long targetTerm;
  private final java.util.Set<java.nio.ByteBuffer> hints = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final PeerChannels peers;
  private final ScheduledExecutorService scheduler;
  private final RaftMetrics metrics;

  /** A partition this node does not host (yet): calls go to its replicas once {@link #assign} names them. */
  public ForwardingPartition(int id, PeerChannels peers, ScheduledExecutorService scheduler, RaftMetrics metrics) {
    this.id = id;
    this.peers = peers;
    this.scheduler = scheduler;
    this.metrics = metrics;
  }

  @Override
  public int id() {
    return id;
  }

  /** Serves the partition from {@code replica}, which this node now hosts. */
  public void host(RaftPartition replica) {
    this.local = replica;
  }

  /** Stops serving from the local replica (it is being released); returns it. */
  public RaftPartition unhost() {
    RaftPartition was = local;
    local = null;
    hints.clear();
    return was;
  }

  /** Records the partition's assigned replicas (node ids), which remote calls fall back to. */
  public void assign(List<String> assigned) {
    replicas = List.copyOf(assigned);
    String current = target;
    if (current == null || !assigned.contains(current)) {
      target = assigned.isEmpty() ? null : assigned.get(0);
      targetTerm = 0;
    }
  }

  /** The assigned replicas (node ids), preferred leader first. */
  public List<String> replicas() {
    return replicas;
  }

  /**
   * Records that a replica reported {@code leader} in {@code term} (ignored if an equal or later term is known);
   * returns whether the known leader changed.
   */
  public boolean learnLeader(String leader, long term) {
    if (leader == null || leader.isEmpty() || term < targetTerm) {
      return false;
    }
    boolean changed = !leader.equals(target);
    target = leader;
    targetTerm = term;
    return changed;
  }

  /** Moves remote calls on from {@code failed} (it did not answer) to the next assigned replica. */
  void passOver(String failed) {
    List<String> assigned = replicas;
    if (failed == null || !failed.equals(target) || assigned.isEmpty()) {
      return;
    }
    int at = assigned.indexOf(failed);
    target = assigned.get((at + 1) % assigned.size());
    targetTerm = 0;
  }

  /** Whether this node holds a replica of the partition. */
  @Override
  public boolean hosted() {
    return local != null;
  }

  /** Node id of the current leader as this node knows it (for an unhosted partition: learned or guessed), or null. */
  public String leaderNodeId() {
    RaftPartition replica = local;
    return replica != null ? replica.leaderNodeId() : target;
  }

  /**
   * The leader as this node knows it for certain: the local replica's, or for an unhosted partition the one a
   * replica reported (not a guess); null while unknown.
   */
  public String knownLeader() {
    RaftPartition replica = local;
    if (replica != null) {
      return replica.leaderNodeId();
    }
    return targetTerm > 0 ? target : null;
  }

  /** The term of {@link #leaderNodeId}'s leadership as known here; 0 if unknown. */
  public long term() {
    RaftPartition replica = local;
    return replica != null ? replica.term() : targetTerm;
  }

  @Override
  public CompletableFuture<Outcome> propose(Command command) {
    Attempt attempt = new Attempt(command, deadline(), RequestContext.NO_FORWARD.get());
    attempt.run();
    return attempt.result;
  }

  @Override
  public void accessed(byte[] key) {
    if (local != null && hints.size() < MAX_HINTS) {
      hints.add(java.nio.ByteBuffer.wrap(key));
    }
  }

  /**
   * Sends the keys read here since the last flush to the partition's leader, which refreshes their LRU ticks
   * (fire and forget: a lost batch only makes eviction a little less exact).
   */
  public void flushAccessHints() {
    RaftPartition replica = local;
    if (hints.isEmpty() || replica == null) {
      return;
    }
    List<byte[]> keys = new java.util.ArrayList<>(hints.size());
    for (java.util.Iterator<java.nio.ByteBuffer> it = hints.iterator(); it.hasNext(); ) {
      keys.add(it.next().array());
      it.remove();
    }
    String leader = replica.leaderNodeId();
    if (leader == null || replica.isLeader()) {
      return; // no one to tell, or this node leads now and records its own reads
    }
    ClientCalls.futureUnaryCall(peers.to(leader).newCall(ForwardingProtocol.ACCESSED,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)), ForwardingProtocol.accessed(id, keys));
  }

  @Override
  public CompletableFuture<StoredEntry> read(byte[] key, Consistency consistency) {
    if (local == null) {
      return readAll(List.of(key), consistency).thenApply(entries -> entries.get(0));
    }
    CompletableFuture<StoredEntry> result = new CompletableFuture<>();
    readLocally(key, consistency, deadline(), 0, result);
    return result;
  }

  @Override
  public CompletableFuture<List<StoredEntry>> readAll(List<byte[]> keys, Consistency consistency) {
    if (local != null) {
      return Partition.super.readAll(keys, consistency); // no wrapping on the hosted path
    }
    return readServed(keys, consistency).thenApply(Served::entries);
  }

  @Override
  public CompletableFuture<Served> readServed(List<byte[]> keys, Consistency consistency) {
    if (local != null) {
      return Partition.super.readAll(keys, consistency).thenApply(entries -> new Served(null, entries));
    }
    return remote(ForwardingProtocol.READ, ForwardingProtocol.readRequest(id, consistency, keys),
        response -> ForwardingProtocol.parseReadResponse(response, keys.size()));
  }

  /** Removes {@code namespace}'s entries (those tagged {@code tag}, or all) through a node that hosts the partition. */
  @Override
  public CompletableFuture<Long> removeOnReplica(String namespace, String tag) {
    return remote(ForwardingProtocol.REMOVE, ForwardingProtocol.removeRequest(id, namespace, tag),
        ForwardingProtocol::parseRemoved);
  }

  private void readLocally(byte[] key, Consistency consistency, Deadline deadline, int tries,
      CompletableFuture<StoredEntry> result) {
    RaftPartition replica = local;
    if (replica == null) { // released meanwhile: ask a replica that still hosts it
      readAll(List.of(key), consistency).whenComplete((entries, failure) -> {
        if (failure == null) {
          result.complete(entries.get(0));
        } else {
          result.completeExceptionally(failure);
        }
      });
      return;
    }
    replica.read(key, consistency).whenComplete((entry, failure) -> {
      if (failure == null) {
        result.complete(entry);
      } else if (deadline.isExpired()) {
        result.completeExceptionally(noLeader());
      } else {
        scheduler.schedule(() -> readLocally(key, consistency, deadline, tries + 1, result), backoff(tries),
            TimeUnit.MILLISECONDS);
      }
    });
  }

  /**
   * Sends a call that any replica may answer (read, removal) to the partition's known leader or a replica, and
   * tries again elsewhere, within the deadline, when it is refused or the node does not answer. Both kinds are
   * safe to repeat.
   */
  private <T> CompletableFuture<T> remote(MethodDescriptor<byte[], byte[]> method, byte[] request,
      ResponseParser<T> parser) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (RequestContext.NO_FORWARD.get()) {
      String leader = target;
      result.completeExceptionally(new CacheException(ErrorReason.NOT_LEADER,
          "this node does not host partition " + id + "; ask " + (leader == null ? "a replica" : leader),
          leader == null ? null : peers.clientAddressOf(leader)));
      return result;
    }
    remote(method, request, parser, deadline(), 0, result);
    return result;
  }

  private <T> void remote(MethodDescriptor<byte[], byte[]> method, byte[] request, ResponseParser<T> parser,
      Deadline deadline, int tries, CompletableFuture<T> result) {
    String to = target;
    if (to == null) {
      retryRemote(method, request, parser, deadline, tries, result);
      return;
    }
    metrics.forwarded();
    Futures.addCallback(ClientCalls.futureUnaryCall(peers.to(to).newCall(method,
        CallOptions.DEFAULT.withDeadline(deadline)), request), new FutureCallback<>() {
          @Override
          public void onSuccess(byte[] response) {
            try {
              result.complete(parser.parse(response));
            } catch (java.io.IOException | RuntimeException e) {
              result.completeExceptionally(e);
            }
          }

          @Override
          public void onFailure(Throwable t) {
            redirect(to, t);
            retryRemote(method, request, parser, deadline, tries, result);
          }
        }, MoreExecutors.directExecutor());
  }

  private <T> void retryRemote(MethodDescriptor<byte[], byte[]> method, byte[] request, ResponseParser<T> parser,
      Deadline deadline, int tries, CompletableFuture<T> result) {
    if (deadline.isExpired()) {
      result.completeExceptionally(noLeader());
      return;
    }
    scheduler.schedule(() -> remote(method, request, parser, deadline, tries + 1, result), backoff(tries),
        TimeUnit.MILLISECONDS);
  }

  /** After {@code to} refused or failed a call: follow its leader hint, or move on to the next replica. */
  void redirect(String to, Throwable failure) {
    Metadata trailers = Status.trailersFromThrowable(failure);
    String hint = trailers == null ? null : trailers.get(ForwardingProtocol.LEADER_HINT);
    if (hint != null && !hint.isEmpty() && !hint.equals(to) && replicas.contains(hint)) {
      target = hint;
      targetTerm = 0;
    } else {
      passOver(to);
    }
  }

  /** Parses a peer's response bytes. */
  @FunctionalInterface
  private interface ResponseParser<T> {
    T parse(byte[] response) throws java.io.IOException;
  }

  private static Deadline deadline() {
    Deadline max = Deadline.after(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    Deadline callers = Context.current().getDeadline();
    return callers == null ? max : callers.minimum(max);
  }

  /**
   * 5, 10, 20, 40, then 50 ms between tries. The cap sets how late a waiting call notices the new leader after an
   * election (up to 200 ms with the earlier cap, a fifth of the failover budget); a retry is one cheap local check
   * or one refused call, so trying every 50 ms costs little while it lasts.
   */
  private static long backoff(int tries) {
    return Math.min(50, 5L << Math.min(tries, 4));
  }

  private CacheException noLeader() {
    return new CacheException(ErrorReason.NOT_LEADER,
        "partition " + id + " had no reachable leader before the deadline; retry");
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
      RaftPartition replica = local;
      if (replica != null && replica.isLeader()) {
        replica.propose(command).whenComplete((outcome, failure) -> {
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
      String leader = replica != null ? replica.leaderNodeId() : target;
      if (leader == null) {
        retry();
        return;
      }
      if (noForward) {
        result.completeExceptionally(new CacheException(ErrorReason.NOT_LEADER,
            "this node does not lead partition " + id + "; the leader is " + leader, peers.clientAddressOf(leader)));
        return;
      }
      if (encoded == null) {
        encoded = ForwardingProtocol.request(id, CommandCodec.encode(command));
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
              if (local == null) {
                redirect(leader, t);
              }
              if (status.getCode() == Status.Code.FAILED_PRECONDITION) {
                retry(); // the node was not (or no longer) the leader: nothing was submitted
              } else if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                // The leader's proposal queue was full: nothing was proposed, and the caller may back off and retry.
                result.completeExceptionally(new CacheException(ErrorReason.PARTITION_BUSY, status.getDescription()));
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
            "leadership of partition " + id + " changed while the write was in flight (" + why
                + "); it may or may not have been applied"));
      }
    }

    void retry() {
      if (log.isDebugEnabled()) {
        log.debug("partition {}: retry {} (hosted: {}, known leader: {})", id, tries, local != null, leaderNodeId());
      }
      if (deadline.isExpired()) {
        result.completeExceptionally(noLeader());
        return;
      }
      scheduler.schedule(this::run, backoff(tries++), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public boolean isLeader() {
    RaftPartition replica = local;
    return replica != null && replica.isLeader();
  }

  @Override
  public PartitionStore store() {
    RaftPartition replica = local;
    if (replica == null) {
      throw new IllegalStateException("partition " + id + " is not hosted on this node");
    }
    return replica.store();
  }

  /** The raft replica underneath, or null while this node does not host the partition. */
  public RaftPartition replica() {
    return local;
  }

  @Override
  public void close() {}
}
