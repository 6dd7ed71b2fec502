package io.raftcache.node.placement;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import net.openhft.hashing.LongHashFunction;

/**
 * Places R replicas of each partition by rendezvous (highest random weight) hashing of (partition, node), spread
 * over zones and with a bound on the replicas any one node hosts.
 *
 * <p>The result is a pure function of (P, R, load bound, member set): the order of the member list never
 * matters, and neither does anything else, so every node that computes it gets the same answer.
 *
 * <p>Placement considers every member it is given and nothing else: it does not filter by region. The caller
 * passes the voters of the home region; learners in other regions are placed separately.
 *
 * <p>Score: {@code score(p, node)} is xxHash64 with seed 0 of the bytes {@code [p as a 4-byte big-endian int]
 * ‖ [node id as UTF-8]}, no separator and no length prefix (the partition part has a fixed width, so the
 * encoding is unambiguous), compared as an unsigned 64-bit integer. For each partition nodes rank by score,
 * highest first; equal scores rank by node id ({@link String#compareTo}).
 *
 * <p>Selection, partitions in order 0..P-1: walk the ranking and take the first node of each (region, zone) not
 * yet used, until R are taken; then take the best-ranked remaining nodes. In both passes a node that already
 * hosts {@code ceil(loadBound * P * R / N)} replicas is full and skipped, and near the end of a tight placement
 * a node may be skipped so that the remaining partitions still fit (see the implementation notes). The replica
 * list keeps the order of taking, so its first node, the preferred leader, is the best-ranked node taken.
 */
public final class RendezvousPlacement {
  /*
   * Implementation notes
   *
   * Why HRW. Each node's claim on a partition is an independent hash, so a partition's ranking changes only where
   * a node enters or leaves it: a new node lands in a partition's top R with probability R/(N+1) and then pushes
   * out exactly one replica, so about 1/(N+1) of all replicas (the new node's fair share) move and nothing else
   * does. Removing a node moves only the replicas it held. There is no ring or table to store, version or
   * replicate; the member list in the meta group is the whole state. Cost is P*N hashes per computation, which is
   * nothing at cluster sizes (64 partitions x 100 nodes is 6,400 hashes). Modulo placement, by contrast, reshuffles
   * most replicas when N changes.
   *
   * Why zones first. R voters in one zone lose quorum together when that zone goes down. Taking the first node
   * of each distinct zone in rank order keeps HRW's stability (a zone's representative changes only when the
   * ranking inside that zone changes) while giving each partition min(R, zones) distinct zones, unless the bound
   * intervenes (below). With fewer zones than R, the remaining replicas come from the plain ranking, so every
   * zone is still used once.
   *
   * Why bounded load. Plain HRW balances only on average: with P = 64 and R = 3, over 20 random member sets the
   * busiest node hosted up to 1.4x its share at N = 7 and 1.7x at N = 10 (one zone; uneven zones are worse), and
   * that node runs out of memory first and leads the most groups. The bound caps a node at loadBound times its
   * share; a full node is skipped, so its overflow goes to the next ranked node. It caps the top only: at N = 10
   * the lightest node may still host well under its share. The cost is a little extra movement: when membership
   * changes, a node can fill up at a different partition than before, and the skipped replicas cascade to other
   * partitions (the tests measure it: 4-5% of the untouched replicas move when a node leaves). Partitions are
   * processed in order 0..P-1 so the cascade, too, is deterministic.
   *
   * The bound wins over zone spreading: with very uneven zones (one node alone in its zone) that node cannot host
   * a replica of every partition, and some partitions then use fewer zones. Keep zones roughly even.
   *
   * Dead ends. Filling partitions greedily in order can paint itself into a corner: with 4 nodes in zones
   * {a, a, b, c}, R = 3 and P = 64, zone spreading puts the b and c nodes in every partition until they are full
   * at 60, leaving partitions 60..63 with only the two a nodes. So before each partition we check that the rest
   * can still be placed. With K partitions left (this one included) and room c_i = cap - load_i on node i, the rest
   * fits iff S = sum_i min(c_i, K) - K*R >= 0 (a K x N 0/1 matrix with row sums R and column sums <= c_i exists
   * iff that holds). Taking a set T for this partition changes S by minus the number of "roomy" nodes (c_i >= K)
   * left out of T. So at least (roomy - S) roomy nodes must be taken now; a node that is not roomy is skipped
   * when taking it would leave too few slots for them. S >= 0 holds at the start because the cap is at least the
   * fair share, so every partition gets R replicas and no node exceeds the cap. The guard only bites near the end
   * of a tight placement; otherwise it changes nothing.
   */
  /** The default load bound: no node hosts more than 125% of its fair share of replicas. */
  public static final double DEFAULT_LOAD_BOUND = 1.25;
  private static final LongHashFunction XX64 = LongHashFunction.xx(0);

  private final int replicationFactor;
  private final double loadBound;

  /** A placement with replication factor {@code replicationFactor} and the default load bound. */
  public RendezvousPlacement(int replicationFactor) {
    this(replicationFactor, DEFAULT_LOAD_BOUND);
  }

