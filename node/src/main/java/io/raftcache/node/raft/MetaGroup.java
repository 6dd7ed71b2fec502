package io.raftcache.node.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import io.raftcache.node.membership.ClusterState;
import io.raftcache.node.membership.MembershipStateMachine;
import io.raftcache.proto.internal.v1.MembershipCommand;
import java.util.concurrent.CompletableFuture;

/**
 * The meta raft group of this node: replicates the cluster's {@link ClusterState} (members and assignment).
 * Every member is a voter while clusters are small enough for every member to replicate every partition.
 */
public final class MetaGroup {
  private final Node node;
  private final MetaFsm fsm;
  private final GroupMembership membership;

  MetaGroup(Node node, MetaFsm fsm) {
    this.node = node;
    this.fsm = fsm;
    this.membership = new GroupMembership("meta", node);
  }

  /** The state as this replica has applied it. */
  public ClusterState state() {
    return fsm.state();
  }

  public boolean isLeader() {
    return fsm.isLeader();
  }

  /** The raft address of the meta leader this replica knows, or null. */
  public String leaderRaftAddress() {
    PeerId leader = node.getLeaderId();
    return leader == null || leader.isEmpty() ? null : leader.getEndpoint().toString();
  }

  /** Proposes {@code command} (leader only; fails with {@link NotLeaderException} elsewhere). */
  public CompletableFuture<MembershipStateMachine.Applied> propose(MembershipCommand command) {
    if (!fsm.isLeader()) {
      return CompletableFuture.failedFuture(new NotLeaderException(-1, leaderRaftAddress()));
    }
    CompletableFuture<MembershipStateMachine.Applied> applied = new CompletableFuture<>();
    node.apply(new Task(MetaFsm.encode(command), new ProposalClosure<>(applied)));
    return applied;
  }

  public GroupMembership membership() {
    return membership;
  }
}
