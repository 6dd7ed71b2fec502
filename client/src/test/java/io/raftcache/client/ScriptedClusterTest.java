package io.raftcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetMultiRequest;
import io.raftcache.proto.v1.GetMultiResponse;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.SetMultiRequest;
import io.raftcache.proto.v1.SetMultiResponse;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.IncrementRequest;
import io.raftcache.proto.v1.IncrementResponse;
import io.raftcache.proto.v1.Member;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.SetResponse;
import io.raftcache.proto.v1.Topology;
import io.raftcache.proto.v1.WatchTopologyRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client against two scripted in-process nodes, "a" and "b": the topology names "a" as every partition's
 * leader, and each test scripts what the nodes answer.
 */
@Timeout(30)
class ScriptedClusterTest {
  static final int PARTITIONS = 4;

  /** One scripted node: answers Set/Get/Increment from a queue of scripted replies, then with success. */
  static final class FakeNode {
    final String address;
    final ConcurrentLinkedQueue<Function<Metadata, Throwable>> failures = new ConcurrentLinkedQueue<>();
    final AtomicInteger sets = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger increments = new AtomicInteger();
    final AtomicInteger topologyCalls = new AtomicInteger();
    final AtomicInteger getMultis = new AtomicInteger();
    final AtomicInteger setMultis = new AtomicInteger();
    final AtomicInteger keysInBatches = new AtomicInteger();
    volatile long delayMillis;
    Server server;

    FakeNode(String address) {
      this.address = address;
    }

    Throwable nextFailure() {
      Function<Metadata, Throwable> f = failures.poll();
      return f == null ? null : f.apply(new Metadata());
    }

  }

