package io.raftcache.node.cluster;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftcache.node.api.MembershipAdmin;
import io.raftcache.node.audit.AuditEvent;
import io.raftcache.node.audit.AuditSink;
import io.raftcache.node.common.CacheException;
import io.raftcache.node.common.Failures;
import io.raftcache.node.membership.ClusterState;
import io.raftcache.node.membership.MemberInfo;
import io.raftcache.node.membership.MembershipStateMachine;
import io.raftcache.node.raft.MetaGroup;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.internal.v1.ClusterStateRecord;
import io.raftcache.proto.internal.v1.JoinRequest;
import io.raftcache.proto.internal.v1.LeaveRequest;
import io.raftcache.proto.internal.v1.MemberRecord;
import io.raftcache.proto.internal.v1.MembershipCommand;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.RemoveNodeResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Membership changes: the internal {@code raftcache.internal.v1.Membership} methods (Join, Leave) the meta leader
 * serves, and removal of members for the Admin service on any node.
 *
 * <p>Anywhere else it answers UNAVAILABLE with the meta leader's client address in the {@code raftcache-leader}
 * trailer (the joiner retries there). A join the cluster cannot take (wrong cluster id or partition count, too
 * many members) is FAILED_PRECONDITION: retrying will not help.
 */
public final class MembershipService implements MembershipAdmin {
  private static final String SERVICE = "raftcache.internal.v1.Membership";
  public static final MethodDescriptor<JoinRequest, ClusterStateRecord> JOIN = method("Join", JoinRequest.getDefaultInstance());
  static final MethodDescriptor<LeaveRequest, ClusterStateRecord> LEAVE = method("Leave", LeaveRequest.getDefaultInstance());

  /** A unary method of the membership service that answers with the cluster state. */
  private static <Q extends com.google.protobuf.Message> MethodDescriptor<Q, ClusterStateRecord> method(String name,
      Q requestPrototype) {
    return MethodDescriptor.<Q, ClusterStateRecord>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(ProtoUtils.marshaller(requestPrototype))
        .setResponseMarshaller(ProtoUtils.marshaller(ClusterStateRecord.getDefaultInstance()))
        .build();
  }
  private static final long LEAVE_DEADLINE_SECONDS = 10;

  private final Supplier<MetaGroup> meta;
  private final PeerChannels peers;
  private final AuditSink audit;
  private final String nodeId;
  private final java.time.Clock clock;

  /**
   * @param meta the meta group, once it has started
   * @param peers channels to the other members, for passing a removal on to the meta leader
   */
  public MembershipService(Supplier<MetaGroup> meta, PeerChannels peers, AuditSink audit, String nodeId,
      java.time.Clock clock) {
    this.meta = meta;
    this.peers = peers;
    this.audit = audit;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  /** Records a join in the audit trail (by the meta leader, which decided it). */
  private void audited(String joining, String outcome, String detail) {
    com.google.gson.JsonObject json = new com.google.gson.JsonObject();
    json.addProperty("detail", detail);
    audit.record(new AuditEvent(java.util.UUID.randomUUID(), clock.instant(), joining, "member.join", null, joining,
        outcome, nodeId, null, json.toString()));
  }

  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(JOIN, ServerCalls.asyncUnaryCall(this::join))
        .addMethod(LEAVE, ServerCalls.asyncUnaryCall(this::leave))
        .build();
  }

  /** Removes a member: proposed here if this node leads the meta group, else passed on to the leader (one hop). */
  @Override
  public CompletableFuture<RemoveNodeResponse> removeNode(String nodeId) {
    MetaGroup group = meta.get();
    if (group == null) {
      return CompletableFuture.failedFuture(new CacheException(ErrorReason.NODE_NOT_READY, "the node is starting"));
    }
    CompletableFuture<ClusterState> removed;
    if (group.isLeader()) {
      removed = proposeLeave(group, nodeId);
    } else {
      String leaderRaft = group.leaderRaftAddress();
      String leaderId = leaderRaft == null ? null
          : group.state().memberByRaftAddress(leaderRaft).map(MemberInfo::nodeId).orElse(null);
      if (leaderId == null) {
        return CompletableFuture.failedFuture(new CacheException(ErrorReason.NOT_LEADER,
            "the meta group has no leader right now; retry"));
      }
      removed = new CompletableFuture<>();
      CompletableFuture<ClusterState> result = removed;
      Futures.addCallback(ClientCalls.futureUnaryCall(peers.to(leaderId).newCall(LEAVE,
              CallOptions.DEFAULT.withDeadlineAfter(LEAVE_DEADLINE_SECONDS, TimeUnit.SECONDS)),
              LeaveRequest.newBuilder().setNodeId(nodeId).build()),
          new FutureCallback<>() {
            @Override
            public void onSuccess(ClusterStateRecord state) {
              result.complete(ClusterState.of(state));
            }

            @Override
            public void onFailure(Throwable t) {
              Status status = Status.fromThrowable(t);
              result.completeExceptionally(status.getCode() == Status.Code.FAILED_PRECONDITION
                  ? new CacheException(ErrorReason.MEMBERSHIP_REJECTED, status.getDescription())
                  : new CacheException(ErrorReason.NOT_LEADER, "the meta leader did not answer: " + status));
            }
          }, MoreExecutors.directExecutor());
    }
    return removed.thenApply(state -> RemoveNodeResponse.newBuilder().setEpoch(state.epoch())
        .addAllMembers(state.members().stream().map(MemberInfo::nodeId).toList()).build());
  }

  private void leave(LeaveRequest request, StreamObserver<ClusterStateRecord> response) {
    MetaGroup group = meta.get();
    if (group == null || !group.isLeader()) {
      response.onError(Status.UNAVAILABLE.withDescription("this node does not lead the meta group").asRuntimeException());
      return;
    }
    proposeLeave(group, request.getNodeId()).whenComplete((state, failure) -> {
      if (failure == null) {
        response.onNext(state.toRecord());
        response.onCompleted();
      } else {
        Throwable cause = Failures.unwrap(failure);
        response.onError((cause instanceof CacheException
            ? Status.FAILED_PRECONDITION : Status.UNAVAILABLE).withDescription(cause.getMessage()).asRuntimeException());
      }
    });
  }

  private static CompletableFuture<ClusterState> proposeLeave(MetaGroup group, String nodeId) {
    return group.propose(MembershipCommand.newBuilder().setLeave(nodeId).build()).thenApply(applied -> {
      if (applied.rejection() != null) {
        throw new CacheException(ErrorReason.MEMBERSHIP_REJECTED, applied.rejection());
      }
      return applied.state();
    });
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
      audited(m.getNodeId(), "REFUSED", problem);
      response.onError(Status.FAILED_PRECONDITION.withDescription(problem).asRuntimeException());
      return;
    }
    MemberInfo member = new MemberInfo(m.getNodeId(), m.getClientAddress(), m.getRaftAddress(), m.getRegion(), m.getZone());
    group.propose(MembershipStateMachine.join(member)).whenComplete((applied, failure) -> {
      if (failure != null) {
        response.onError(Status.UNAVAILABLE.withDescription("join not recorded: " + Failures.unwrap(failure).getMessage())
            .asRuntimeException());
      } else if (applied.rejection() != null) {
        audited(member.nodeId(), "REFUSED", applied.rejection());
        response.onError(Status.FAILED_PRECONDITION.withDescription(applied.rejection()).asRuntimeException());
      } else {
        audited(member.nodeId(), "OK", "epoch " + applied.state().epoch() + ", client " + member.clientAddress()
            + ", raft " + member.raftAddress());
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
