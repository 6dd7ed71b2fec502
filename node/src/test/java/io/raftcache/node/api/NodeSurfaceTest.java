package io.raftcache.node.api;

import static io.raftcache.node.testing.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.FlushRequest;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetStatsRequest;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.ListNamespacesRequest;
import io.raftcache.proto.v1.NamespaceInfo;
import io.raftcache.proto.v1.NodeStats;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.Topology;
import io.raftcache.proto.v1.WatchTopologyRequest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node on real loopback ports: Admin, Cluster, health, reflection, /metrics, /healthz and /readyz. */
class NodeSurfaceTest {
  @TempDir Path dataDir;
  MutableClock clock = MutableClock.atStart();
  RaftCacheNode node;
  ManagedChannel channel;
  HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    NodeConfig config = new NodeConfig("surface", "127.0.0.1", 0, 0, dataDir, 64L << 20, 1 << 20, 1024, 8,
        NamespaceDefaults.ofTtls(Map.of("sessions", Duration.ofMinutes(5))), Duration.ofHours(1), Duration.ofSeconds(1), true);
    node = RaftCacheNode.start(config, clock, PartitionStoreFactory.chronicle(dataDir.resolve("partitions")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    node.close();
  }

  void set(String ns, String key) {
    CacheGrpc.newBlockingStub(channel).set(SetRequest.newBuilder().setNamespace(ns)
        .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v")).build());
  }

  HttpResponse<String> httpGet(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.metricsPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthIsServingAndReflectionListsTheServices() throws Exception {
    assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);

    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
        new StreamObserver<>() {
          @Override public void onNext(ServerReflectionResponse r) { answer.complete(r); }
          @Override public void onError(Throwable t) { answer.completeExceptionally(t); }
          @Override public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> services = answer.get(5, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
        .map(s -> s.getName()).toList();
    requests.onCompleted();
    assertThat(services).contains("raftcache.v1.Cache", "raftcache.v1.Cluster", "raftcache.v1.Admin", "grpc.health.v1.Health");
  }

  @Test
  void statsCountTrafficAndNamespacesListConfiguredAndUsedOnes() {
    set("app", "a");
    set("app", "b");
    set("other", "c");
    CacheGrpc.CacheBlockingStub cache = CacheGrpc.newBlockingStub(channel);
    cache.get(GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("a")).build());
    cache.get(GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("zzz")).build());

    NodeStats stats = AdminGrpc.newBlockingStub(channel).getStats(GetStatsRequest.getDefaultInstance());
    assertThat(stats.getNodeId()).isEqualTo("surface");
    assertThat(stats.getEntries()).isEqualTo(3);
    assertThat(stats.getHits()).isEqualTo(1);
    assertThat(stats.getMisses()).isEqualTo(1);
    assertThat(stats.getPartitions()).isEqualTo(8);
    assertThat(stats.getStoredBytes()).isPositive();
    assertThat(stats.getMaxMemoryBytes()).isEqualTo(64L << 20);

    List<NamespaceInfo> namespaces = AdminGrpc.newBlockingStub(channel)
        .listNamespaces(ListNamespacesRequest.getDefaultInstance()).getNamespacesList();
    assertThat(namespaces).extracting(NamespaceInfo::getName).containsExactly("app", "other", "sessions");
    assertThat(namespaces.get(0).getEntries()).isEqualTo(2);
    assertThat(namespaces.get(2).getDefaultTtlMs()).isEqualTo(300_000);
  }

  @Test
  void flushNeedsTheNamespaceAsConfirmation() {
    set("app", "a");
    set("app", "b");
    set("keep", "c");
    AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(channel);
    assertFails(() -> admin.flush(FlushRequest.newBuilder().setNamespace("app").build()),
        Code.FAILED_PRECONDITION, ErrorReason.CONFIRMATION_REQUIRED);
    assertFails(() -> admin.flush(FlushRequest.newBuilder().setNamespace("app").setConfirm("keep").build()),
        Code.FAILED_PRECONDITION, ErrorReason.CONFIRMATION_REQUIRED);
    assertThat(admin.getStats(GetStatsRequest.getDefaultInstance()).getEntries()).isEqualTo(3);

    assertThat(admin.flush(FlushRequest.newBuilder().setNamespace("app").setConfirm("app").build()).getDeletedCount())
        .isEqualTo(2);
    assertThat(admin.getStats(GetStatsRequest.getDefaultInstance()).getEntries()).isEqualTo(1);
  }

  @Test
  void topologyMapsEveryPartitionToThisNode() {
    Topology t = ClusterGrpc.newBlockingStub(channel).getTopology(GetTopologyRequest.getDefaultInstance());
    assertThat(t.getPartitionCount()).isEqualTo(8);
    assertThat(t.getEpoch()).isPositive();
    assertThat(t.getMembersList()).singleElement()
        .satisfies(m -> assertThat(m.getClientAddress()).isEqualTo("127.0.0.1:" + node.port()));
    assertThat(t.getPartitionsList()).hasSize(8).allSatisfy(p -> assertThat(p.getLeader()).isEqualTo("surface"));

    Iterator<Topology> watch = ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .watchTopology(WatchTopologyRequest.getDefaultInstance());
    assertThat(watch.next().getEpoch()).isEqualTo(t.getEpoch());
  }

  @Test
  void metricsShowTrafficAndProbesAnswer() throws Exception {
    set("app", "a");
    CacheGrpc.CacheBlockingStub cache = CacheGrpc.newBlockingStub(channel);
    cache.get(GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("a")).build());
    cache.get(GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("missing")).build());
    assertFails(() -> cache.get(GetRequest.newBuilder().setNamespace("bad ns").build()),
        Code.INVALID_ARGUMENT, ErrorReason.INVALID_NAMESPACE);

    String metrics = httpGet("/metrics").body();
    assertThat(value(metrics, "raftcache_requests_total{op=\"Set\",code=\"OK\",}")).isEqualTo(1);
    assertThat(value(metrics, "raftcache_requests_total{op=\"Get\",code=\"INVALID_ARGUMENT\",}")).isEqualTo(1);
    assertThat(value(metrics, "raftcache_request_seconds_count{op=\"Get\",}")).isEqualTo(3);
    assertThat(value(metrics, "raftcache_hits_total")).isEqualTo(1);
    assertThat(value(metrics, "raftcache_misses_total")).isEqualTo(1);
    assertThat(value(metrics, "raftcache_entries")).isEqualTo(1);
    assertThat(value(metrics, "raftcache_stored_bytes")).isPositive();
    assertThat(value(metrics, "raftcache_offheap_bytes")).isPositive();
    assertThat(value(metrics, "raftcache_memory_budget_bytes")).isEqualTo(64 << 20);
    assertThat(metrics).contains("raftcache_evictions_total", "raftcache_expirations_total", "jvm_memory_bytes_used");

    assertThat(httpGet("/healthz").statusCode()).isEqualTo(200);
    assertThat(httpGet("/readyz").statusCode()).isEqualTo(200);
  }

  private static double value(String exposition, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
    assertThat(m.find()).as("series %s in /metrics", series).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
