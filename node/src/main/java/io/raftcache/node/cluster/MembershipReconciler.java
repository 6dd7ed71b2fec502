package io.raftcache.node.cluster;

import io.raftcache.node.membership.ClusterState;
import io.raftcache.node.membership.MemberInfo;
import io.raftcache.node.membership.MembershipStateMachine;
import io.raftcache.node.raft.GroupMembership;
import io.raftcache.node.raft.MetaGroup;
import io.raftcache.node.raft.RaftPartition;
import io.raftcache.node.raft.SofaMultiRaft;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the raft groups this node leads match the cluster state the meta group records.
 *
 * <p>The meta leader founds the cluster (proposes the bootstrap command once) and keeps the meta group's voters
 * equal to the members; each partition leader keeps its group's voters equal to the partition's assigned replicas.
 * Changes go one at a time per group, each through jraft's catch-up, so a new replica receives a snapshot before
 * it counts towards a quorum. It runs on every state change, on leadership, and every second (a change that
 * failed, e.g. because a new replica was not up yet, is simply tried again).
 *
 * <p>It also corrects this node's own record: founders know only their own region and zone, so the bootstrap
 * records the others' as {@code local}; each member whose record differs from what it knows of itself asks the
 * meta leader to record it again (a join of a known id replaces its record), and placement then uses its zone.
 */
public final class MembershipReconciler {
  private static final Logger log = LoggerFactory.getLogger(MembershipReconciler.class);
  private static final long PERIOD_MILLIS = 1000;

  private final SofaMultiRaft raft;
  private final PeerChannels peers;
  private final ScheduledExecutorService scheduler;
  private final Runnable topologyChanged;
  /** The bootstrap command when this node founds the cluster, else null. */
  private final io.raftcache.proto.internal.v1.MembershipCommand bootstrap;
  private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
  private volatile MetaGroup meta;
  /** This node's record as it knows it (its own region and zone). */
  private final MemberInfo self;
  private volatile java.util.function.Supplier<List<RaftPartition>> partitions = List::of;

  /**
   * @param founders the members this node founds the cluster with, or empty when it joins
   * @param topologyChanged told when members or assignments change
   */
  public MembershipReconciler(SofaMultiRaft raft, PeerChannels peers, ScheduledExecutorService scheduler,
      Runnable topologyChanged, String clusterId, int partitionCount, int replicationFactor, List<MemberInfo> founders,
      MemberInfo self) {
    this.self = self;
    this.raft = raft;
    this.peers = peers;
    this.scheduler = scheduler;
    this.topologyChanged = topologyChanged;
    this.bootstrap = founders.isEmpty() ? null
        : MembershipStateMachine.bootstrap(clusterId, partitionCount, replicationFactor, founders);
  }