  /**
   * @param replicationFactor R, the replicas per partition; capped at the member count when placing
   * @param loadBound at least 1.0; no node hosts more than {@code ceil(loadBound * P * R / N)} replicas
   */
  public RendezvousPlacement(int replicationFactor, double loadBound) {
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replication factor must be at least 1, got " + replicationFactor);
    }
    if (!(loadBound >= 1.0) || Double.isInfinite(loadBound)) {
      throw new IllegalArgumentException("load bound must be a finite number >= 1.0, got " + loadBound);
    }
    this.replicationFactor = replicationFactor;
    this.loadBound = loadBound;
  }

  /**
   * Returns the replicas of partitions 0..{@code partitionCount}-1 over {@code members}.
   *
   * @throws IllegalArgumentException if {@code partitionCount < 1}, {@code members} is empty or repeats a node id
   */
  public Placement place(int partitionCount, List<PlacementMember> members) {
    Objects.requireNonNull(members, "members");
    if (partitionCount < 1) {
      throw new IllegalArgumentException("partition count must be at least 1, got " + partitionCount);
    }
    if (members.isEmpty()) {
      throw new IllegalArgumentException("cannot place partitions on an empty member list");
    }
    List<PlacementMember> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparing(PlacementMember::nodeId));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).nodeId().equals(sorted.get(i - 1).nodeId())) {
        throw new IllegalArgumentException("duplicate node id '" + sorted.get(i).nodeId() + "' in the member list");
      }
    }

    int n = sorted.size();
    int r = Math.min(replicationFactor, n);
    int capacity = capacity(partitionCount, r, n);
    byte[][] ids = new byte[n][];
    Domain[] domains = new Domain[n];
    for (int i = 0; i < n; i++) {
      ids[i] = sorted.get(i).nodeId().getBytes(StandardCharsets.UTF_8);
      domains[i] = new Domain(sorted.get(i).region(), sorted.get(i).zone());
    }

    int[] load = new int[n];
    long[] scores = new long[n];
    Integer[] ranking = new Integer[n];
    // Indices follow node-id order, so comparing indices breaks score ties by node id.
    Comparator<Integer> byRank = (a, b) -> {
      int c = Long.compareUnsigned(scores[b], scores[a]);
      return c != 0 ? c : Integer.compare(a, b);
    };
    List<List<String>> replicas = new ArrayList<>(partitionCount);
    for (int p = 0; p < partitionCount; p++) {
      for (int i = 0; i < n; i++) {
        scores[i] = score(p, ids[i]);
        ranking[i] = i;
      }
      Arrays.sort(ranking, byRank);

      // See "Dead ends" in the implementation notes: nodes with room for every remaining partition, beyond the
      // slack, must be taken now or the bound cannot be kept later.
      int remaining = partitionCount - p;
      long slack = -(long) remaining * r;
      int roomy = 0;
      for (int i = 0; i < n; i++) {
        slack += Math.min(capacity - load[i], remaining);
        roomy += capacity - load[i] >= remaining ? 1 : 0;
      }
      Selection selection = new Selection(r, (int) Math.max(0, roomy - slack));
      Set<Domain> usedDomains = new HashSet<>();
      for (int i : ranking) {
        if (selection.mayTake(i, load, capacity, remaining) && !usedDomains.contains(domains[i])) {
          usedDomains.add(domains[i]);
          selection.take(i, load, capacity, remaining);
        }
      }
      for (int i : ranking) {
        if (selection.mayTake(i, load, capacity, remaining)) {
          selection.take(i, load, capacity, remaining);
        }
      }
      if (selection.chosen.size() < r) {
        throw new IllegalStateException("unreachable: no room for partition " + p + "; capacity " + capacity);
      }
      List<String> chosen = new ArrayList<>(r);
      for (int i : selection.chosen) {
        chosen.add(sorted.get(i).nodeId());
      }
      replicas.add(chosen);
    }
    return new Placement(replicas);
  }

  /**
   * The most replicas one node may host: {@code ceil(loadBound * P * R / N)}, never below the fair share (so the
   * replicas always fit) and never above P (one per partition is all a node can host anyway).
   */
  int capacity(int partitionCount, int replicas, int nodes) {
    long total = (long) partitionCount * replicas;
    long fairShare = (total + nodes - 1) / nodes;
    double bounded = Math.ceil(loadBound * total / nodes);
    return (int) Math.max(fairShare, (long) Math.min(partitionCount, bounded));
  }

  /** The rendezvous score of a node (by its UTF-8 id bytes) for a partition; see the class comment. */
  static long score(int partition, byte[] nodeIdUtf8) {
    byte[] bytes = new byte[4 + nodeIdUtf8.length];
    bytes[0] = (byte) (partition >>> 24);
    bytes[1] = (byte) (partition >>> 16);
    bytes[2] = (byte) (partition >>> 8);
    bytes[3] = (byte) partition;
    System.arraycopy(nodeIdUtf8, 0, bytes, 4, nodeIdUtf8.length);
    return XX64.hashBytes(bytes);
  }

  /** The replicas being chosen for one partition, by member index, in the order taken. */
  private static final class Selection {
    final List<Integer> chosen;
    final int replicas;
    /** Roomy nodes (room for every remaining partition) that must still be taken. */
    int roomyOwed;

    Selection(int replicas, int roomyOwed) {
      this.chosen = new ArrayList<>(replicas);
      this.replicas = replicas;
      this.roomyOwed = roomyOwed;
    }

    boolean mayTake(int i, int[] load, int capacity, int remaining) {
      if (chosen.size() >= replicas || load[i] >= capacity || chosen.contains(i)) {
        return false;
      }
      boolean roomy = capacity - load[i] >= remaining;
      return roomy || replicas - chosen.size() - 1 >= roomyOwed;
    }

    void take(int i, int[] load, int capacity, int remaining) {
      if (capacity - load[i] >= remaining && roomyOwed > 0) {
        roomyOwed--;
      }
      load[i]++;
      chosen.add(i);
    }
  }

  /** A failure domain: zones are named within a region, so the pair identifies one. */
  private record Domain(String region, String zone) {}
}
