package io.raftcache.node.placement;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * The next leadership hand-over that evens out how many partitions each node leads: a pure function of who leads
 * what, so every node can decide its own moves from the topology it already has.
 *
 * <p>A node hands one of its partitions to a replica that leads at least two fewer partitions than it does. Each
 * such move lowers the sum of squared leader counts, so moves stop: then no partition has a replica leading two
 * fewer than its leader, which puts every node within one of every other where every node hosts every partition
 * (three nodes, three replicas) and close to it otherwise. Among the possible moves it takes the target that
 * leads fewest, then the target that ranks first in the partition's replica list (the placement's preferred
 * leader), then the lowest partition number.
 */
public final class LeaderBalance {
  private LeaderBalance() {}

  /** Hand partition {@code partition}'s leadership to node {@code target}. */
  public record Transfer(int partition, String target) {}

  /**
   * @param self this node's id
   * @param leaders the leader of each partition by number; null where none is known, and then nothing moves
   *     (an election is under way)
   * @param replicas the replica node ids of each partition, in placement order
   * @param eligible whether a node may take over a partition now (it answers its leader, and the partition is not
   *     cooling down after an earlier move)
   * @return the move this node should make, if any
   */
  public static Optional<Transfer> next(String self, List<String> leaders, List<List<String>> replicas,
      BiPredicate<Integer, String> eligible) {
    Map<String, Integer> counts = new HashMap<>();
    for (List<String> r : replicas) {
      r.forEach(node -> counts.putIfAbsent(node, 0));
    }
    for (String leader : leaders) {
      if (leader == null) {
        return Optional.empty();
      }
      counts.merge(leader, 1, Integer::sum);
    }
    int mine = counts.getOrDefault(self, 0);
    Transfer best = null;
    int bestCount = Integer.MAX_VALUE;
    int bestRank = Integer.MAX_VALUE;
    for (int p = 0; p < leaders.size(); p++) {
      if (!self.equals(leaders.get(p))) {
        continue;
      }
      List<String> candidates = replicas.get(p);
      for (int rank = 0; rank < candidates.size(); rank++) {
        String target = candidates.get(rank);
        int count = counts.getOrDefault(target, 0);
        if (target.equals(self) || count > mine - 2 || !eligible.test(p, target)) {
          continue;
        }
        if (count < bestCount || (count == bestCount && rank < bestRank)) {
          best = new Transfer(p, target);
          bestCount = count;
          bestRank = rank;
        }
      }
    }
    return Optional.ofNullable(best);
  }
}
