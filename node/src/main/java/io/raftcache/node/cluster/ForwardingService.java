package io.raftcache.node.cluster;

import io.grpc.Metadata;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftcache.node.common.Failures;
import io.raftcache.node.partition.CacheOperations;
import io.raftcache.node.partition.LruEviction;
import io.raftcache.node.raft.RaftPartition;
import io.raftcache.node.common.CacheException;
import io.raftcache.node.raft.AmbiguousProposalException;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.node.raft.NotLeaderException;
import io.raftcache.node.statemachine.Command;
import io.raftcache.node.statemachine.CommandCodec;
import io.raftcache.node.statemachine.OutcomeCodec;
import io.raftcache.node.statemachine.WriteBatch;
import java.util.List;

/**
 * Serves other nodes' partition traffic for the partitions this node hosts: forwarded proposals (proposed in the
 * local raft group if this node leads it), reads and tag removals from nodes that do not host the partition,
 * leader lookups, and access hints.
 *
 * <p>Answers FAILED_PRECONDITION, naming the leader it knows in the {@link ForwardingProtocol#LEADER_HINT}
 * trailer, when it cannot serve the call (it does not host the partition, or does not lead it for a proposal):
 * nothing was done, so the caller may try elsewhere. A proposal whose fate is unknown gets UNAVAILABLE. The
 * leader makes room (eviction) before proposing, exactly as for a write that arrived here directly.
 */
public final class ForwardingService {
  private final List<ForwardingPartition> partitions;
  private final CacheOperations operations;
  private final LruEviction eviction;
  private final java.time.Clock clock;
  private final int accessResolutionTicks;
  /** Runs tag removals, which block on their proposals, off the gRPC threads. */
  private final java.util.concurrent.Executor removals;
  private final String nodeId;

  /**
   * @param partitions every partition by number, hosted here or not
   * @param accessResolutionTicks how stale an access tick may get before it is rewritten
   */
  public ForwardingService(List<ForwardingPartition> partitions, CacheOperations operations, LruEviction eviction,
      java.time.Clock clock, int accessResolutionTicks, java.util.concurrent.Executor removals, String nodeId) {
    this.nodeId = nodeId;
    this.partitions = List.copyOf(partitions);
    this.operations = operations;
    this.eviction = eviction;
    this.clock = clock;
    this.accessResolutionTicks = accessResolutionTicks;
    this.removals = removals;
  }

