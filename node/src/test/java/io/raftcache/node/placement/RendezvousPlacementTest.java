package io.raftcache.node.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.Test;

/** Properties of rendezvous placement: deterministic, complete, zone-spread, balanced, and stable under change. */
class RendezvousPlacementTest {
  static final int P = 64;
  static final int R = 3;
  static final int SEEDS = 20;

  @Test
  void samePlacementForSameMembersInAnyOrder() {
    Random random = new Random(1);
    for (int trial = 0; trial < 50; trial++) {
      int n = 1 + random.nextInt(12);
      int r = 1 + random.nextInt(5);
      int partitions = 1 + random.nextInt(100);
      List<PlacementMember> members = randomMembers(random, n, 1 + random.nextInt(4));
      Placement first = new RendezvousPlacement(r).place(partitions, members);

      assertThat(new RendezvousPlacement(r).place(partitions, members)).isEqualTo(first);
      for (int shuffle = 0; shuffle < 5; shuffle++) {
        List<PlacementMember> shuffled = new ArrayList<>(members);
        Collections.shuffle(shuffled, random);
        assertThat(new RendezvousPlacement(r).place(partitions, shuffled))
            .as("trial %d, order %s", trial, shuffled).isEqualTo(first);
      }
    }
  }

  @Test
  void withoutTheBoundAndOneZoneEachPartitionGetsItsTopRankedNodes() {
    // Re-derives the documented score encoding independently, so a change to it cannot pass unnoticed.
    LongHashFunction xx = LongHashFunction.xx(0);
    List<PlacementMember> members = List.of(member("a", "z"), member("node-2", "z"), member("ü-3", "z"),
        member("node-4", "z"), member("b", "z"));
    Placement placement = new RendezvousPlacement(R, 1e9).place(300, members);
    for (int p = 0; p < 300; p++) {
      int partition = p;
      List<String> expected = members.stream().map(PlacementMember::nodeId)
          .sorted(Comparator.<String>comparingLong(id -> rawScore(xx, partition, id))
              .reversed()).limit(R).toList();
      assertThat(placement.replicasOf(p)).as("partition %d", p).isEqualTo(expected);
    }
    assertThat(RendezvousPlacement.score(0x01020304, "ab".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(xx.hashBytes(new byte[] {1, 2, 3, 4, 'a', 'b'}));
  }

  @Test
  void everyPartitionGetsMinOfRAndNDistinctMembers() {
    for (int n = 1; n <= 12; n++) {
      for (int r = 1; r <= 5; r++) {
        for (int partitions : new int[] {1, 7, 64}) {
          for (int zones = 1; zones <= 3; zones++) {
            for (double bound : new double[] {1.0, 1.25}) {
              List<PlacementMember> members = members(n, zones);
              Set<String> ids = ids(members);
              Placement placement = new RendezvousPlacement(r, bound).place(partitions, members);
              assertThat(placement.partitionCount()).isEqualTo(partitions);
              for (int p = 0; p < partitions; p++) {
                List<String> replicas = placement.replicasOf(p);
                assertThat(replicas).as("n=%d r=%d P=%d zones=%d bound=%s p=%d", n, r, partitions, zones, bound, p)
                    .hasSize(Math.min(r, n)).doesNotHaveDuplicates().allMatch(ids::contains);
                assertThat(placement.preferredLeader(p)).isEqualTo(replicas.get(0));
              }
              int cap = (int) Math.ceil(bound * partitions * Math.min(r, n) / n);
              assertThat(placement.replicaCounts().values()).as("n=%d r=%d P=%d zones=%d bound=%s: at most %d each",
                  n, r, partitions, zones, bound, cap).allMatch(count -> count <= cap);
            }
          }
        }
      }
    }
  }

  @Test
  void fewerMembersThanRMeansEveryPartitionUsesAllMembers() {
    List<PlacementMember> members = members(2, 2);
    Placement placement = new RendezvousPlacement(5).place(P, members);
    for (int p = 0; p < P; p++) {
      assertThat(placement.replicasOf(p)).containsExactlyInAnyOrder("node-00", "node-01");
    }
    assertThat(placement.replicaCounts()).containsEntry("node-00", P).containsEntry("node-01", P);
  }

  @Test
  void replicasSpreadOverZones() {
    Random random = new Random(3);
    for (int seed = 0; seed < SEEDS; seed++) {
      List<PlacementMember> threeByThree = randomMembers(random, 9, 3);
      Placement placement = new RendezvousPlacement(R).place(P, threeByThree);
      for (int p = 0; p < P; p++) {
        assertThat(zonesOf(placement.replicasOf(p), threeByThree)).as("3x3, partition %d", p).hasSize(3);
      }

      for (int n : new int[] {4, 5, 6}) { // 2 zones, even and uneven
        List<PlacementMember> twoZones = randomMembers(random, n, 2);
        Placement two = new RendezvousPlacement(R).place(P, twoZones);
        for (int p = 0; p < P; p++) {
          assertThat(zonesOf(two.replicasOf(p), twoZones)).as("2 zones, n=%d, partition %d", n, p).hasSize(2);
        }
      }
    }
  }

  @Test
  void noNodeHostsMoreThanItsBoundedShare() {
    Random random = new Random(4);
    boolean boundEverMattered = false;
    for (int zones : new int[] {1, 3}) {
      for (int n : new int[] {3, 4, 5, 7, 10}) {
        int cap = (int) Math.ceil(1.25 * P * R / n);
        int worstMax = 0;
        int worstMin = Integer.MAX_VALUE;
        int worstUnboundedMax = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
          List<PlacementMember> members = randomMembers(random, n, zones);
          Placement placement = new RendezvousPlacement(R).place(P, members);
          int[] counts = ids(members).stream().mapToInt(id -> placement.replicaCounts().getOrDefault(id, 0)).toArray();
          int max = Arrays.stream(counts).max().orElseThrow();
          int min = Arrays.stream(counts).min().orElseThrow();
          assertThat(max).as("n=%d zones=%d %s", n, zones, placement.replicaCounts()).isLessThanOrEqualTo(cap);
          assertThat(min).as("n=%d zones=%d %s", n, zones, placement.replicaCounts()).isGreaterThanOrEqualTo(1);
          worstMax = Math.max(worstMax, max);
          worstMin = Math.min(worstMin, min);

          Placement unbounded = new RendezvousPlacement(R, 1e9).place(P, members);
          int unboundedMax = Collections.max(unbounded.replicaCounts().values());
          worstUnboundedMax = Math.max(worstUnboundedMax, unboundedMax);
          boundEverMattered |= unboundedMax > cap;
        }
        System.out.printf(Locale.ROOT, "balance P=%d R=%d N=%2d, %d zone(s): fair %.1f, cap %d; bounded max %d min %d;"
            + " unbounded max %d%n", P, R, n, zones, (double) P * R / n, cap, worstMax, worstMin, worstUnboundedMax);
      }
    }
    // Otherwise the test above would pass without the bound doing anything.
    assertThat(boundEverMattered).as("plain HRW exceeds the cap somewhere").isTrue();
  }

  @Test
  void unevenZonesDoNotPushANodePastTheBound() {
    // Zone spreading alone would put b1 and c1 in partitions 0..59 until full, leaving 60..63 only the a nodes.
    List<PlacementMember> members = List.of(member("a1", "a"), member("a2", "a"), member("b1", "b"), member("c1", "c"));
    for (double bound : new double[] {1.0, 1.25}) {
      Placement placement = new RendezvousPlacement(R, bound).place(P, members);
      int cap = (int) Math.ceil(bound * P * R / 4);
      for (int p = 0; p < P; p++) {
        assertThat(placement.replicasOf(p)).as("bound %s, partition %d", bound, p).hasSize(R).doesNotHaveDuplicates();
      }
      assertThat(placement.replicaCounts().values()).as("bound %s: %s", bound, placement.replicaCounts())
          .allMatch(count -> count <= cap);
    }
  }

  @Test
  void addingANodeMovesAboutItsShareOfReplicas() {
    Random random = new Random(5);
    for (int zones : new int[] {1, 3}) {
      for (int n : new int[] {3, 5, 9}) {
        double sum = 0;
        double worst = 0;
        double partitionsSum = 0;
        double moduloSum = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
          List<PlacementMember> after = randomMembers(random, n + 1, zones);
          List<PlacementMember> before = after.subList(0, n);
          Placement a = new RendezvousPlacement(R).place(P, before);
          Placement b = new RendezvousPlacement(R).place(P, after);
          double fraction = (double) moved(a, b) / (P * R);
          sum += fraction;
          worst = Math.max(worst, fraction);
          partitionsSum += (double) changedPartitions(a, b) / P;
          moduloSum += (double) moved(modulo(before), modulo(after)) / (P * R);
        }
        double share = 1.0 / (n + 1); // the new node's fair share: the least a balanced placement must move
        double mean = sum / SEEDS;
        double moduloMean = moduloSum / SEEDS;
        System.out.printf(Locale.ROOT, "add %d->%d, %d zone(s): replicas moved mean %.3f max %.3f (new node's share"
                + " 1/(N+1) = %.3f); partitions touched mean %.3f (R/(N+1) = %.3f); modulo moves %.3f%n",
            n, n + 1, zones, mean, worst, share, partitionsSum / SEEDS, (double) R / (n + 1), moduloMean);

        assertThat(worst).as("add %d->%d, %d zones: worst moved fraction", n, n + 1, zones)
            .isLessThanOrEqualTo(1.6 * share);
        assertThat(mean).as("add %d->%d, %d zones: mean moved fraction", n, n + 1, zones)
            .isLessThanOrEqualTo(1.35 * share);
        if (n > R) { // with N = R every partition holds every node, and modulo is optimal too
          assertThat(moduloMean).as("modulo placement, add %d->%d", n, n + 1).isGreaterThanOrEqualTo(2 * mean);
        }
      }
    }
  }

