package io.raftcache.node.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Leadership moves from nodes that lead more to replicas that lead at least two fewer, until counts are even. */
class LeaderBalanceTest {
  private static final List<String> ALL = List.of("n1", "n2", "n3");

  @Test
  void aNodeLeadingEverythingHandsAPartitionToTheReplicaLeadingFewestPreferringThePlacementsOrder() {
    List<String> leaders = Collections.nCopies(6, "n1");
    List<List<String>> replicas = List.of(
        List.of("n1", "n2", "n3"), List.of("n3", "n1", "n2"), List.of("n1", "n2", "n3"),
        List.of("n1", "n2", "n3"), List.of("n1", "n2", "n3"), List.of("n1", "n2", "n3"));

    assertThat(LeaderBalance.next("n1", leaders, replicas, (p, t) -> true))
        .as("partition 1 lists n3 first: a move to a partition's preferred leader wins").contains(
            new LeaderBalance.Transfer(1, "n3"));
    assertThat(LeaderBalance.next("n1", leaders, replicas, (p, t) -> p != 1))
        .as("then the lowest partition, to its best-ranked replica").contains(new LeaderBalance.Transfer(0, "n2"));
    assertThat(LeaderBalance.next("n2", leaders, replicas, (p, t) -> true)).as("n2 leads nothing to hand").isEmpty();
  }

  @Test
  void nothingMovesWhileALeaderIsUnknownOrCountsDifferByLessThanTwo() {
    List<List<String>> replicas = Collections.nCopies(4, ALL);
    assertThat(LeaderBalance.next("n1", Arrays.asList("n1", "n1", "n1", null), replicas, (p, t) -> true)).isEmpty();
    assertThat(LeaderBalance.next("n1", List.of("n1", "n1", "n2", "n3"), replicas, (p, t) -> true)).isEmpty();
    assertThat(LeaderBalance.next("n1", List.of("n1", "n1", "n1", "n3"), replicas, (p, t) -> true))
        .contains(new LeaderBalance.Transfer(0, "n2"));
  }

  @Test
  void aReplicaThatIsNotEligibleIsNotChosenAndANonReplicaNever() {
    List<String> leaders = List.of("n1", "n1", "n1");
    List<List<String>> replicas = List.of(List.of("n1", "n2"), List.of("n1", "n2"), List.of("n1", "n3"));
    assertThat(LeaderBalance.next("n1", leaders, replicas, (p, t) -> !t.equals("n2")))
        .contains(new LeaderBalance.Transfer(2, "n3"));
    assertThat(LeaderBalance.next("n1", leaders, replicas, (p, t) -> false)).isEmpty();
  }

  @Test
  void repeatedMovesEndWithEveryNodeWithinOneOfEveryOther() {
    Random random = new Random(5);
    for (int round = 0; round < 50; round++) {
      int partitions = 1 + random.nextInt(64);
      List<String> nodes = new ArrayList<>();
      int n = 3 + random.nextInt(3);
      for (int i = 1; i <= n; i++) {
        nodes.add("n" + i);
      }
      Placement placement = new RendezvousPlacement(3).place(partitions,
          nodes.stream().map(id -> new PlacementMember(id, "r", "z")).toList());
      List<List<String>> replicas = new ArrayList<>();
      List<String> leaders = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        replicas.add(placement.replicasOf(p));
        leaders.add(placement.replicasOf(p).get(random.nextInt(3)));
      }
      for (int moves = 0; ; moves++) {
        assertThat(moves).as("moves stop").isLessThan(partitions * partitions + 1);
        Optional<LeaderBalance.Transfer> move = Optional.empty();
        for (String node : nodes) {
          move = LeaderBalance.next(node, leaders, replicas, (p, t) -> true);
          if (move.isPresent()) {
            break;
          }
        }
        if (move.isEmpty()) {
          break;
        }
        assertThat(replicas.get(move.get().partition())).contains(move.get().target());
        leaders.set(move.get().partition(), move.get().target());
      }
      Map<String, Integer> counts = new HashMap<>();
      nodes.forEach(id -> counts.put(id, 0));
      leaders.forEach(l -> counts.merge(l, 1, Integer::sum));
      // Where moves stop, no partition has a replica leading two fewer than its leader ...
      for (int p = 0; p < partitions; p++) {
        int leaderCount = counts.get(leaders.get(p));
        for (String replica : replicas.get(p)) {
          assertThat(leaderCount - counts.get(replica)).as("partition %d in %s", p, counts).isLessThanOrEqualTo(1);
        }
      }
      // ... which, where every node hosts every partition, means every node within one of every other.
      if (n == 3) {
        assertThat(Collections.max(counts.values()) - Collections.min(counts.values()))
            .as("leader counts %s", counts).isLessThanOrEqualTo(1);
      }
    }
  }
}