  /** The service definition to add to the node's gRPC server. */
  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(ForwardingProtocol.SERVICE)
        .addMethod(ForwardingProtocol.PROPOSE, ServerCalls.asyncUnaryCall(this::propose))
        .addMethod(ForwardingProtocol.ACCESSED, ServerCalls.asyncUnaryCall(this::accessed))
        .addMethod(ForwardingProtocol.READ, ServerCalls.asyncUnaryCall(this::read))
        .addMethod(ForwardingProtocol.LEADER, ServerCalls.asyncUnaryCall(this::leader))
        .addMethod(ForwardingProtocol.REMOVE, ServerCalls.asyncUnaryCall(this::remove))
        .build();
  }

  /** The partition a request names, or null after answering INVALID_ARGUMENT. */
  private ForwardingPartition partition(byte[] request, StreamObserver<byte[]> response) {
    int partition = request.length < 4 ? -1 : ForwardingProtocol.partitionOf(request);
    if (partition < 0 || partition >= partitions.size()) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("no partition " + partition).asRuntimeException());
      return null;
    }
    return partitions.get(partition);
  }

  /** Refuses a call this node cannot serve for {@code p}, naming the leader it knows. */
  private static void refuse(ForwardingPartition p, String why, StreamObserver<byte[]> response) {
    Metadata trailers = new Metadata();
    String leader = p.leaderNodeId();
    if (leader != null) {
      trailers.put(ForwardingProtocol.LEADER_HINT, leader);
    }
    response.onError(Status.FAILED_PRECONDITION.withDescription(why + " partition " + p.id())
        .asRuntimeException(trailers));
  }

  /** A request body parser that may find the bytes malformed. */
  @FunctionalInterface
  private interface Parser<T> {
    T parse(byte[] request) throws java.io.IOException;
  }

  /**
   * The parsed request of a call that needs a local replica of its partition, or null after answering: INVALID_ARGUMENT
   * for a bad partition or body, FAILED_PRECONDITION with a hint when this node does not host the partition.
   */
  private <T> T hostedRequest(byte[] request, Parser<T> parser, StreamObserver<byte[]> response) {
    ForwardingPartition p = partition(request, response);
    if (p == null) {
      return null;
    }
    if (!p.hosted()) {
      refuse(p, "does not host", response);
      return null;
    }
    try {
      return parser.parse(request);
    } catch (java.io.IOException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("malformed request: " + e.getMessage())
          .asRuntimeException());
      return null;
    }
  }

  private void read(byte[] request, StreamObserver<byte[]> response) {
    ForwardingProtocol.ReadRequest read = hostedRequest(request, ForwardingProtocol::parseRead, response);
    if (read == null) {
      return;
    }
    ForwardingPartition p = partitions.get(read.partition());
    operations.readHosted(p, read.keys(), read.consistency()).whenComplete((entries, failure) -> {
      if (failure == null) {
        response.onNext(ForwardingProtocol.readResponse(nodeId, entries));
        response.onCompleted();
      } else {
        refuse(p, "could not read (" + Failures.unwrap(failure).getMessage() + ")", response);
      }
    });
  }

  private void leader(byte[] request, StreamObserver<byte[]> response) {
    ForwardingPartition p = partition(request, response);
    if (p == null) {
      return;
    }
    RaftPartition replica = p.replica();
    if (replica == null) {
      refuse(p, "does not host", response);
      return;
    }
    java.util.Set<String> voters = java.util.Set.of();
    if (replica.isLeader()) {
      try {
        voters = replica.membership().voters();
      } catch (IllegalStateException notLeaderAnyMore) {
        // answered without voters: the caller asks again
      }
    }
    String leader = replica.leaderNodeId();
    response.onNext(ForwardingProtocol.leaderResponse(
        new ForwardingProtocol.LeaderView(replica.term(), leader == null ? "" : leader, voters)));
    response.onCompleted();
  }

  private void remove(byte[] request, StreamObserver<byte[]> response) {
    ForwardingProtocol.RemoveRequest remove = hostedRequest(request, ForwardingProtocol::parseRemove, response);
    if (remove == null) {
      return;
    }
    ForwardingPartition p = partitions.get(remove.partition());
    removals.execute(() -> {
      try {
        long removed = operations.removeHosted(p, remove.namespace(), remove.tag());
        response.onNext(ForwardingProtocol.removeResponse(removed));
        response.onCompleted();
      } catch (RuntimeException e) {
        refuse(p, "could not remove from (" + Failures.unwrap(e).getMessage() + ")", response);
      }
    });
  }

  /** Refreshes the LRU ticks of keys a follower served, if this node leads their partition (else ignores them). */
  private void accessed(byte[] request, StreamObserver<byte[]> response) {
    ForwardingPartition local = partition(request, response);
    if (local == null) {
      return;
    }
    try {
      if (local.isLeader()) {
        int tick = io.raftcache.node.storage.AccessTicks.of(clock.millis());
        for (byte[] key : ForwardingProtocol.accessedKeys(request, ForwardingPartition.MAX_HINTS, 8192)) {
          local.store().recordAccess(key, tick, accessResolutionTicks);
        }
      }
      response.onNext(new byte[0]);
      response.onCompleted();
    } catch (java.io.IOException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("malformed access hints: " + e.getMessage())
          .asRuntimeException());
    }
  }

  private void propose(byte[] request, StreamObserver<byte[]> response) {
    ForwardingPartition p = partition(request, response);
    if (p == null) {
      return;
    }
    RaftPartition local = p.replica();
    if (local == null || !local.isLeader()) {
      refuse(p, "not the leader of", response);
      return;
    }
    byte[] encoded = ForwardingProtocol.commandOf(request);
    Command command = CommandCodec.decode(encoded);
    // A forwarded batch makes room for all of its values at once, as CacheOperations does for a local one.
    eviction.roomFor(local, encoded.length, command instanceof WriteBatch batch ? batch.valueCount() : 1)
        .thenCompose(ready -> local.propose(command)).whenComplete((outcome, failure) -> {
      if (failure == null) {
        response.onNext(OutcomeCodec.encode(outcome));
        response.onCompleted();
        return;
      }
      Throwable cause = Failures.unwrap(failure);
      if (cause instanceof NotLeaderException) {
        refuse(p, cause.getMessage() + ":", response);
        return;
      }
      if (cause instanceof CacheException busy && busy.reason() == ErrorReason.PARTITION_BUSY) {
        // Nothing was proposed; the forwarder tells its caller so (ForwardingPartition), whatever the command.
        response.onError(Status.RESOURCE_EXHAUSTED.withDescription(busy.getMessage()).asRuntimeException());
        return;
      }
      Status status = cause instanceof AmbiguousProposalException
          ? Status.UNAVAILABLE.withDescription("outcome unknown: " + cause.getMessage())
          : Status.INTERNAL.withDescription(String.valueOf(cause));
      response.onError(status.asRuntimeException());
    });
  }
}
