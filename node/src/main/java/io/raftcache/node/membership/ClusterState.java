package io.raftcache.node.membership;

import io.raftcache.node.placement.PlacementMember;
import io.raftcache.node.placement.RendezvousPlacement;
import io.raftcache.proto.internal.v1.ClusterStateRecord;
import io.raftcache.proto.internal.v1.ReplicaSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's members and partition assignment at one epoch: the value the meta raft group replicates.
 *
 * <p>Each partition's replicas are min(R, members) nodes chosen by {@link RendezvousPlacement} (zone-spread, load
 * bounded), a pure function of the member set, so every replica of the meta group computes the same assignment.
 * Every member is a voter of the meta group, hence at most {@link #MAX_MEMBERS}. Every change of members bumps
 * the epoch.
 *
 * @param clusterId id of the cluster; empty before bootstrap
 * @param epoch 0 before bootstrap, then +1 per change
 * @param partitionCount P, fixed at bootstrap
 * @param replicationFactor R, fixed at bootstrap
 * @param members ordered by node id
 * @param replicas node ids per partition, by partition number
 */
public record ClusterState(String clusterId, long epoch, int partitionCount, int replicationFactor,
    List<MemberInfo> members, List<List<String>> replicas) {
  /** The most members a cluster has: every member is a meta voter, and the meta group stays at five. */
  public static final int MAX_MEMBERS = 5;

  /** The state before bootstrap. */
  public static final ClusterState EMPTY = new ClusterState("", 0, 0, 0, List.of(), List.of());

  public ClusterState {
    members = List.copyOf(members);
    replicas = replicas.stream().map(List::copyOf).toList();
  }

  /** The state a cluster starts with. */
  static ClusterState bootstrap(String clusterId, int partitionCount, int replicationFactor, List<MemberInfo> members) {
    return EMPTY.next(clusterId, partitionCount, replicationFactor, members);
  }

  /** Whether the cluster exists yet. */
  public boolean bootstrapped() {
    return epoch > 0;
  }

  public Optional<MemberInfo> member(String nodeId) {
    return members.stream().filter(m -> m.nodeId().equals(nodeId)).findFirst();
  }

  public Optional<MemberInfo> memberByRaftAddress(String raftAddress) {
    return members.stream().filter(m -> m.raftAddress().equals(raftAddress)).findFirst();
  }

  /** Node ids of the replicas of {@code partition}, the preferred leader first. */
  public List<String> replicasOf(int partition) {
    return replicas.get(partition);
  }

  /** Whether {@code nodeId} hosts a replica of {@code partition}. */
  public boolean hosts(String nodeId, int partition) {
    return bootstrapped() && replicas.get(partition).contains(nodeId);
  }

  /** The state with {@code member} added, or its record replaced if its id is known. */
  ClusterState withMember(MemberInfo member) {
    List<MemberInfo> next = new ArrayList<>(members);
    next.removeIf(m -> m.nodeId().equals(member.nodeId()));
    next.add(member);
    return this.next(clusterId, partitionCount, replicationFactor, next);
  }

  /** The state without the member {@code nodeId}. */
  ClusterState without(String nodeId) {
    List<MemberInfo> next = new ArrayList<>(members);
    next.removeIf(m -> m.nodeId().equals(nodeId));
    return this.next(clusterId, partitionCount, replicationFactor, next);
  }

  private ClusterState next(String id, int p, int r, List<MemberInfo> newMembers) {
    List<MemberInfo> sorted = new ArrayList<>(newMembers);
    sorted.sort(Comparator.comparing(MemberInfo::nodeId));
    List<List<String>> assignment = sorted.isEmpty() ? List.of() : new RendezvousPlacement(r).place(p,
        sorted.stream().map(m -> new PlacementMember(m.nodeId(), m.region(), m.zone())).toList()).replicas();
    return new ClusterState(id, epoch + 1, p, r, sorted, assignment);
  }

  public ClusterStateRecord toRecord() {
    ClusterStateRecord.Builder b = ClusterStateRecord.newBuilder().setClusterId(clusterId).setEpoch(epoch)
        .setPartitionCount(partitionCount).setReplicationFactor(replicationFactor);
    members.forEach(m -> b.addMembers(m.toRecord()));
    replicas.forEach(r -> b.addReplicas(ReplicaSet.newBuilder().addAllNodeIds(r)));
    return b.build();
  }

  public static ClusterState of(ClusterStateRecord r) {
    return new ClusterState(r.getClusterId(), r.getEpoch(), r.getPartitionCount(), r.getReplicationFactor(),
        r.getMembersList().stream().map(MemberInfo::of).toList(),
        r.getReplicasList().stream().map(s -> (List<String>) List.copyOf(s.getNodeIdsList())).toList());
  }
}
