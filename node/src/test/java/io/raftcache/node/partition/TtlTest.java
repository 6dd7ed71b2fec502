package io.raftcache.node.partition;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.node.testing.TestNodes;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.IncrementRequest;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.TouchRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expiry on a fake clock, on real Chronicle stores: reads hide expired entries, the sweeper reclaims them. */
class TtlTest {
  @TempDir Path dataDir;
  MutableClock clock = MutableClock.atStart();
  RaftCacheNode node;
  ManagedChannel channel;
  CacheGrpc.CacheBlockingStub cache;

  @BeforeEach
  void start() throws Exception {
    NodeConfig config = TestNodes.config(dataDir,
        NamespaceDefaults.ofTtls(Map.of("sessions", Duration.ofMinutes(30))));
    String name = "ttl-" + UUID.randomUUID();
    node = TestNodes.inProcess(name, config, clock, PartitionStoreFactory.chronicle(dataDir.resolve("partitions")));
    channel = TestNodes.channel(name);
    cache = CacheGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    node.close();
  }

  void set(String ns, String key, long ttlMs) {
    cache.set(SetRequest.newBuilder().setNamespace(ns).setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8("v")).setTtlMs(ttlMs).build());
  }

  GetResponse get(String ns, String key) {
    return cache.get(GetRequest.newBuilder().setNamespace(ns).setKey(ByteString.copyFromUtf8(key)).build());
  }

  @Test
  void anEntryIsVisibleUntilItsDeadlineAndGoneAtIt() {
    set("app", "k", 10_000);
    clock.advance(Duration.ofMillis(9_999));
    assertThat(get("app", "k").getTtlRemainingMs()).isEqualTo(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(get("app", "k").getFound()).isFalse();
  }

  @Test
  void theSweeperRemovesExpiredEntriesAndCountsThem() {
    for (int i = 0; i < 100; i++) {
      set("app", "short" + i, 1_000);
      set("app", "long" + i, 60_000);
    }
    assertThat(node.partitions().stats().entries()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(2));
    assertThat(node.partitions().stats().entries()).as("reads hide, only the sweeper removes").isEqualTo(200);
    assertThat(node.sweeper().sweepAll()).isEqualTo(100);
    assertThat(node.partitions().stats().entries()).isEqualTo(100);
    assertThat(node.metrics().expirations()).isEqualTo(100);
    assertThat(get("app", "long7").getFound()).isTrue();
  }

  @Test
  void aStepSweepsOneSegmentOfEachPartitionAndAFullRoundCoversEverything() {
    for (int i = 0; i < 50; i++) {
      set("app", "k" + i, 1_000);
    }
    clock.advance(Duration.ofSeconds(2));
    int maxSegments = node.partitions().all().stream().mapToInt(p -> p.store().segmentCount()).max().orElseThrow();
    int removed = 0;
    for (int step = 0; step < maxSegments; step++) {
      removed += node.sweeper().sweepStep();
    }
    assertThat(removed).isEqualTo(50);
  }

  @Test
  void aRewrittenEntryIsNotRemovedForItsOldDeadline() {
    set("app", "k", 1_000);
    clock.advance(Duration.ofSeconds(2));
    set("app", "k", 0); // rewritten without a deadline before the sweeper ran
    assertThat(node.sweeper().sweepAll()).isZero();
    assertThat(get("app", "k").getFound()).isTrue();
  }

  @Test
  void theNamespaceDefaultApplesWhenNoTtlIsGiven() {
    set("sessions", "s", 0);
    set("app", "a", 0);
    clock.advance(Duration.ofMinutes(31));
    assertThat(get("sessions", "s").getFound()).isFalse();
    assertThat(get("app", "a").getFound()).isTrue();
  }

  @Test
  void touchMovesTheDeadline() {
    set("app", "k", 1_000);
    cache.touch(TouchRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("k")).setTtlMs(60_000).build());
    clock.advance(Duration.ofSeconds(30));
    assertThat(get("app", "k").getFound()).isTrue();
    assertThat(node.sweeper().sweepAll()).isZero();
  }

  @Test
  void anExpiredCounterStartsOverFromItsInitialValue() {
    cache.increment(IncrementRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("n"))
        .setDelta(5).setTtlMs(1_000).build());
    clock.advance(Duration.ofSeconds(2));
    assertThat(cache.increment(IncrementRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("n"))
        .setDelta(1).setInitial(100).build()).getValue()).isEqualTo(101);
  }
}