  /** Starts reconciling {@code meta} and, once they are open, the partitions. */
  public void attach(MetaGroup meta) {
    this.meta = meta;
    scheduler.scheduleWithFixedDelay(this::reconcileQuietly, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Starts reconciling the partition groups {@code hosted} lists (at each pass: the hosted set changes). */
  public void attachPartitions(java.util.function.Supplier<List<RaftPartition>> hosted) {
    this.partitions = hosted;
    scheduler.execute(this::reconcileQuietly);
  }

  /** Called by the meta group after every change of the state (on its apply thread: kept short). */
  public void onStateChange(ClusterState state) {
    raft.updateMembers(state);
    Map<String, String> addresses = new LinkedHashMap<>();
    state.members().forEach(m -> addresses.put(m.nodeId(), m.clientAddress()));
    peers.update(addresses);
    topologyChanged.run();
    scheduler.execute(this::reconcileQuietly);
  }

  /** Called when this node becomes the meta leader. */
  public void onMetaLeader() {
    scheduler.execute(this::reconcileQuietly);
  }

  private void reconcileQuietly() {
    try {
      reconcile();
    } catch (RuntimeException e) {
      log.warn("membership reconciliation failed; retrying in {} ms", PERIOD_MILLIS, e);
    }
  }

  private void reconcile() {
    MetaGroup group = meta;
    if (group == null) {
      return;
    }
    ClusterState state = group.state();
    if (!state.bootstrapped()) {
      if (group.isLeader() && bootstrap != null && !inFlight.containsKey("bootstrap")) {
        CompletableFuture<Void> proposed = group.propose(bootstrap).thenApply(applied -> null);
        track("bootstrap", proposed);
      }
      return;
    }
    correctOwnRecord(group, state);
    if (group.isLeader()) {
      Set<String> everyone = new LinkedHashSet<>();
      state.members().forEach(m -> everyone.add(m.raftAddress()));
      converge(group.membership(), everyone);
    }
    for (RaftPartition partition : partitions.get()) {
      if (partition.membership().isLeader()) {
        Set<String> replicas = new LinkedHashSet<>();
        for (String nodeId : state.replicasOf(partition.id())) {
          state.member(nodeId).ifPresent(m -> replicas.add(m.raftAddress()));
        }
        converge(partition.membership(), replicas);
      }
    }
  }

  /** Asks the meta leader to record this node's true labels if the state holds others for it. */
  private void correctOwnRecord(MetaGroup group, ClusterState state) {
    MemberInfo recorded = state.member(self.nodeId()).orElse(null);
    if (recorded == null || recorded.equals(self) || inFlight.containsKey("own-record")) {
      return;
    }
    log.info("the cluster records this node as {}; asking the meta leader to record {}", recorded, self);
    if (group.isLeader()) {
      track("own-record", group.propose(MembershipStateMachine.join(self)).thenApply(applied -> null));
      return;
    }
    String leaderRaft = group.leaderRaftAddress();
    String leader = leaderRaft == null ? null
        : state.memberByRaftAddress(leaderRaft).map(MemberInfo::nodeId).orElse(null);
    if (leader == null) {
      return; // no meta leader known yet: the next pass tries again
    }
    io.raftcache.proto.internal.v1.JoinRequest request = io.raftcache.proto.internal.v1.JoinRequest.newBuilder()
        .setClusterId(state.clusterId()).setPartitionCount(state.partitionCount()).setMember(self.toRecord()).build();
    CompletableFuture<Void> done = new CompletableFuture<>();
    com.google.common.util.concurrent.Futures.addCallback(io.grpc.stub.ClientCalls.futureUnaryCall(
        peers.to(leader).newCall(MembershipService.JOIN,
            io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), request),
        new com.google.common.util.concurrent.FutureCallback<>() {
          @Override
          public void onSuccess(io.raftcache.proto.internal.v1.ClusterStateRecord result) {
            done.complete(null);
          }

          @Override
          public void onFailure(Throwable t) {
            done.completeExceptionally(t);
          }
        }, com.google.common.util.concurrent.MoreExecutors.directExecutor());
    track("own-record", done);
  }

  private void converge(GroupMembership group, Set<String> desired) {
    if (inFlight.containsKey(group.group()) || desired.isEmpty()) {
      return;
    }
    Set<String> voters;
    try {
      voters = group.voters();
    } catch (IllegalStateException notLeaderAnyMore) {
      return;
    }
    String missing = desired.stream().filter(a -> !voters.contains(a)).findFirst().orElse(null);
    String extra = voters.stream().filter(a -> !desired.contains(a)).findFirst().orElse(null);
    if (missing != null) {
      log.info("{}: adding replica {}", group.group(), missing);
      track(group.group(), group.add(missing));
    } else if (extra != null) {
      log.info("{}: removing replica {}", group.group(), extra);
      track(group.group(), group.remove(extra));
    }
  }

  private void track(String key, CompletableFuture<Void> change) {
    inFlight.put(key, change);
    change.whenComplete((ok, failure) -> {
      inFlight.remove(key);
      if (failure != null) {
        log.info("{}: membership change not done yet ({}); will retry", key, failure.getMessage());
      } else {
        topologyChanged.run();
        scheduler.execute(this::reconcileQuietly);
      }
    });
  }
}