  @Test
  void removingANodeMostlyKeepsTheOtherReplicas() {
    Random random = new Random(6);
    for (int n : new int[] {4, 6, 10}) {
      double sum = 0;
      double worst = 0;
      double moduloSum = 0;
      int trials = 0;
      for (int seed = 0; seed < SEEDS; seed++) {
        List<PlacementMember> members = randomMembers(random, n, 3);
        for (PlacementMember gone : members) {
          List<PlacementMember> rest = new ArrayList<>(members);
          rest.remove(gone);
          double fraction = survivorsMoved(new RendezvousPlacement(R).place(P, members),
              new RendezvousPlacement(R).place(P, rest), gone.nodeId());
          sum += fraction;
          worst = Math.max(worst, fraction);
          moduloSum += survivorsMoved(modulo(members), modulo(rest), gone.nodeId());
          trials++;
        }
      }
      double mean = sum / trials;
      System.out.printf(Locale.ROOT, "remove 1 of %d: replicas on surviving nodes moved mean %.3f max %.3f;"
          + " modulo moves %.3f%n", n, mean, worst, moduloSum / trials);
      assertThat(worst).as("remove 1 of %d: worst", n).isLessThanOrEqualTo(0.15);
      assertThat(mean).as("remove 1 of %d: mean", n).isLessThanOrEqualTo(0.08);
      if (n > R + 1) {
        assertThat(moduloSum / trials).as("modulo, remove 1 of %d", n).isGreaterThanOrEqualTo(3 * mean);
      }
    }
  }

