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
import io.raftcache.node.storage.StoreDigest;
import io.raftcache.node.testing.FreePorts;
import io.raftcache.node.testing.GrpcAssertions;
import io.raftcache.node.testing.LoopbackNodes;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.node.metrics.StoreStats;
import io.raftcache.proto.Partitioning;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.FlushRequest;
import io.raftcache.proto.v1.FlushResponse;
import io.raftcache.proto.v1.InvalidateTagRequest;
import io.raftcache.proto.v1.InvalidateTagResponse;
import io.raftcache.proto.v1.RemoveNodeRequest;
import io.raftcache.proto.v1.RemoveNodeResponse;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.IncrementRequest;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.SetMultiEntry;
import io.raftcache.proto.v1.SetMultiRequest;
import io.raftcache.proto.v1.DeleteMultiRequest;
import io.raftcache.proto.v1.DeleteMultiResponse;
import io.raftcache.proto.v1.Topology;
import io.raftcache.proto.v1.Member;
import io.raftcache.proto.v1.WatchTopologyRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes on loopback, each a real gRPC server and raft peer, replicating every partition. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReplicatedClusterIT {
  static final int PARTITIONS = 4;

  @TempDir Path dir;
  final List<ClusterPeer> peers = new ArrayList<>();
  final Map<String, RaftCacheNode> nodes = new HashMap<>();
  final Map<String, ManagedChannel> channels = new HashMap<>();
  /** Shared by every node, so expiry runs on fake time; raft itself keeps real time. */
  final MutableClock clock = MutableClock.atStart();
  long memoryBudget = 64L << 20;

  @AfterEach
  void stopAll() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    nodes.values().forEach(RaftCacheNode::close);
  }

  void startCluster() throws Exception {
    for (int i = 1; i <= 3; i++) {
      peers.add(new ClusterPeer("n" + i, "127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next()));
    }
    for (ClusterPeer peer : peers) {
      start(peer);
    }
    awaitLeaders();
  }

  void start(ClusterPeer peer) throws Exception {
    start(peer, peers, List.of());
  }

  /** Starts {@code peer} founding a cluster of {@code founders}, or joining through {@code join}. */
  void start(ClusterPeer peer, List<ClusterPeer> founders, List<String> join) throws Exception {
    nodes.put(peer.nodeId(), LoopbackNodes.start(dir, peer, founders, join, clock, memoryBudget, PARTITIONS, 3, "local"));
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
    return ClusterGrpc.newBlockingStub(channels.get(nodeId)).getTopology(GetTopologyRequest.getDefaultInstance());
  }

  void awaitLeaders() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (String id : nodes.keySet()) {
        // hasSize first: before the meta group's state is applied the list is empty, and allSatisfy would pass
        assertThat(topology(id).getPartitionsList()).hasSize(PARTITIONS).extracting(PartitionAssignment::getLeader)
            .allSatisfy(leader -> assertThat(nodes).containsKey(leader));
      }
    });
  }

  /** Waits until the leader balancer has spread leadership: every node leads within one of every other. */
  Map<String, Long> awaitBalancedLeaders() {
    Map<String, Long> counts = new HashMap<>();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      counts.clear();
      nodes.keySet().forEach(id -> counts.put(id, 0L));
      for (PartitionAssignment a : topology("n1").getPartitionsList()) {
        counts.merge(a.getLeader(), 1L, Long::sum);
      }
      assertThat(counts.keySet()).as("leaders %s", counts).isEqualTo(nodes.keySet());
      assertThat(java.util.Collections.max(counts.values()) - java.util.Collections.min(counts.values()))
          .as("leaders per node %s", counts).isLessThanOrEqualTo(1);
    });
    return counts;
  }

  static SetRequest set(String key, String value) {
    return SetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build();
  }

  static GetRequest get(String key, Consistency consistency) {
    return GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8(key)).setConsistency(consistency).build();
  }

  void awaitIdenticalReplicas() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (int p = 0; p < PARTITIONS; p++) {
        List<StoreDigest> digests = new ArrayList<>();
        for (RaftCacheNode node : nodes.values()) {
          // With as many members as replicas every node hosts every partition, once its group has started.
          assertThat(node.partitions().all().get(p).hosted()).as("partition %d hosted", p).isTrue();
          digests.add(StoreDigest.of(node.partitions().all().get(p).store()));
        }
        assertThat(digests).as("partition %d", p).allMatch(d -> d.equals(digests.get(0)));
      }
    });
  }

  @Test
  void anyNodeServesAnyKeyAndTheReplicasEndIdentical() throws Exception {
    startCluster();
    Map<String, Long> versions = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      String via = "n" + (i % 3 + 1); // most writes land on a follower and are forwarded
      versions.put("k" + i, cache(via).set(set("k" + i, "v" + i)).getVersion());
    }
    for (String id : nodes.keySet()) {
      for (int i = 0; i < 300; i += 7) {
        GetResponse r = cache(id).get(get("k" + i, Consistency.LINEARIZABLE));
        assertThat(r.getValue().toStringUtf8()).isEqualTo("v" + i);
        assertThat(r.getVersion()).isEqualTo(versions.get("k" + i));
        assertThat(r.getServedBy().getNodeId()).isEqualTo(id);
        assertThat(cache(id).get(get("k" + i, Consistency.LEASE)).getFound()).isTrue();
      }
    }
    long forwarded = nodes.values().stream().mapToLong(n -> n.metrics().registry()
        .getSampleValue("raftcache_forwarded_requests_total").longValue()).sum();
    assertThat(forwarded).isPositive();

    // LEASE reads on each partition's leader: after one heartbeat round it serves them under its own lease,
    // without a ReadIndex hand-off, and they still see every write acknowledged before them.
    List<String> leaders = topology("n1").getPartitionsList().stream().map(PartitionAssignment::getLeader).toList();
    for (int round = 0; round < 40; round++) {
      for (int p = 0; p < PARTITIONS; p++) {
        long version = cache("n" + (round % 3 + 1)).set(set(keyIn(p), "r" + round)).getVersion();
        GetResponse r = cache(leaders.get(p)).get(get(keyIn(p), Consistency.LEASE));
        assertThat(r.getValue().toStringUtf8()).isEqualTo("r" + round);
        assertThat(r.getVersion()).isEqualTo(version);
      }
    }
    double servedUnderLease = nodes.values().stream().mapToDouble(n -> n.metrics().registry().getSampleValue(
        "raftcache_raft_lease_reads_total", new String[] {"path"}, new String[] {"local"})).sum();
    assertThat(servedUnderLease).as("LEASE reads a leader served under its own lease").isPositive();
    awaitIdenticalReplicas();
  }

  @Test
  void aSetMultiOverEveryPartitionIsOneEntryPerPartitionAndReadableOnEveryReplica() throws Exception {
    startCluster();
    SetMultiRequest.Builder request = SetMultiRequest.newBuilder().setNamespace("app");
    for (int i = 0; i < 400; i++) {
      request.addEntries(SetMultiEntry.newBuilder().setKey(ByteString.copyFromUtf8("m" + i))
          .setValue(ByteString.copyFromUtf8("v" + i)));
    }
    // Sent to one node: it leads some partitions and forwards the other partitions' batches to their leaders.
    List<Long> versions = cache("n1").setMulti(request.build()).getVersionsList();

    assertThat(versions).hasSize(400).allMatch(v -> v > 0);
    Map<Integer, java.util.Set<Long>> versionsByPartition = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      versionsByPartition.computeIfAbsent(Partitioning.partitionOf("app", ("m" + i).getBytes(), PARTITIONS),
          p -> new java.util.HashSet<>()).add(versions.get(i));
    }
    assertThat(versionsByPartition).as("keys of every partition").hasSize(PARTITIONS);
    assertThat(versionsByPartition.values()).as("one log entry (one version) per partition").allMatch(v -> v.size() == 1);

    for (String id : nodes.keySet()) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        for (int i = 0; i < 400; i++) {
          GetResponse r = cache(id).get(get("m" + i, Consistency.STALE));
          assertThat(r.getValue().toStringUtf8()).as("m%d on %s", i, id).isEqualTo("v" + i);
          assertThat(r.getVersion()).isEqualTo(versions.get(i));
        }
      });
    }

    DeleteMultiRequest.Builder deletes = DeleteMultiRequest.newBuilder().setNamespace("app");
    for (int i = 0; i < 400; i += 2) {
      deletes.addKeys(ByteString.copyFromUtf8("m" + i));
    }
    deletes.addKeys(ByteString.copyFromUtf8("never-written"));
    DeleteMultiResponse deleted = cache("n2").deleteMulti(deletes.build());
    assertThat(deleted.getTotalDeleted()).isEqualTo(200);
    assertThat(deleted.getDeletedList().subList(0, 200)).containsOnly(true);
    assertThat(deleted.getDeleted(200)).isFalse();
    for (String id : nodes.keySet()) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        for (int i = 0; i < 400; i++) {
          assertThat(cache(id).get(get("m" + i, Consistency.STALE)).getFound()).as("m%d on %s", i, id)
              .isEqualTo(i % 2 == 1);
        }
      });
    }
    awaitIdenticalReplicas();
  }

  @Test
  void leadershipSpreadsOverTheNodesAndComesBackToARestartedOne() throws Exception {
    startCluster();
    awaitLeaders();
    awaitBalancedLeaders();

    // n1 stops: the others take over its partitions. When it returns, the balancer hands some back to it.
    ClusterPeer n1 = peers.get(0);
    stop("n1");
    start(n1);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(nodes.get("n1").metrics().registry()
        .getSampleValue("raftcache_raft_leaders")).as("partitions n1 leads again").isPositive());
    Map<String, Long> counts = awaitBalancedLeaders();
    assertThat(counts.values()).allMatch(c -> c >= 1);
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(cache("n" + (p % 3 + 1)).set(set(keyIn(p), "after")).getVersion()).isPositive();
    }
    awaitIdenticalReplicas();
  }

  @Test
  void concurrentWritesToOnePartitionShareLogEntriesYetEachKeepsItsOwnOutcomeAndOrder() throws Exception {
    startCluster();
    awaitLeaders();
    awaitBalancedLeaders(); // no leadership moves while non-idempotent increments are in flight
    int partition = 0;
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < 200; i++) {
      if (Partitioning.partitionOf("app", ("c-" + i).getBytes(), PARTITIONS) == partition) {
        keys.add("c-" + i);
      }
    }
    String counter = keys.get(0);
    // 200 Sets of distinct keys and 200 Increments of one key, all at once, through every node (most forwarded).
    List<com.google.common.util.concurrent.ListenableFuture<io.raftcache.proto.v1.SetResponse>> sets = new ArrayList<>();
    List<com.google.common.util.concurrent.ListenableFuture<io.raftcache.proto.v1.IncrementResponse>> increments =
        new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      CacheGrpc.CacheFutureStub stub = CacheGrpc.newFutureStub(channels.get("n" + (i % 3 + 1)))
          .withDeadlineAfter(20, TimeUnit.SECONDS);
      if (i > 0) {
        sets.add(stub.set(set(keys.get(i), "v" + i)));
      }
      increments.add(stub.increment(IncrementRequest.newBuilder().setNamespace("app")
          .setKey(ByteString.copyFromUtf8(counter)).setDelta(1).build()));
    }
    List<Long> setVersions = new ArrayList<>();
    for (var f : sets) {
      setVersions.add(f.get(30, TimeUnit.SECONDS).getVersion());
    }
    List<Long> counted = new ArrayList<>();
    for (var f : increments) {
      counted.add(f.get(30, TimeUnit.SECONDS).getValue());
    }

    // One key is never written twice in one entry, so every increment saw all earlier ones: 1..200, each once.
    assertThat(counted).containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList());
    double commands = 0;
    double entries = 0;
    for (RaftCacheNode node : nodes.values()) {
      commands += node.metrics().registry().getSampleValue("raftcache_raft_entry_commands_sum");
      entries += node.metrics().registry().getSampleValue("raftcache_raft_entry_commands_count");
    }
    assertThat(commands).as("commands proposed").isGreaterThanOrEqualTo(399);
    assertThat(entries).as("log entries they took: proposals that waited were merged").isLessThan(commands);
    for (String id : nodes.keySet()) {
      for (int i = 1; i < 200; i++) {
        GetResponse r = cache(id).get(get(keys.get(i), Consistency.LINEARIZABLE));
        assertThat(r.getValue().toStringUtf8()).isEqualTo("v" + i);
        assertThat(r.getVersion()).isEqualTo(setVersions.get(i - 1));
      }
      assertThat(cache(id).get(get(counter, Consistency.LINEARIZABLE)).getValue().toStringUtf8()).isEqualTo("200");
    }
    awaitIdenticalReplicas();
  }

  @Test
  void invalidateTagAndFlushOnAnyNodeReachEveryPartition() throws Exception {
    startCluster();
    for (int i = 0; i < 120; i++) {
      SetRequest.Builder request = set("k" + i, "v" + i).toBuilder();
      if (i % 2 == 0) {
        request.addTags("even");
      }
      cache("n" + (i % 3 + 1)).set(request.build()); // keys of every partition, whichever node leads it
    }
    // n1 leads only some partitions; the others' entries must go too.
    InvalidateTagResponse invalidated = cache("n1").invalidateTag(
        InvalidateTagRequest.newBuilder().setNamespace("app").setTag("even").build());
    assertThat(invalidated.getDeletedCount()).isEqualTo(60);
    for (String id : nodes.keySet()) {
      for (int i = 0; i < 120; i++) {
        assertThat(cache(id).get(get("k" + i, Consistency.LINEARIZABLE)).getFound()).as("k%d on %s", i, id)
            .isEqualTo(i % 2 == 1);
      }
    }
    FlushResponse flushed = admin("n2").flush(FlushRequest.newBuilder().setNamespace("app").setConfirm("app").build());
    assertThat(flushed.getDeletedCount()).isEqualTo(60);
    awaitIdenticalReplicas();
    for (RaftCacheNode node : nodes.values()) {
      assertThat(node.partitions().stats().entries()).isZero();
    }
  }

  @Test
  void aCallerThatRoutesItselfGetsNotLeaderWithAHint() throws Exception {
    startCluster();
    String key = "routed";
    int partition = Partitioning.partitionOf("app", key.getBytes(), PARTITIONS);
    String leader = topology("n1").getPartitions(partition).getLeader();
    String follower = peers.stream().map(ClusterPeer::nodeId).filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    Metadata headers = new Metadata();
    headers.put(RaftCacheMetadata.NO_FORWARD, "true");
    CacheGrpc.CacheBlockingStub noForward = cache(follower).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    StatusRuntimeException e = GrpcAssertions.assertFails(() -> noForward.set(set(key, "v")),
        io.grpc.Status.Code.UNAVAILABLE, io.raftcache.proto.v1.ErrorReason.NOT_LEADER);
    String leaderAddress = peers.stream().filter(p -> p.nodeId().equals(leader)).findFirst().orElseThrow().clientAddress();
    assertThat(e.getTrailers().get(RaftCacheMetadata.LEADER_HINT)).isEqualTo(leaderAddress);
  }

  @Test
  void writesResumeAfterTheBusiestLeaderStopsAndNothingAcknowledgedIsLost() throws Exception {
    startCluster();
    Map<String, String> acknowledged = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      cache("n" + (i % 3 + 1)).set(set("k" + i, "v" + i));
      acknowledged.put("k" + i, "v" + i);
    }
    Map<String, Long> led = new HashMap<>();
    for (PartitionAssignment a : topology("n1").getPartitionsList()) {
      led.merge(a.getLeader(), 1L, Long::sum);
    }
    String victim = led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    String survivor = peers.stream().map(ClusterPeer::nodeId).filter(id -> !id.equals(victim)).findFirst().orElseThrow();

    long stoppedAt = System.nanoTime();
    stop(victim);
    // Keys of every partition, written through a survivor: each must succeed once a new leader is elected.
    long lastRecovered = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      String key = keyIn(p);
      cache(survivor).set(set(key, "after"));
      lastRecovered = Math.max(lastRecovered, System.nanoTime());
      acknowledged.put(key, "after");
    }
    System.out.printf("write unavailability after stopping leader %s of %d partitions: %d ms%n",
        victim, led.get(victim), (lastRecovered - stoppedAt) / 1_000_000);
    // Read unavailability: until a LINEARIZABLE read of every partition succeeds on every survivor.
    await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
        .ignoreExceptions().untilAsserted(() -> {
          for (String id : nodes.keySet()) {
            for (int p = 0; p < PARTITIONS; p++) {
              assertThat(cache(id).get(get(keyIn(p), Consistency.LINEARIZABLE)).getFound()).isTrue();
            }
          }
        });
    System.out.printf("LINEARIZABLE reads of every partition succeeded on both survivors %d ms after the stop%n",
        (System.nanoTime() - stoppedAt) / 1_000_000);
    long readsFrom = System.nanoTime();
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
      for (String id : nodes.keySet()) {
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
          assertThat(cache(id).get(get(e.getKey(), Consistency.LINEARIZABLE)).getValue().toStringUtf8())
              .as("%s on %s", e.getKey(), id).isEqualTo(e.getValue());
        }
      }
    });
    System.out.printf("every acknowledged write read back LINEARIZABLE from both survivors after %d ms%n",
        (System.nanoTime() - readsFrom) / 1_000_000);
    // A non-idempotent write still works through the survivors once leaders are settled.
    assertThat(cache(survivor).increment(IncrementRequest.newBuilder().setNamespace("app")
        .setKey(ByteString.copyFromUtf8("counter")).setDelta(2).build()).getValue()).isEqualTo(2);
  }

  @Test
  void expiryAndEvictionAreDecidedByLeadersAndLeaveTheReplicasIdentical() throws Exception {
    memoryBudget = 8L << 20; // 2 MiB per partition
    startCluster();
    awaitLeaders();
    awaitBalancedLeaders(); // a leader that changes loses the ticks only it kept (architecture.md, LRU under raft)
    for (int i = 0; i < 100; i++) {
      String via = "n" + (i % 3 + 1);
      cache(via).set(set("ttl-" + i, "gone soon").toBuilder().setTtlMs(10_000).build());
      cache(via).set(set("keep-" + i, "stays"));
    }
    clock.advance(Duration.ofSeconds(11));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      nodes.values().forEach(node -> node.sweeper().sweepAll()); // only leaders propose removals
      for (RaftCacheNode node : nodes.values()) {
        assertThat(node.partitions().stats().entries()).as("entries on %s", node.config().nodeId()).isEqualTo(100);
      }
    });
    awaitIdenticalReplicas();
    for (String id : nodes.keySet()) {
      assertThat(cache(id).get(get("ttl-7", Consistency.STALE)).getFound()).isFalse();
      assertThat(cache(id).get(get("keep-7", Consistency.STALE)).getFound()).isTrue();
    }

    ByteString value = ByteString.copyFrom(new byte[16 * 1024]);
    int writes = (int) (3 * memoryBudget / value.size());
    for (int i = 0; i < writes; i++) {
      cache("n" + (i % 3 + 1)).set(set("big-" + i, "").toBuilder().setValue(value).build());
    }
    long evictions = nodes.values().stream().mapToLong(node -> node.metrics().evictions()).sum();
    assertThat(evictions).as("evictions proposed by the leaders").isPositive();
    awaitIdenticalReplicas();
    for (RaftCacheNode node : nodes.values()) {
      StoreStats stats = node.partitions().stats();
      assertThat(stats.storedBytes()).as("stored bytes on %s", node.config().nodeId()).isLessThanOrEqualTo(memoryBudget);
      assertThat(stats.entries()).isLessThan(writes);
    }
    assertThat(cache("n1").get(get("big-" + (writes - 1), Consistency.LINEARIZABLE)).getFound()).isTrue();
  }

  @Test
  void nodesJoinARunningClusterCatchUpAndTakeOverWhenTheFounderStops() throws Exception {
    ClusterPeer n1 = newPeer("n1");
    start(n1, List.of(n1), List.of());
    awaitLeaders();
    Iterator<Topology> watch = ClusterGrpc.newBlockingStub(channels.get("n1")).withDeadlineAfter(2, TimeUnit.MINUTES)
        .watchTopology(WatchTopologyRequest.getDefaultInstance());
    assertThat(watch.next().getMembersCount()).isEqualTo(1);
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    for (int i = 0; i < 100; i++) {
      cache("n1").set(set("before-" + i, "v" + i));
      acknowledged.put("before-" + i, "v" + i);
    }

    // Traffic keeps flowing through n1 while the others join.
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger failures = new AtomicInteger();
    Thread writer = new Thread(() -> {
      for (int i = 0; writing.get(); i++) {
        try {
          cache("n1").set(set("during-" + i, "v" + i));
          acknowledged.put("during-" + i, "v" + i);
        } catch (StatusRuntimeException e) {
          failures.incrementAndGet();
        }
      }
    });
    writer.start();
    ClusterPeer n2 = newPeer("n2");
    start(n2, List.of(n2), List.of(n1.clientAddress()));
    ClusterPeer n3 = newPeer("n3");
    start(n3, List.of(n3), List.of(n2.clientAddress())); // a seed that is not the meta leader: follows the hint
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      for (String id : nodes.keySet()) {
        Topology t = topology(id);
        assertThat(t.getEpoch()).as("epoch on %s", id).isEqualTo(3);
        assertThat(t.getMembersList()).extracting(Member::getNodeId).containsExactlyInAnyOrder("n1", "n2", "n3");
      }
      for (RaftCacheNode node : nodes.values()) {
        for (int p = 0; p < PARTITIONS; p++) {
          assertThat(node.partitions().all().get(p).hosted()).as("partition %d hosted", p).isTrue();
          assertThat(node.partitions().all().get(p).store().entryCount()).isPositive();
        }
      }
    });
    writing.set(false);
    writer.join(30_000);
    assertThat(failures.get()).as("writes that failed while nodes joined").isZero();
    awaitIdenticalReplicas();
    for (Map.Entry<String, String> e : acknowledged.entrySet()) {
      assertThat(cache("n3").get(get(e.getKey(), Consistency.STALE)).getValue().toStringUtf8()).isEqualTo(e.getValue());
    }
    List<Long> epochs = new ArrayList<>();
    while (epochs.isEmpty() || epochs.get(epochs.size() - 1) < 3) {
      epochs.add(watch.next().getEpoch());
    }
    assertThat(epochs).as("epochs the watcher saw").contains(3L);
    // The meta leader that decided the joins audited them (no PostgreSQL here: the node's local spool).
    assertThat(new io.raftcache.node.audit.AuditSpool(dir.resolve("n1").resolve("audit.spool")).readAll())
        .filteredOn(e -> e.action().equals("member.join") && e.outcome().equals("OK"))
        .extracting(io.raftcache.node.audit.AuditEvent::target).containsExactlyInAnyOrder("n2", "n3");

    // The joiners are voters: with the founder gone they still form a majority.
    stop("n1");
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      for (int p = 0; p < PARTITIONS; p++) {
        cache("n2").set(set(keyIn(p), "after"));
      }
    });
    assertThat(cache("n3").get(get("before-7", Consistency.LINEARIZABLE)).getValue().toStringUtf8()).isEqualTo("v7");

    // The founder will not come back: remove it (through any member), and a new node replaces it.
    GrpcAssertions.assertFails(() -> admin("n2").removeNode(RemoveNodeRequest.newBuilder().setNodeId("n1").build()),
        io.grpc.Status.Code.FAILED_PRECONDITION, io.raftcache.proto.v1.ErrorReason.CONFIRMATION_REQUIRED);
    RemoveNodeResponse removed = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin("n3")
        .removeNode(RemoveNodeRequest.newBuilder().setNodeId("n1").setConfirm("n1").build()), r -> r.getEpoch() == 4);
    assertThat(removed.getMembersList()).containsExactly("n2", "n3");
    GrpcAssertions.assertFails(() -> admin("n2").removeNode(RemoveNodeRequest.newBuilder().setNodeId("n1").setConfirm("n1").build()),
        io.grpc.Status.Code.FAILED_PRECONDITION, io.raftcache.proto.v1.ErrorReason.MEMBERSHIP_REJECTED);
    ClusterPeer n4 = newPeer("n4");
    start(n4, List.of(n4), List.of(n3.clientAddress()));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(topology("n4").getMembersList()).extracting(Member::getNodeId).containsExactly("n2", "n3", "n4");
      assertThat(cache("n4").get(get("before-7", Consistency.STALE)).getValue().toStringUtf8()).isEqualTo("v7");
    });
    awaitIdenticalReplicas();
    // n1 is no longer a voter anywhere: with n2 gone too, n3 and n4 are a majority of every group.
    stop("n2");
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      for (int p = 0; p < PARTITIONS; p++) {
        cache("n4").set(set(keyIn(p), "after n2"));
      }
    });
    assertThat(cache("n3").get(get("during-0", Consistency.LINEARIZABLE)).getValue().toStringUtf8()).isEqualTo("v0");
  }

  @Test
  void keysReadOnlyThroughFollowersStayHotForTheLeadersEviction() throws Exception {
    memoryBudget = 8L << 20; // 2 MiB per partition
    startCluster();
    awaitLeaders();
    awaitBalancedLeaders(); // a leader that changes loses the ticks only it kept (architecture.md, LRU under raft)
    Map<String, String> readerOf = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      String key = "hot-" + i;
      cache("n1").set(set(key, "hot"));
      String leader = topology("n1").getPartitions(Partitioning.partitionOf("app", key.getBytes(), PARTITIONS)).getLeader();
      readerOf.put(key, peers.stream().map(ClusterPeer::nodeId).filter(id -> !id.equals(leader)).findFirst().orElseThrow());
    }
    ByteString value = ByteString.copyFrom(new byte[16 * 1024]);
    int writes = (int) (3 * memoryBudget / value.size());
    for (int i = 0; i < writes; i++) {
      cache("n" + (i % 3 + 1)).set(set("big-" + i, "").toBuilder().setValue(value).build());
      if (i % 100 == 0) {
        clock.advance(Duration.ofSeconds(2)); // time passes; the hot keys keep being read, but only on followers
        // LEASE, not STALE: a follower's replica may not have applied the newest writes yet; a ReadIndex read is
        // still served by the follower (the path that sends access hints) but waits until it has.
        readerOf.forEach((key, reader) -> assertThat(cache(reader).get(get(key, Consistency.LEASE)).getFound())
            .as("%s read on %s", key, reader).isTrue());
        nodes.values().forEach(RaftCacheNode::flushAccessHints);
      }
    }
    assertThat(nodes.values().stream().mapToLong(node -> node.metrics().evictions()).sum()).isPositive();
    for (String key : readerOf.keySet()) {
      assertThat(cache("n1").get(get(key, Consistency.LINEARIZABLE)).getFound()).as("hot key %s", key).isTrue();
    }
  }

  @Test
  void aRunningNodeThatIsRemovedStopsServingInsteadOfAnsweringStale() throws Exception {
    startCluster();
    cache("n3").set(set("k", "v1"));
    admin("n1").removeNode(RemoveNodeRequest.newBuilder().setNodeId("n3").setConfirm("n3").build());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> GrpcAssertions.assertFails(
        () -> cache("n3").get(get("k", Consistency.STALE)),
        io.grpc.Status.Code.UNAVAILABLE, io.raftcache.proto.v1.ErrorReason.NODE_NOT_READY));
    assertThat(io.grpc.health.v1.HealthGrpc.newBlockingStub(channels.get("n3"))
        .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
    // The two remaining members carry on: they are a majority of every group without n3.
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> cache("n2").set(set("k", "v2")));
    assertThat(cache("n1").get(get("k", Consistency.LINEARIZABLE)).getValue().toStringUtf8()).isEqualTo("v2");
  }

  AdminGrpc.AdminBlockingStub admin(String nodeId) {
    return AdminGrpc.newBlockingStub(channels.get(nodeId)).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  ClusterPeer newPeer(String id) {
    ClusterPeer peer = new ClusterPeer(id, "127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next());
    peers.add(peer);
    return peer;
  }

  static String keyIn(int partition) {
    for (int i = 0; ; i++) {
      if (Partitioning.partitionOf("app", ("probe-" + i).getBytes(), PARTITIONS) == partition) {
        return "probe-" + i;
      }
    }
  }
}
