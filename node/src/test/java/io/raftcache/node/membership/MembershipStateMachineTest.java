package io.raftcache.node.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcache.proto.internal.v1.ClusterStateRecord;
import io.raftcache.proto.internal.v1.MembershipCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipStateMachineTest {
  static MemberInfo member(String id) {
    return new MemberInfo(id, "127.0.0.1:70" + id.substring(1), "127.0.0.1:71" + id.substring(1), "eu", "eu-" + id);
  }

  static final MembershipCommand FOUND = MembershipStateMachine.bootstrap("c1", 8, 3, List.of(member("n2"), member("n1")));

  @Test
  void bootstrapRecordsMembersSortedAndPlacesEveryPartitionOnAllOfFewerThanRMembers() {
    MembershipStateMachine sm = new MembershipStateMachine();
    ClusterState s = sm.apply(FOUND).state();
    assertThat(s.epoch()).isEqualTo(1);
    assertThat(s.members()).extracting(MemberInfo::nodeId).containsExactly("n1", "n2");
    assertThat(s.replicas()).hasSize(8).allSatisfy(r -> assertThat(r).containsExactlyInAnyOrder("n1", "n2"));
    assertThat(sm.apply(FOUND).rejection()).isEqualTo("the cluster already exists");
    assertThat(sm.state().epoch()).isEqualTo(1);
  }

  @Test
  void joinsBumpTheEpochOnceAndRejectionsChangeNothing() {
    MembershipStateMachine sm = new MembershipStateMachine();
    assertThat(sm.apply(MembershipStateMachine.join(member("n3"))).rejection()).contains("not bootstrapped");
    sm.apply(FOUND);
    assertThat(sm.apply(MembershipStateMachine.join(member("n3"))).state().epoch()).isEqualTo(2);
    // The same record again (a retried join) is not a change.
    MembershipStateMachine.Applied again = sm.apply(MembershipStateMachine.join(member("n3")));
    assertThat(again.rejection()).isNull();
    assertThat(again.state().epoch()).isEqualTo(2);
    sm.apply(MembershipStateMachine.join(member("n4")));
    sm.apply(MembershipStateMachine.join(member("n5")));
    MembershipStateMachine.Applied sixth = sm.apply(MembershipStateMachine.join(member("n6")));
    assertThat(sixth.rejection()).contains("the most this version supports");
    assertThat(sm.state().members()).hasSize(5);
    MembershipStateMachine.Applied left = sm.apply(MembershipCommand.newBuilder().setLeave("n2").build());
    assertThat(left.state().members()).extracting(MemberInfo::nodeId).containsExactly("n1", "n3", "n4", "n5");
    assertThat(left.state().replicasOf(0)).doesNotContain("n2");
    assertThat(sm.apply(MembershipCommand.newBuilder().setLeave("n9").build()).rejection()).isEqualTo("no member n9");
  }

  @Test
  void largerClustersPlaceRReplicasByRendezvousHashingOverTheMembers() {
    MembershipStateMachine sm = new MembershipStateMachine();
    sm.apply(FOUND);
    for (String id : List.of("n3", "n4", "n5")) {
      sm.apply(MembershipStateMachine.join(member(id)));
    }
    ClusterState s = sm.state();
    // The assignment is exactly the placement of the member set: R = 3 of 5, each in a distinct zone.
    io.raftcache.node.placement.Placement expected = new io.raftcache.node.placement.RendezvousPlacement(3).place(8,
        s.members().stream().map(m -> new io.raftcache.node.placement.PlacementMember(m.nodeId(), m.region(), m.zone()))
            .toList());
    assertThat(s.replicas()).isEqualTo(expected.replicas());
    assertThat(s.replicas()).allSatisfy(r -> assertThat(r).hasSize(3).doesNotHaveDuplicates());
    assertThat(expected.replicaCounts().values()).allSatisfy(n -> assertThat(n).isBetween(3, 6));
    assertThat(s.hosts(s.replicasOf(0).get(0), 0)).isTrue();
    String outsider = s.members().stream().map(MemberInfo::nodeId).filter(id -> !s.replicasOf(0).contains(id))
        .findFirst().orElseThrow();
    assertThat(s.hosts(outsider, 0)).isFalse();
  }

  @Test
  void twoReplicasApplyingTheSameLogEndEqualAndTheStateSurvivesItsSnapshotForm() throws Exception {
    List<MembershipCommand> log = List.of(FOUND, MembershipStateMachine.join(member("n3")),
        MembershipCommand.newBuilder().setLeave("n1").build(), MembershipStateMachine.join(member("n1")));
    MembershipStateMachine a = new MembershipStateMachine();
    MembershipStateMachine b = new MembershipStateMachine();
    log.forEach(a::apply);
    log.forEach(b::apply);
    assertThat(a.state()).isEqualTo(b.state());
    assertThat(a.state().epoch()).isEqualTo(4);
    ClusterState restored = ClusterState.of(ClusterStateRecord.parseFrom(a.state().toRecord().toByteArray()));
    assertThat(restored).isEqualTo(a.state());
  }
}
