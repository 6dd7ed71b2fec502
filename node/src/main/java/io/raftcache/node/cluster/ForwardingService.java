package io.raftcache.node.cluster;

import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftcache.node.common.Failures;
import io.raftcache.node.partition.LruEviction;
import io.raftcache.node.partition.Partition;
import io.raftcache.node.raft.AmbiguousProposalException;
import io.raftcache.node.raft.NotLeaderException;
import io.raftcache.node.statemachine.Command;
import io.raftcache.node.statemachine.CommandCodec;
import io.raftcache.node.statemachine.OutcomeCodec;
import io.raftcache.node.statemachine.WriteBatch;
import java.util.List;

/**
 * Receives proposals forwarded by other nodes and proposes them in the local raft group, if this node leads it.
 *
 * <p>Answers FAILED_PRECONDITION when this node does not lead (nothing was submitted: safe to retry elsewhere) and
 * UNAVAILABLE when the proposal's fate is unknown. The leader makes room (eviction) before proposing, exactly as
 * for a write that arrived here directly.
 */
public final class ForwardingService {
  private final List<Partition> localReplicas;
  private final LruEviction eviction;
  private final java.time.Clock clock;
  private final int accessResolutionTicks;

  /**
   * @param localReplicas this node's raft replicas, by partition number
   * @param accessResolutionTicks how stale an access tick may get before it is rewritten
   */
  public ForwardingService(List<Partition> localReplicas, LruEviction eviction, java.time.Clock clock,
      int accessResolutionTicks) {
    this.localReplicas = List.copyOf(localReplicas);
    this.eviction = eviction;
    this.clock = clock;
    this.accessResolutionTicks = accessResolutionTicks;
  }

  /** The service definition to add to the node's gRPC server. */
  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(ForwardingProtocol.SERVICE)
        .addMethod(ForwardingProtocol.PROPOSE, ServerCalls.asyncUnaryCall(this::propose))
        .addMethod(ForwardingProtocol.ACCESSED, ServerCalls.asyncUnaryCall(this::accessed))
        .build();
  }

  /** Refreshes the LRU ticks of keys a follower served, if this node leads their partition (else ignores them). */
  private void accessed(byte[] request, StreamObserver<byte[]> response) {
    int partition = request.length < 4 ? -1 : ForwardingProtocol.partitionOf(request);
    if (partition < 0 || partition >= localReplicas.size()) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("no partition " + partition).asRuntimeException());
      return;
    }
    Partition local = localReplicas.get(partition);
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
    int partition = ForwardingProtocol.partitionOf(request);
    if (partition < 0 || partition >= localReplicas.size()) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("no partition " + partition).asRuntimeException());
      return;
    }
    Partition local = localReplicas.get(partition);
    if (!local.isLeader()) {
      response.onError(Status.FAILED_PRECONDITION.withDescription("not the leader of partition " + partition)
          .asRuntimeException());
      return;
    }
    byte[] encoded = ForwardingProtocol.commandOf(request);
    Command command = CommandCodec.decode(encoded);
    // A forwarded batch makes room for all of its values at once, as CacheOperations does for a local one.
    eviction.makeRoom(local, encoded.length, command instanceof WriteBatch batch ? batch.valueCount() : 1);
    local.propose(command).whenComplete((outcome, failure) -> {
      if (failure == null) {
        response.onNext(OutcomeCodec.encode(outcome));
        response.onCompleted();
        return;
      }
      Throwable cause = Failures.unwrap(failure);
      Status status = cause instanceof NotLeaderException
          ? Status.FAILED_PRECONDITION.withDescription(cause.getMessage())
          : cause instanceof AmbiguousProposalException
              ? Status.UNAVAILABLE.withDescription("outcome unknown: " + cause.getMessage())
              : Status.INTERNAL.withDescription(String.valueOf(cause));
      response.onError(status.asRuntimeException());
    });
  }
}
