package io.raftcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.ClusterPeer;
import io.raftcache.node.partition.Partition;
import io.raftcache.node.storage.StoreDigest;
import io.raftcache.node.testing.FreePorts;
import io.raftcache.node.testing.GrpcAssertions;
import io.raftcache.node.testing.LoopbackNodes;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.proto.Partitioning;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.GetMultiRequest;
import io.raftcache.proto.v1.GetMultiResponse;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.IncrementRequest;
import io.raftcache.proto.v1.InvalidateTagRequest;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.RemoveNodeRequest;
import io.raftcache.proto.v1.SetMultiEntry;
import io.raftcache.proto.v1.SetMultiRequest;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clusters larger than the replication factor: each partition lives on R = 3 of the members, chosen by rendezvous
 * placement, and every member still serves every key.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PartialReplicationIT {
  static final int PARTITIONS = 8;
  static final int R = 3;

  @TempDir Path dir;
  final List<ClusterPeer> peers = new ArrayList<>();
  final Map<String, RaftCacheNode> nodes = new LinkedHashMap<>();
  final Map<String, ManagedChannel> channels = new HashMap<>();
  final MutableClock clock = MutableClock.atStart();
  /** Zone of each node; nodes not listed are in zone "local". */
  final Map<String, String> zones = new HashMap<>();

  @AfterEach
  void stopAll() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    nodes.values().forEach(RaftCacheNode::close);
  }

  ClusterPeer newPeer(String id) {
    ClusterPeer peer = new ClusterPeer(id, "127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next());
    peers.add(peer);
    return peer;
  }

  void start(ClusterPeer peer, List<ClusterPeer> founders, List<String> join) throws Exception {
    nodes.put(peer.nodeId(), LoopbackNodes.start(dir, peer, founders, join, clock, 64L << 20, PARTITIONS, R,
        zones.getOrDefault(peer.nodeId(), "local")));
    channels.put(peer.nodeId(), LoopbackNodes.channel(peer));
  }

  void stop(String nodeId) {
    channels.remove(nodeId).shutdownNow();
    nodes.remove(nodeId).close();
  }

  CacheGrpc.CacheBlockingStub cache(String nodeId) {
    return CacheGrpc.newBlockingStub(channels.get(nodeId)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  Topology topology(String nodeId) {
    return ClusterGrpc.newBlockingStub(channels.get(nodeId)).withDeadlineAfter(5, TimeUnit.SECONDS)
        .getTopology(GetTopologyRequest.getDefaultInstance());
  }

  /** Partition number → its replicas' node ids, from the topology of {@code nodeId}. */
  Map<Integer, List<String>> assignment(String nodeId) {
    Map<Integer, List<String>> replicas = new HashMap<>();
    for (PartitionAssignment a : topology(nodeId).getPartitionsList()) {
      replicas.put(a.getPartition(), a.getReplicasList());
    }
    return replicas;
  }

  /**
   * Waits until every node hosts exactly the partitions the cluster state assigns to it, with R replicas each (or
   * every member, in a smaller cluster), and every node's topology names a leader among each partition's replicas.
   */
  Map<Integer, List<String>> awaitPlacement(int members) {
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      Map<Integer, List<String>> assigned = assignment(nodes.keySet().iterator().next());
      assertThat(assigned).hasSize(PARTITIONS);
      for (String id : nodes.keySet()) {
        Topology t = topology(id);
        assertThat(t.getMembersCount()).isEqualTo(members);
        for (PartitionAssignment a : t.getPartitionsList()) {
          assertThat(a.getReplicasList()).hasSize(Math.min(R, members)).isEqualTo(assigned.get(a.getPartition()));
          assertThat(a.getReplicasList()).as("leader of %d seen by %s", a.getPartition(), id).contains(a.getLeader());
        }
        Set<Integer> expected = new TreeSet<>();
        assigned.forEach((p, replicas) -> {
          if (replicas.contains(id)) {
            expected.add(p);
          }
        });
        Set<Integer> hosted = new TreeSet<>();
        nodes.get(id).partitions().hosted().forEach(p -> hosted.add(p.id()));
        assertThat(hosted).as("partitions hosted by %s", id).isEqualTo(expected);
      }
    });
    return assignment(nodes.keySet().iterator().next());
  }

  /** Waits until the replicas of every partition hold identical stores. */
  void awaitIdenticalReplicas() {
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      for (int p = 0; p < PARTITIONS; p++) {
        List<StoreDigest> digests = new ArrayList<>();
        for (RaftCacheNode node : nodes.values()) {
          Partition partition = node.partitions().all().get(p);
          if (partition.hosted()) {
            digests.add(StoreDigest.of(partition.store()));
          }
        }
        assertThat(digests).as("replicas of partition %d", p).hasSize(Math.min(R, nodes.size()))
            .allMatch(d -> d.equals(digests.get(0)));
      }
    });
  }

  static SetRequest set(String key, String value) {
    return SetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build();
  }

  static GetRequest get(String key, Consistency consistency) {
    return GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8(key))
        .setConsistency(consistency).build();
  }

  static String keyIn(int partition, String prefix) {
    for (int i = 0; ; i++) {
      if (Partitioning.partitionOf("app", (prefix + i).getBytes(), PARTITIONS) == partition) {
        return prefix + i;
      }
    }
  }

  List<ClusterPeer> founders(int n) {
    for (int i = 1; i <= n; i++) {
      newPeer("n" + i);
    }
    return List.copyOf(peers);
  }

  @Test
  void eachPartitionLivesOnThreeOfFiveNodesAndEveryNodeServesEveryKey() throws Exception {
    List<ClusterPeer> founders = founders(5);
    zones.putAll(Map.of("n1", "z1", "n2", "z2", "n3", "z3", "n4", "z1", "n5", "z2"));
    for (ClusterPeer peer : founders) {
      start(peer, founders, List.of());
    }
    // Founders know only their own zone; each corrects its record, and placement then spreads over the zones.
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(
        topology("n1").getMembersList()).allSatisfy(m -> assertThat(m.getZone()).isEqualTo(zones.get(m.getNodeId()))));
    Map<Integer, List<String>> assigned = awaitPlacement(5);
    List<io.raftcache.node.placement.PlacementMember> placed = topology("n1").getMembersList().stream()
        .map(m -> new io.raftcache.node.placement.PlacementMember(m.getNodeId(), m.getRegion(), m.getZone())).toList();
    Map<Integer, List<String>> expected = new HashMap<>();
    List<List<String>> placement = new io.raftcache.node.placement.RendezvousPlacement(R).place(PARTITIONS, placed)
        .replicas();
    for (int p = 0; p < PARTITIONS; p++) {
      expected.put(p, placement.get(p));
    }
    assertThat(assigned).isEqualTo(expected);
    assertThat(assigned.values()).allSatisfy(replicas ->
        assertThat(replicas.stream().map(zones::get).distinct().count()).as("zones of %s", replicas).isGreaterThan(1));
    // Rendezvous placement spreads the 24 replicas: no node hosts more than ceil(1.25 * 24 / 5) = 6.
    Map<String, Integer> load = new HashMap<>();
    assigned.values().forEach(replicas -> replicas.forEach(id -> load.merge(id, 1, Integer::sum)));
    assertThat(load).hasSize(5).allSatisfy((id, count) -> assertThat(count).isBetween(1, 6));

    // Every node writes and reads keys of every partition, most of which it does not host.
    Map<String, String> written = new LinkedHashMap<>();
    for (String via : nodes.keySet()) {
      for (int p = 0; p < PARTITIONS; p++) {
        String key = keyIn(p, via + "-");
        cache(via).set(set(key, "from " + via));
        written.put(key, "from " + via);
      }
    }
    for (String via : nodes.keySet()) {
      for (Map.Entry<String, String> e : written.entrySet()) {
        int p = Partitioning.partitionOf("app", e.getKey().getBytes(), PARTITIONS);
        for (Consistency c : List.of(Consistency.LINEARIZABLE, Consistency.LEASE, Consistency.STALE)) {
          GetResponse r = await().atMost(Duration.ofSeconds(10)).until(() -> cache(via).get(get(e.getKey(), c)),
              GetResponse::getFound);
          assertThat(r.getValue().toStringUtf8()).isEqualTo(e.getValue());
          // The response names the replica that served it: this node if it hosts the partition, else another.
          assertThat(assigned.get(p)).contains(r.getServedBy().getNodeId());
          assertThat(r.getServedBy().getForwarded()).isEqualTo(!assigned.get(p).contains(via));
        }
      }
    }

    // Batches and tag removal through a node that hosts only some partitions.
    String outsider = nodes.keySet().stream().filter(id -> assigned.values().stream().filter(r -> r.contains(id))
        .count() < PARTITIONS).findFirst().orElseThrow();
    SetMultiRequest.Builder batch = SetMultiRequest.newBuilder().setNamespace("app");
    GetMultiRequest.Builder reads = GetMultiRequest.newBuilder().setNamespace("app");
    for (int i = 0; i < 200; i++) {
      batch.addEntries(SetMultiEntry.newBuilder().setKey(ByteString.copyFromUtf8("m" + i))
          .setValue(ByteString.copyFromUtf8("v" + i)).addTags(i % 2 == 0 ? "even" : "odd"));
      reads.addKeys(ByteString.copyFromUtf8("m" + i));
    }
    cache(outsider).setMulti(batch.build());
    GetMultiResponse multi = cache(outsider).getMulti(reads.setConsistency(Consistency.LINEARIZABLE).build());
    assertThat(multi.getResultsList()).hasSize(200);
    for (int i = 0; i < 200; i++) {
      assertThat(multi.getResults(i).getValue().toStringUtf8()).isEqualTo("v" + i);
    }
    assertThat(cache(outsider).invalidateTag(InvalidateTagRequest.newBuilder().setNamespace("app").setTag("even")
        .build()).getDeletedCount()).isEqualTo(100);
    for (int i = 0; i < 200; i++) {
      assertThat(cache(outsider).get(get("m" + i, Consistency.LINEARIZABLE)).getFound()).isEqualTo(i % 2 == 1);
    }

    // A caller that routes itself and reaches a node without the partition is told where to go.
    int foreign = assigned.entrySet().stream().filter(e -> !e.getValue().contains(outsider)).findFirst()
        .orElseThrow().getKey();
    Metadata headers = new Metadata();
    headers.put(RaftCacheMetadata.NO_FORWARD, "true");
    StatusRuntimeException refused = GrpcAssertions.assertFails(() -> cache(outsider)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).set(set(keyIn(foreign, "x"), "v")),
        io.grpc.Status.Code.UNAVAILABLE, ErrorReason.NOT_LEADER);
    assertThat(refused.getTrailers().get(RaftCacheMetadata.LEADER_HINT)).isNotNull();

    awaitIdenticalReplicas();
    // Nodes keep no data of partitions they do not host.
    for (String id : nodes.keySet()) {
      for (int p = 0; p < PARTITIONS; p++) {
        boolean hosts = assigned.get(p).contains(id);
        assertThat(Files.exists(dir.resolve(id).resolve("raft").resolve(String.format("p-%04d", p))))
            .as("raft data of %d on %s", p, id).isEqualTo(hosts);
      }
    }
  }

  @Test
  void replicasMoveWhenMembersChangeAndNothingAcknowledgedIsLost() throws Exception {
    List<ClusterPeer> founders = founders(4);
    for (ClusterPeer peer : founders) {
      start(peer, founders, List.of());
    }
    Map<Integer, List<String>> before = awaitPlacement(4);
    Map<String, String> acknowledged = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      cache("n" + (i % 4 + 1)).set(set("k" + i, "v" + i));
      acknowledged.put("k" + i, "v" + i);
    }

    // n4 dies and is removed: its replicas are re-created on the others, so every partition is back to three.
    stop("n4");
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> AdminGrpc.newBlockingStub(channels.get("n1"))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .removeNode(RemoveNodeRequest.newBuilder().setNodeId("n4").setConfirm("n4").build()), r -> r.getEpoch() > 1);
    awaitPlacement(3);
    awaitIdenticalReplicas();
    for (int i = 200; i < 300; i++) {
      cache("n" + (i % 3 + 1)).set(set("k" + i, "v" + i));
      acknowledged.put("k" + i, "v" + i);
    }

    // A new node joins: it receives its share of replicas, and the nodes that gave them up release them.
    ClusterPeer n5 = newPeer("n5");
    start(n5, List.of(n5), List.of(peers.get(0).clientAddress()));
    Map<Integer, List<String>> after = awaitPlacement(4);
    assertThat(after.values().stream().filter(r -> r.contains("n5")).count()).isPositive();
    awaitIdenticalReplicas();
    for (String id : nodes.keySet()) {
      for (int p = 0; p < PARTITIONS; p++) {
        boolean hosts = after.get(p).contains(id);
        assertThat(Files.exists(dir.resolve(id).resolve("partitions").resolve(String.format("p-%04d.cmap", p))))
            .as("store file of %d on %s", p, id).isEqualTo(hosts);
      }
    }
    for (String id : nodes.keySet()) {
      for (Map.Entry<String, String> e : acknowledged.entrySet()) {
        assertThat(cache(id).get(get(e.getKey(), Consistency.LINEARIZABLE)).getValue().toStringUtf8())
            .as("%s on %s", e.getKey(), id).isEqualTo(e.getValue());
      }
    }
    assertThat(cache("n5").increment(IncrementRequest.newBuilder().setNamespace("app")
        .setKey(ByteString.copyFromUtf8("counter")).setDelta(3).build()).getValue()).isEqualTo(3);
    System.out.printf("placement before %s, after n4 left and n5 joined %s%n", before, after);
  }
}
