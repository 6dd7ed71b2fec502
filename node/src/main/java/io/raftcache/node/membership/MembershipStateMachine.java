package io.raftcache.node.membership;

import io.raftcache.proto.internal.v1.MembershipCommand;
import java.util.List;

/**
 * Applies the meta group's log to the {@link ClusterState}: deterministic, no clock, no I/O.
 *
 * <p>A command that does not fit the state (a second bootstrap, a join beyond {@link ClusterState#MAX_MEMBERS},
 * removing an unknown or the last member) changes nothing and is reported as rejected, the same on every replica.
 */
public final class MembershipStateMachine {
  private volatile ClusterState state = ClusterState.EMPTY;

  /** The result of applying one command: the state after it, and why it was rejected (null if it was not). */
  public record Applied(ClusterState state, String rejection) {}

  public ClusterState state() {
    return state;
  }

  /** Replaces the state (snapshot load). */
  public void restore(ClusterState restored) {
    state = restored;
  }

  public Applied apply(MembershipCommand command) {
    ClusterState current = state;
    String rejection = switch (command.getCommandCase()) {
      case BOOTSTRAP -> current.bootstrapped() ? "the cluster already exists" : null;
      case JOIN -> !current.bootstrapped() ? "the cluster is not bootstrapped yet"
          : current.member(command.getJoin().getNodeId()).isEmpty() && current.members().size() >= ClusterState.MAX_MEMBERS
              ? "the cluster has " + current.members().size() + " members, the most this version supports"
              : null;
      case LEAVE -> current.member(command.getLeave()).isEmpty() ? "no member " + command.getLeave()
          : current.members().size() == 1 ? "cannot remove the last member" : null;
      case COMMAND_NOT_SET -> "empty command";
    };
    if (rejection != null) {
      return new Applied(current, rejection);
    }
    ClusterState next = switch (command.getCommandCase()) {
      case BOOTSTRAP -> ClusterState.bootstrap(command.getBootstrap().getClusterId(),
          command.getBootstrap().getPartitionCount(), command.getBootstrap().getReplicationFactor(),
          command.getBootstrap().getMembersList().stream().map(MemberInfo::of).toList());
      case JOIN -> {
        MemberInfo joining = MemberInfo.of(command.getJoin());
        yield current.member(joining.nodeId()).filter(joining::equals).isPresent() ? current : current.withMember(joining);
      }
      case LEAVE -> current.without(command.getLeave());
      case COMMAND_NOT_SET -> throw new AssertionError();
    };
    state = next;
    return new Applied(next, null);
  }

  /** The command that creates a cluster of {@code members}. */
  public static MembershipCommand bootstrap(String clusterId, int partitionCount, int replicationFactor,
      List<MemberInfo> members) {
    return MembershipCommand.newBuilder().setBootstrap(io.raftcache.proto.internal.v1.Bootstrap.newBuilder()
        .setClusterId(clusterId).setPartitionCount(partitionCount).setReplicationFactor(replicationFactor)
        .addAllMembers(members.stream().map(MemberInfo::toRecord).toList())).build();
  }

  public static MembershipCommand join(MemberInfo member) {
    return MembershipCommand.newBuilder().setJoin(member.toRecord()).build();
  }
}