  final Map<String, FakeNode> nodes = new ConcurrentHashMap<>();
  final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool();
  final java.util.concurrent.ScheduledExecutorService replies = java.util.concurrent.Executors.newScheduledThreadPool(1);
  RaftCacheClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    nodes.values().forEach(n -> n.server.shutdownNow());
    executor.shutdownNow();
    replies.shutdownNow();
  }

  static Topology topology(long epoch) {
    Topology.Builder t = Topology.newBuilder().setClusterId("c").setEpoch(epoch).setPartitionCount(PARTITIONS)
        .addMembers(Member.newBuilder().setNodeId("a").setClientAddress("a:1"))
        .addMembers(Member.newBuilder().setNodeId("b").setClientAddress("b:1"));
    for (int p = 0; p < PARTITIONS; p++) {
      t.addPartitions(PartitionAssignment.newBuilder().setPartition(p).setLeader("a").addReplicas("a").addReplicas("b")
          .setEpoch(1));
    }
    return t.build();
  }

  static Throwable failure(Status.Code code, ErrorReason reason, Metadata trailers) {
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage("scripted " + reason)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason.name()).setDomain(RaftCacheMetadata.ERROR_DOMAIN).build()))
        .build();
    return StatusProto.toStatusRuntimeException(status, trailers);
  }

  /** The answer of a node that does not lead the key's partition and names {@code leader} instead. */
  static Function<Metadata, Throwable> notLeaderHinting(String leader) {
    return trailers -> {
      trailers.put(RaftCacheMetadata.LEADER_HINT, leader);
      return failure(Status.Code.UNAVAILABLE, ErrorReason.NOT_LEADER, trailers);
    };
  }

  static final Function<Metadata, Throwable> CONNECTION_RESET =
      trailers -> Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException();

  FakeNode start(String id) throws Exception {
    FakeNode node = new FakeNode(id + ":1");
    // A real executor, not directExecutor: a scripted slow answer must not block the calling thread.
    node.server = InProcessServerBuilder.forName(node.address).executor(executor)
        .addService(new ClusterGrpc.ClusterImplBase() {
          @Override
          public void getTopology(GetTopologyRequest request, StreamObserver<Topology> response) {
            node.topologyCalls.incrementAndGet();
            response.onNext(topology(1));
            response.onCompleted();
          }

          @Override
          public void watchTopology(WatchTopologyRequest request, StreamObserver<Topology> response) {
            response.onNext(topology(1)); // then stays open, as a node does
          }
        })
        .addService(new CacheGrpc.CacheImplBase() {
          @Override
          public void set(SetRequest request, StreamObserver<SetResponse> response) {
            node.sets.incrementAndGet();
            answer(node, response, SetResponse.newBuilder().setApplied(true).setVersion(7).build());
          }

          @Override
          public void get(GetRequest request, StreamObserver<GetResponse> response) {
            node.gets.incrementAndGet();
            answer(node, response, GetResponse.newBuilder().setFound(true).setVersion(3)
                .setValue(com.google.protobuf.ByteString.copyFromUtf8("v")).build());
          }

          @Override
          public void getMulti(GetMultiRequest request, StreamObserver<GetMultiResponse> response) {
            node.getMultis.incrementAndGet();
            node.keysInBatches.addAndGet(request.getKeysCount());
            assertThat(request.getKeysList()).doesNotHaveDuplicates();
            GetMultiResponse.Builder r = GetMultiResponse.newBuilder();
            request.getKeysList().forEach(k -> r.addResults(GetResponse.newBuilder().setFound(true)
                .setValue(com.google.protobuf.ByteString.copyFromUtf8("v:" + k.toStringUtf8()))));
            response.onNext(r.build());
            response.onCompleted();
          }

          @Override
          public void setMulti(SetMultiRequest request, StreamObserver<SetMultiResponse> response) {
            node.setMultis.incrementAndGet();
            SetMultiResponse.Builder r = SetMultiResponse.newBuilder();
            request.getEntriesList().forEach(e -> r.addVersions(100 + node.keysInBatches.incrementAndGet()));
            response.onNext(r.build());
            response.onCompleted();
          }

          @Override
          public void increment(IncrementRequest request, StreamObserver<IncrementResponse> response) {
            node.increments.incrementAndGet();
            answer(node, response, IncrementResponse.newBuilder().setValue(request.getDelta()).build());
          }
        })
        .build().start();
    nodes.put(id, node);
    return node;
  }

  <T> void answer(FakeNode node, StreamObserver<T> response, T ok) {
    if (node.delayMillis > 0) { // a slow node: the answer comes later, the client must not wait for it
      replies.schedule(() -> answerNow(node, response, ok), node.delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    } else {
      answerNow(node, response, ok);
    }
  }

  static <T> void answerNow(FakeNode node, StreamObserver<T> response, T ok) {
    Throwable failure = node.nextFailure();
    if (failure != null) {
      response.onError(failure);
    } else {
      response.onNext(ok);
      response.onCompleted();
    }
  }

  RaftCacheClient connect(Duration deadline) {
    client = RaftCacheClient.newBuilder().seeds("a:1").namespace("app").defaultDeadline(deadline)
        .channelFactory(address -> InProcessChannelBuilder.forName(address).directExecutor().build()).build();
    return client;
  }

  @Test
  void aWriteThatMeetsAStaleRouteFollowsTheLeaderHint() throws Exception {
    FakeNode a = start("a");
    FakeNode b = start("b");
    connect(Duration.ofSeconds(5));
    a.failures.add(notLeaderHinting("b:1"));
    assertThat(client.sync().setString("k", "v", SetOptions.DEFAULT)).isEqualTo(7);
    assertThat(a.sets.get()).isEqualTo(1);
    assertThat(b.sets.get()).isEqualTo(1);
    // The hint sticks: the next write to that partition goes straight to b.
    client.sync().setString("k", "v2", SetOptions.DEFAULT);
    assertThat(b.sets.get()).isEqualTo(2);
    assertThat(a.sets.get()).isEqualTo(1);
  }

  @Test
  void aNonIdempotentWriteAfterANotLeaderIsStillRetriedBecauseNothingWasApplied() throws Exception {
    FakeNode a = start("a");
    FakeNode b = start("b");
    connect(Duration.ofSeconds(5));
    a.failures.add(notLeaderHinting("b:1"));
    assertThat(client.sync().increment("n", 5)).isEqualTo(5);
    assertThat(a.increments.get() + b.increments.get()).isEqualTo(2);
  }

  @Test
  void anUnreachableNodeIsRetriedElsewhereForReadsButNotForIncrements() throws Exception {
    FakeNode a = start("a");
    FakeNode b = start("b");
    connect(Duration.ofSeconds(5));
    a.failures.add(CONNECTION_RESET);
    assertThat(client.sync().getString("k")).contains("v");
    assertThat(a.gets.get() + b.gets.get()).isEqualTo(2);

    // Whichever node the increment goes to (a is avoided for a while after failing), it fails at the transport.
    a.failures.add(CONNECTION_RESET);
    b.failures.add(CONNECTION_RESET);
    int before = a.increments.get() + b.increments.get();
    assertThatThrownBy(() -> client.sync().increment("n", 1)).isInstanceOf(AmbiguousOutcomeException.class);
    assertThat(a.increments.get() + b.increments.get() - before).as("attempts").isEqualTo(1);
  }

  @Test
  void outcomeUnknownIsSurfacedForIncrementsAndRetriedForPlainSets() throws Exception {
    FakeNode a = start("a");
    start("b");
    connect(Duration.ofSeconds(5));
    a.failures.add(trailers -> failure(Status.Code.UNAVAILABLE, ErrorReason.OUTCOME_UNKNOWN, trailers));
    assertThatThrownBy(() -> client.sync().increment("n", 1)).isInstanceOf(AmbiguousOutcomeException.class)
        .satisfies(e -> assertThat(((RaftCacheException) e).reason()).isEqualTo(ErrorReason.OUTCOME_UNKNOWN));
    a.failures.add(trailers -> failure(Status.Code.UNAVAILABLE, ErrorReason.OUTCOME_UNKNOWN, trailers));
    assertThat(client.sync().setString("k", "v", SetOptions.DEFAULT)).isEqualTo(7);
    assertThat(a.sets.get()).isEqualTo(2);
  }

  @Test
  void aQuotaRejectionIsRetriedAfterTheNodesRetryAfterWhenTheDeadlineAllowsElseSurfaced() throws Exception {
    FakeNode a = start("a");
    start("b");
    connect(Duration.ofSeconds(5));
    Function<Metadata, Throwable> quota = trailers -> {
      trailers.put(RaftCacheMetadata.RETRY_AFTER_MS, "50");
      return failure(Status.Code.RESOURCE_EXHAUSTED, ErrorReason.QUOTA_EXCEEDED, trailers);
    };
    a.failures.add(quota);
    assertThat(client.sync().increment("n", 3)).as("refused before anything ran: safe to retry").isEqualTo(3);
    assertThat(a.increments.get()).isEqualTo(2);

    Function<Metadata, Throwable> longQuota = trailers -> {
      trailers.put(RaftCacheMetadata.RETRY_AFTER_MS, "60000");
      return failure(Status.Code.RESOURCE_EXHAUSTED, ErrorReason.QUOTA_EXCEEDED, trailers);
    };
    a.failures.add(longQuota);
    assertThatThrownBy(() -> client.sync().increment("n", 1)).isInstanceOf(RaftCacheException.class)
        .satisfies(e -> assertThat(((RaftCacheException) e).reason()).isEqualTo(ErrorReason.QUOTA_EXCEEDED));
  }

  @Test
  void epochMismatchRefreshesTheTopologyAndRetries() throws Exception {
    FakeNode a = start("a");
    start("b");
    connect(Duration.ofSeconds(5));
    int fetched = a.topologyCalls.get() + nodes.get("b").topologyCalls.get();
    a.failures.add(trailers -> failure(Status.Code.FAILED_PRECONDITION, ErrorReason.EPOCH_MISMATCH, trailers));
    assertThat(client.sync().setString("k", "v", SetOptions.DEFAULT)).isEqualTo(7);
    assertThat(a.topologyCalls.get() + nodes.get("b").topologyCalls.get()).isGreaterThan(fetched);
  }

  @Test
  void badInputFailsAtOnceWithItsReason() throws Exception {
    FakeNode a = start("a");
    start("b");
    connect(Duration.ofSeconds(5));
    a.failures.add(trailers -> failure(Status.Code.INVALID_ARGUMENT, ErrorReason.KEY_TOO_LARGE, trailers));
    assertThatThrownBy(() -> client.sync().setString("k", "v", SetOptions.DEFAULT))
        .isInstanceOf(RaftCacheException.class)
        .satisfies(e -> assertThat(((RaftCacheException) e).reason()).isEqualTo(ErrorReason.KEY_TOO_LARGE));
    assertThat(a.sets.get()).isEqualTo(1);
  }

  @Test
  void autoBatchingSendsConcurrentSingleKeyCallsAsFewBatchesAndAnswersEachCaller() throws Exception {
    FakeNode a = start("a");
    start("b");
    client = RaftCacheClient.newBuilder().seeds("a:1").namespace("app").autoBatch(Duration.ofMillis(20), 64)
        .channelFactory(address -> InProcessChannelBuilder.forName(address).directExecutor().build()).build();
    List<java.util.concurrent.CompletableFuture<java.util.Optional<CacheEntry>>> reads = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      reads.add(client.get("k" + (i % 30))); // ten keys asked twice
    }
    for (int i = 0; i < 40; i++) {
      assertThat(reads.get(i).join()).get().extracting(CacheEntry::valueAsString).isEqualTo("v:k" + (i % 30));
    }
    assertThat(a.getMultis.get()).as("GetMulti calls for 40 gets").isBetween(1, 3);
    assertThat(a.gets.get()).isZero();

    List<java.util.concurrent.CompletableFuture<Long>> writes = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      writes.add(client.set("s" + i, new byte[] {1}));
    }
    writes.add(client.set("s0", new byte[] {2})); // the same key again goes in a later batch, after the first
    java.util.concurrent.CompletableFuture.allOf(writes.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
    assertThat(writes.get(20).join()).isGreaterThan(writes.get(0).join());
    assertThat(a.setMultis.get()).isBetween(2, 4);
    assertThat(a.sets.get()).isZero();
  }

  @Test
  void aSlowNodeCostsTheCallerNoMoreThanItsDeadline() throws Exception {
    FakeNode a = start("a");
    FakeNode b = start("b");
    connect(Duration.ofMillis(300));
    a.delayMillis = 2_000;
    b.delayMillis = 2_000;
    long start = System.nanoTime();
    assertThatThrownBy(() -> client.sync().getString("k")).isInstanceOf(RaftCacheException.class)
        .satisfies(e -> assertThat(((RaftCacheException) e).code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1_500));
  }
}
