package io.raftcache.node.placement;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which nodes host each partition's replicas: for partition {@code p}, {@code replicas().get(p)} lists node ids,
 * the preferred leader first.
 *
 * @param replicas one list per partition 0..P-1, each non-empty and without duplicates
 */
public record Placement(List<List<String>> replicas) {
  public Placement {
    List<List<String>> copy = new ArrayList<>(replicas.size());
    for (int p = 0; p < replicas.size(); p++) {
      List<String> nodes = List.copyOf(replicas.get(p));
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("partition " + p + " has no replicas");
      }
      if (nodes.stream().distinct().count() != nodes.size()) {
        throw new IllegalArgumentException("partition " + p + " lists a node twice: " + nodes);
      }
      copy.add(nodes);
    }
    replicas = List.copyOf(copy);
  }

  /** The number of partitions, P. */
  public int partitionCount() {
    return replicas.size();
  }

  /** The node ids hosting {@code partition}, preferred leader first. */
  public List<String> replicasOf(int partition) {
    return replicas.get(partition);
  }

  /** The node that should lead {@code partition} when it is healthy. */
  public String preferredLeader(int partition) {
    return replicas.get(partition).get(0);
  }

  /** How many replicas each node hosts, by node id; a node hosting none is absent. */
  public Map<String, Integer> replicaCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    for (List<String> nodes : replicas) {
      for (String node : nodes) {
        counts.merge(node, 1, Integer::sum);
      }
    }
    return Collections.unmodifiableMap(counts);
  }
}