  @Test
  void rejectsBadInput() {
    RendezvousPlacement placement = new RendezvousPlacement(R);
    assertThatThrownBy(() -> placement.place(P, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty member list");
    assertThatThrownBy(() -> placement.place(P, List.of(member("a", "z1"), member("b", "z1"), member("a", "z2"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate node id 'a'");
    assertThatThrownBy(() -> placement.place(0, members(3, 3)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition count must be at least 1, got 0");
    assertThatThrownBy(() -> placement.place(-5, members(3, 3)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -5");
    assertThatThrownBy(() -> new RendezvousPlacement(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replication factor must be at least 1, got 0");
    assertThatThrownBy(() -> new RendezvousPlacement(3, 0.9))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("load bound");
    assertThatThrownBy(() -> new RendezvousPlacement(3, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("load bound");
    assertThatThrownBy(() -> member(" ", "z"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
  }

  static PlacementMember member(String id, String zone) {
    return new PlacementMember(id, "home", zone);
  }

  /** node-00, node-01, … in zones z0, z1, … round robin. */
  static List<PlacementMember> members(int n, int zones) {
    List<PlacementMember> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add(member(String.format(Locale.ROOT, "node-%02d", i), "z" + (i % zones)));
    }
    return members;
  }

  /** n members with random ids, in zones z0, z1, … round robin (in list order). */
  static List<PlacementMember> randomMembers(Random random, int n, int zones) {
    Set<String> ids = new LinkedHashSet<>();
    while (ids.size() < n) {
      ids.add("node-" + Integer.toHexString(random.nextInt()));
    }
    List<PlacementMember> members = new ArrayList<>();
    for (String id : ids) {
      members.add(member(id, "z" + (members.size() % zones)));
    }
    return members;
  }

  static Set<String> ids(List<PlacementMember> members) {
    Set<String> ids = new HashSet<>();
    members.forEach(m -> ids.add(m.nodeId()));
    return ids;
  }

  static Set<String> zonesOf(List<String> nodeIds, List<PlacementMember> members) {
    Set<String> zones = new HashSet<>();
    for (PlacementMember m : members) {
      if (nodeIds.contains(m.nodeId())) {
        zones.add(m.zone());
      }
    }
    return zones;
  }

  static long rawScore(LongHashFunction xx, int partition, String nodeId) {
    byte[] id = nodeId.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[4 + id.length];
    bytes[0] = (byte) (partition >>> 24);
    bytes[1] = (byte) (partition >>> 16);
    bytes[2] = (byte) (partition >>> 8);
    bytes[3] = (byte) partition;
    System.arraycopy(id, 0, bytes, 4, id.length);
    return xx.hashBytes(bytes) ^ Long.MIN_VALUE; // flips the sign bit so signed order is unsigned order
  }

  /** Replicas in {@code after} that {@code before} did not have on the same partition: the copies to make. */
  static int moved(Placement before, Placement after) {
    int moved = 0;
    for (int p = 0; p < after.partitionCount(); p++) {
      for (String node : after.replicasOf(p)) {
        moved += before.replicasOf(p).contains(node) ? 0 : 1;
      }
    }
    return moved;
  }

  /** The fraction of {@code before}'s replicas, not on {@code gone}, that {@code after} no longer has. */
  static double survivorsMoved(Placement before, Placement after, String gone) {
    int kept = 0;
    int stayed = 0;
    for (int p = 0; p < before.partitionCount(); p++) {
      for (String node : before.replicasOf(p)) {
        if (!node.equals(gone)) {
          kept++;
          stayed += after.replicasOf(p).contains(node) ? 1 : 0;
        }
      }
    }
    return 1.0 - (double) stayed / kept;
  }

  static int changedPartitions(Placement before, Placement after) {
    int changed = 0;
    for (int p = 0; p < after.partitionCount(); p++) {
      changed += Set.copyOf(before.replicasOf(p)).equals(Set.copyOf(after.replicasOf(p))) ? 0 : 1;
    }
    return changed;
  }

  /** The naive alternative: partition p on the sorted nodes p, p+1, …, p+R-1 modulo N. */
  static Placement modulo(List<PlacementMember> members) {
    List<String> sorted = members.stream().map(PlacementMember::nodeId).sorted().toList();
    List<List<String>> replicas = new ArrayList<>();
    for (int p = 0; p < P; p++) {
      List<String> nodes = new ArrayList<>();
      for (int i = 0; i < R; i++) {
        nodes.add(sorted.get((p + i) % sorted.size()));
      }
      replicas.add(nodes);
    }
    return new Placement(replicas);
  }
}
