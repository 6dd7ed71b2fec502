package io.raftcache.client;

import io.raftcache.proto.v1.Member;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.Topology;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the client routes by: P, each partition's leader and replicas, and every member's address, at one epoch.
 *
 * @param epoch the cluster epoch
 * @param partitionCount P
 * @param leaders client address of each partition's leader (null while unknown), by partition
 * @param replicas client addresses of each partition's replicas, by partition
 * @param terms each partition's leader term, to ignore leader news older than what the client has
 * @param addresses every member's client address
 */
record RouteTable(long epoch, int partitionCount, String[] leaders, List<List<String>> replicas, long[] terms,
    List<String> addresses) {

  static RouteTable of(Topology t) {
    Map<String, String> addressById = new HashMap<>();
    for (Member m : t.getMembersList()) {
      addressById.put(m.getNodeId(), m.getClientAddress());
    }
    int p = t.getPartitionCount();
    String[] leaders = new String[p];
    long[] terms = new long[p];
    List<List<String>> replicas = new java.util.ArrayList<>(p);
    for (int i = 0; i < p; i++) {
      replicas.add(List.of());
    }
    for (PartitionAssignment a : t.getPartitionsList()) {
      if (a.getPartition() < p) {
        leaders[a.getPartition()] = addressById.get(a.getLeader());
        terms[a.getPartition()] = a.getEpoch();
        replicas.set(a.getPartition(), a.getReplicasList().stream().map(addressById::get)
            .filter(java.util.Objects::nonNull).toList());
      }
    }
    return new RouteTable(t.getEpoch(), p, leaders, replicas, terms, List.copyOf(addressById.values()));
  }

  /**
   * This table with {@code partition} led from {@code address}, a hint from a NOT_LEADER answer. The node that
   * answered was the leader in this table's term and knows a newer one, so the hint counts as one term later:
   * a refreshed table from a node that has not heard of the new leader yet does not undo it.
   */
  RouteTable withLeader(int partition, String address) {
    String[] next = leaders.clone();
    long[] nextTerms = terms.clone();
    next[partition] = address;
    nextTerms[partition] = terms[partition] + 1;
    return new RouteTable(epoch, partitionCount, next, replicas, nextTerms, addresses);
  }

  /**
   * Combines this table with {@code newer} (an equal or later epoch): members and replicas from {@code newer};
   * each partition's leader from whichever table saw the later term.
   */
  RouteTable mergedWith(RouteTable newer) {
    if (newer.partitionCount != partitionCount) {
      return newer;
    }
    String[] next = newer.leaders.clone();
    long[] nextTerms = newer.terms.clone();
    for (int p = 0; p < partitionCount; p++) {
      if (terms[p] > newer.terms[p] || newer.leaders[p] == null) {
        next[p] = leaders[p];
        nextTerms[p] = terms[p];
      }
    }
    return new RouteTable(newer.epoch, partitionCount, next, newer.replicas, nextTerms, newer.addresses);
  }
}
