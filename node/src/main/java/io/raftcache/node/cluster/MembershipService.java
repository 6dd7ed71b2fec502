package io.raftcache.node.cluster;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftcache.node.common.Failures;
import io.raftcache.node.membership.ClusterState;
import io.raftcache.node.membership.MemberInfo;
import io.raftcache.node.membership.MembershipStateMachine;
import io.raftcache.node.raft.MetaGroup;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.internal.v1.ClusterStateRecord;
import io.raftcache.proto.internal.v1.JoinRequest;
import io.raftcache.proto.internal.v1.MemberRecord;
import java.util.function.Supplier;

/**
 * The internal {@code raftcache.internal.v1.Membership/Join} method: the meta leader records a joining node.
 *
 * <p>Anywhere else it answers UNAVAILABLE with the meta leader's client address in the {@code raftcache-leader}
 * trailer (the joiner retries there). A join the cluster cannot take (wrong cluster id or partition count, too
 * many members) is FAILED_PRECONDITION: retrying will not help.
 */
public final class MembershipService {
  static final MethodDescriptor<JoinRequest, ClusterStateRecord> JOIN = MethodDescriptor.<JoinRequest, ClusterStateRecord>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("raftcache.internal.v1.Membership", "Join"))
      .setRequestMarshaller(ProtoUtils.marshaller(JoinRequest.getDefaultInstance()))
      .setResponseMarshaller(ProtoUtils.marshaller(ClusterStateRecord.getDefaultInstance()))
      .build();

  private final Supplier<MetaGroup> meta;

  /** @param meta the meta group, once it has started */
  public MembershipService(Supplier<MetaGroup> meta) {
    this.meta = meta;
  }

  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder("raftcache.internal.v1.Membership")
        .addMethod(JOIN, ServerCalls.asyncUnaryCall(this::join))
        .build();
  }

  private void join(JoinRequest request, StreamObserver<ClusterStateRecord> response) {
    MetaGroup group = meta.get();
    if (group == null || !group.isLeader()) {
      Metadata trailers = new Metadata();
      String hint = group == null ? null : leaderClientAddress(group);
      if (hint != null) {
        trailers.put(RaftCacheMetadata.LEADER_HINT, hint);
      }
      response.onError(Status.UNAVAILABLE.withDescription("this node does not lead the meta group")
          .asRuntimeException(trailers));
      return;
    }
    ClusterState state = group.state();
    MemberRecord m = request.getMember();
    String problem = !state.bootstrapped() ? null
        : !request.getClusterId().equals(state.clusterId())
            ? "this is cluster '" + state.clusterId() + "', not '" + request.getClusterId() + "'"
            : request.getPartitionCount() != state.partitionCount()
                ? "the cluster has " + state.partitionCount() + " partitions, the joining node was started with "
                    + request.getPartitionCount()
                : m.getNodeId().isBlank() || m.getClientAddress().isBlank() || m.getRaftAddress().isBlank()
                    ? "a joining node needs an id, a client address and a raft address" : null;
    if (!state.bootstrapped()) {
      response.onError(Status.UNAVAILABLE.withDescription("the cluster is still being founded").asRuntimeException());
      return;
    }
    if (problem != null) {
      response.onError(Status.FAILED_PRECONDITION.withDescription(problem).asRuntimeException());
      return;
    }
    MemberInfo member = new MemberInfo(m.getNodeId(), m.getClientAddress(), m.getRaftAddress(), m.getRegion(), m.getZone());
    group.propose(MembershipStateMachine.join(member)).whenComplete((applied, failure) -> {
      if (failure != null) {
        response.onError(Status.UNAVAILABLE.withDescription("join not recorded: " + Failures.unwrap(failure).getMessage())
            .asRuntimeException());
      } else if (applied.rejection() != null) {
        response.onError(Status.FAILED_PRECONDITION.withDescription(applied.rejection()).asRuntimeException());
      } else {
        response.onNext(applied.state().toRecord());
        response.onCompleted();
      }
    });
  }

  private static String leaderClientAddress(MetaGroup group) {
    String raft = group.leaderRaftAddress();
    return raft == null ? null : group.state().memberByRaftAddress(raft).map(MemberInfo::clientAddress).orElse(null);
  }
}
