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

  /** @param localReplicas this node's raft replicas, by partition number */
  public ForwardingService(List<Partition> localReplicas, LruEviction eviction) {
    this.localReplicas = List.copyOf(localReplicas);
    this.eviction = eviction;
  }

  /** The service definition to add to the node's gRPC server. */
  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(ForwardingProtocol.SERVICE)
        .addMethod(ForwardingProtocol.PROPOSE, ServerCalls.asyncUnaryCall(this::propose))
        .build();
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
    eviction.makeRoom(local, encoded.length);
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
