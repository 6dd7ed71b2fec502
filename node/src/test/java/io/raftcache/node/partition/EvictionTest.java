package io.raftcache.node.partition;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.metrics.StoreStats;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.node.testing.TestNodes;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.SetMultiEntry;
import io.raftcache.proto.v1.SetMultiRequest;
import io.raftcache.proto.v1.SetRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node written with three times its memory budget stays healthy, within budget, and keeps what is used. */
class EvictionTest {
  static final long BUDGET = 8L << 20;
  static final int VALUE_BYTES = 1024;

  @TempDir Path dataDir;

  /** A 4-partition node with the test's budget and 1 KiB values. */
  NodeConfig config(String nodeId) {
    return new NodeConfig(nodeId, "127.0.0.1", 0, -1, dataDir, BUDGET, 64 << 10, VALUE_BYTES, 4,
        NamespaceDefaults.none(), Duration.ofHours(1), Duration.ofSeconds(1), false);
  }

  @Test
  void writingThreeTimesTheBudgetEvictsTheLeastRecentlyUsed() throws Exception {
    MutableClock clock = MutableClock.atStart();
    NodeConfig config = config("evict");
    String name = "evict-" + UUID.randomUUID();
    try (RaftCacheNode node = TestNodes.inProcess(name, config, clock,
        PartitionStoreFactory.chronicle(dataDir.resolve("partitions")))) {
      ManagedChannel channel = TestNodes.channel(name);
      CacheGrpc.CacheBlockingStub cache = CacheGrpc.newBlockingStub(channel);
      ByteString value = ByteString.copyFrom(new byte[VALUE_BYTES]);

      List<String> hot = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        hot.add("hot-" + i);
        cache.set(SetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("hot-" + i)).setValue(value).build());
      }
      long written = 0;
      int i = 0;
      while (written < 3 * BUDGET) {
        cache.set(SetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("cold-" + i++))
            .setValue(value).build());
        written += VALUE_BYTES;
        if (i % 500 == 0) {
          clock.advance(Duration.ofSeconds(2)); // time passes; the hot keys keep being read
          for (String key : hot) {
            assertThat(get(cache, key)).as("hot key %s after %d writes", key, i).isTrue();
          }
        }
      }

      StoreStats stats = node.partitions().stats();
      assertThat(stats.storedBytes()).isLessThanOrEqualTo(BUDGET);
      assertThat(node.metrics().evictions()).isPositive();
      assertThat(stats.entries()).isLessThan(i);
      for (String key : hot) {
        assertThat(get(cache, key)).as("hot key %s", key).isTrue();
      }
      for (int recent = i - 100; recent < i; recent++) {
        assertThat(get(cache, "cold-" + recent)).as("recently written cold-%d", recent).isTrue();
      }
      assertThat(get(cache, "cold-0")).as("the oldest untouched key").isFalse();
      // Chronicle keeps the mapped files within its configured slack of the budget.
      assertThat(stats.offHeapBytes()).isLessThan(8 * BUDGET);
      assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(ServingStatus.SERVING);
      channel.shutdownNow();
    }
  }

  @Test
  void setMultiBatchesMakeRoomForAllTheirValuesToo() throws Exception {
    MutableClock clock = MutableClock.atStart();
    NodeConfig config = config("evict-multi");
    String name = "evict-multi-" + UUID.randomUUID();
    try (RaftCacheNode node = TestNodes.inProcess(name, config, clock,
        PartitionStoreFactory.chronicle(dataDir.resolve("partitions")))) {
      ManagedChannel channel = TestNodes.channel(name);
      CacheGrpc.CacheBlockingStub cache = CacheGrpc.newBlockingStub(channel);
      ByteString value = ByteString.copyFrom(new byte[VALUE_BYTES]);
      int i = 0;
      while ((long) i * VALUE_BYTES < 3 * BUDGET) {
        SetMultiRequest.Builder batch = SetMultiRequest.newBuilder().setNamespace("app");
        for (int j = 0; j < 500; j++) {
          batch.addEntries(SetMultiEntry.newBuilder().setKey(ByteString.copyFromUtf8("k-" + i++)).setValue(value));
        }
        assertThat(cache.setMulti(batch.build()).getVersionsCount()).isEqualTo(500);
      }

      StoreStats stats = node.partitions().stats();
      assertThat(stats.storedBytes()).isLessThanOrEqualTo(BUDGET);
      assertThat(node.metrics().evictions()).isPositive();
      for (int recent = i - 100; recent < i; recent++) {
        assertThat(get(cache, "k-" + recent)).as("recently written k-%d", recent).isTrue();
      }
      channel.shutdownNow();
    }
  }

  private static boolean get(CacheGrpc.CacheBlockingStub cache, String key) {
    return cache.get(GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8(key)).build()).getFound();
  }
}
