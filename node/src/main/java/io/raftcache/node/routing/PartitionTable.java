package io.raftcache.node.routing;

import java.util.List;

/**
 * An immutable, epoch-versioned map from partitions to the nodes that host them.
 *
 * @param clusterId id of the cluster
 * @param epoch bumps on every change of members or assignments
 * @param partitionCount P
 * @param members every node
 * @param assignments one per partition, by partition number
 */
public record PartitionTable(
    String clusterId, long epoch, int partitionCount, List<Member> members, List<Assignment> assignments) {
  public PartitionTable {
    members = List.copyOf(members);
    assignments = List.copyOf(assignments);
  }

  /** One node. */
  public record Member(String nodeId, String clientAddress, String region, String zone, String state) {}

  /** The replicas of one partition. */
  public record Assignment(int partition, String leader, List<String> replicas, long epoch) {
    public Assignment {
      replicas = List.copyOf(replicas);
    }
  }

  /** The table of a single node that hosts and leads every partition. */
  public static PartitionTable singleNode(String clusterId, Member self, int partitionCount) {
    List<Assignment> assignments = new java.util.ArrayList<>(partitionCount);
    for (int p = 0; p < partitionCount; p++) {
      assignments.add(new Assignment(p, self.nodeId(), List.of(self.nodeId()), 1));
    }
    return new PartitionTable(clusterId, 1, partitionCount, List.of(self), assignments);
  }
}
