package io.raftcache.node.api;

import static io.raftcache.node.testing.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.node.testing.TestNodes;
import io.raftcache.proto.Partitioning;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.CompareAndSetRequest;
import io.raftcache.proto.v1.CompareAndSetResponse;
import io.raftcache.proto.v1.DeleteMultiRequest;
import io.raftcache.proto.v1.DeleteMultiResponse;
import io.raftcache.proto.v1.DeleteRequest;
import io.raftcache.proto.v1.DeleteResponse;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.GetMultiRequest;
import io.raftcache.proto.v1.GetMultiResponse;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.IncrementRequest;
import io.raftcache.proto.v1.IncrementResponse;
import io.raftcache.proto.v1.InvalidateTagRequest;
import io.raftcache.proto.v1.SetMultiEntry;
import io.raftcache.proto.v1.SetMultiRequest;
import io.raftcache.proto.v1.SetMultiResponse;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.SetResponse;
import io.raftcache.proto.v1.TouchRequest;
import io.raftcache.proto.v1.TouchResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Cache method, and every way to call it wrongly, through a real in-process gRPC server. */
class CacheServiceTest {
  static final int MAX_VALUE = 1 << 20;

  @TempDir Path dataDir;
  MutableClock clock = MutableClock.atStart();
  RaftCacheNode node;
  ManagedChannel channel;
  CacheGrpc.CacheBlockingStub cache;

  @BeforeEach
  void start() throws Exception {
    NodeConfig config = TestNodes.config(dataDir,
        NamespaceDefaults.ofTtls(Map.of("sessions", Duration.ofMinutes(1))));
    String name = "cache-" + UUID.randomUUID();
    node = TestNodes.inProcess(name, config, clock, PartitionStoreFactory.inMemory());
    channel = TestNodes.channel(name);
    cache = CacheGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    node.close();
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  SetResponse set(String ns, String key, String value) {
    return cache.set(SetRequest.newBuilder().setNamespace(ns).setKey(b(key)).setValue(b(value)).build());
  }

  GetResponse get(String ns, String key) {
    return cache.get(GetRequest.newBuilder().setNamespace(ns).setKey(b(key)).build());
  }

  @Nested
  class GetAndSet {
    @Test
    void aMissSaysSo() {
      GetResponse r = get("app", "absent");
      assertThat(r.getFound()).isFalse();
      assertThat(r.getValue()).isEmpty();
      assertThat(r.getVersion()).isZero();
      assertThat(r.getTtlRemainingMs()).isZero();
    }

    @Test
    void aHitReturnsValueVersionTtlTagsAndWhoServedIt() {
      SetResponse s = cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("user:1"))
          .setValue(b("alice")).addTags("users").build());
      assertThat(s.getApplied()).isTrue();
      assertThat(s.getVersion()).isPositive();
      assertThat(s.getTtlRemainingMs()).isEqualTo(-1);

      GetResponse r = get("app", "user:1");
      assertThat(r.getFound()).isTrue();
      assertThat(r.getValue().toStringUtf8()).isEqualTo("alice");
      assertThat(r.getVersion()).isEqualTo(s.getVersion());
      assertThat(r.getTtlRemainingMs()).isEqualTo(-1);
      assertThat(r.getTagsList()).containsExactly("users");
      assertThat(r.getServedBy().getNodeId()).isEqualTo("test-node");
      assertThat(r.getServedBy().getPartition())
          .isEqualTo(Partitioning.partitionOf("app", "user:1".getBytes(), 8));
    }

    @Test
    void namespacesAreSeparateKeyspaces() {
      set("a", "k", "in a");
      set("b", "k", "in b");
      assertThat(get("a", "k").getValue().toStringUtf8()).isEqualTo("in a");
      assertThat(get("b", "k").getValue().toStringUtf8()).isEqualTo("in b");
    }

    @Test
    void versionsRisePerWrite() {
      long v1 = set("app", "k", "1").getVersion();
      long v2 = set("app", "k", "2").getVersion();
      long v3 = set("app", "k", "3").getVersion();
      assertThat(v2).isGreaterThan(v1);
      assertThat(v3).isGreaterThan(v2);
    }

    @Test
    void ttlIsReportedAndANamespaceDefaultApplies() {
      SetResponse explicit = cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("t"))
          .setValue(b("v")).setTtlMs(30_000).build());
      assertThat(explicit.getTtlRemainingMs()).isEqualTo(30_000);
      clock.advance(Duration.ofSeconds(10));
      assertThat(get("app", "t").getTtlRemainingMs()).isEqualTo(20_000);

      assertThat(set("sessions", "s", "v").getTtlRemainingMs()).isEqualTo(60_000);
      assertThat(set("app", "forever", "v").getTtlRemainingMs()).isEqualTo(-1);
    }

    @Test
    void ifAbsentWritesOnlyOnce() {
      SetRequest req = SetRequest.newBuilder().setNamespace("app").setKey(b("once")).setValue(b("first"))
          .setIfAbsent(true).build();
      SetResponse first = cache.set(req);
      SetResponse second = cache.set(req.toBuilder().setValue(b("second")).build());
      assertThat(first.getApplied()).isTrue();
      assertThat(second.getApplied()).isFalse();
      assertThat(second.getVersion()).isEqualTo(first.getVersion());
      assertThat(get("app", "once").getValue().toStringUtf8()).isEqualTo("first");
    }

    @Test
    void ifVersionWritesOnlyOverThatVersion() {
      long v1 = set("app", "k", "v1").getVersion();
      SetResponse stale = cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("k")).setValue(b("x"))
          .setIfVersion(v1 + 1000).build());
      assertThat(stale.getApplied()).isFalse();
      assertThat(stale.getVersion()).isEqualTo(v1);

      SetResponse ok = cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("k")).setValue(b("v2"))
          .setIfVersion(v1).build());
      assertThat(ok.getApplied()).isTrue();
      assertThat(ok.getVersion()).isGreaterThan(v1);

      SetResponse absent = cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("nope")).setValue(b("x"))
          .setIfVersion(1).build());
      assertThat(absent.getApplied()).isFalse();
      assertThat(absent.getVersion()).isZero();
      assertThat(get("app", "nope").getFound()).isFalse();
    }

    @Test
    void aValueOfExactlyTheLimitIsAccepted() {
      byte[] max = new byte[MAX_VALUE];
      cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("max")).setValue(ByteString.copyFrom(max)).build());
      assertThat(get("app", "max").getValue().size()).isEqualTo(MAX_VALUE);
    }
  }

  @Nested
  class DeleteTouchIncrementCas {
    @Test
    void deleteRemovesOnceAndHonoursIfVersion() {
      long v = set("app", "k", "v").getVersion();
      DeleteResponse wrong = cache.delete(DeleteRequest.newBuilder().setNamespace("app").setKey(b("k"))
          .setIfVersion(v + 1).build());
      assertThat(wrong.getDeleted()).isFalse();
      assertThat(wrong.getVersion()).isEqualTo(v);
      assertThat(get("app", "k").getFound()).isTrue();

      DeleteResponse ok = cache.delete(DeleteRequest.newBuilder().setNamespace("app").setKey(b("k")).setIfVersion(v).build());
      assertThat(ok.getDeleted()).isTrue();
      assertThat(ok.getVersion()).isEqualTo(v);
      assertThat(cache.delete(DeleteRequest.newBuilder().setNamespace("app").setKey(b("k")).build()).getDeleted()).isFalse();
      assertThat(get("app", "k").getFound()).isFalse();
    }

    @Test
    void touchChangesTtlButNotValueOrVersion() {
      long v = set("app", "k", "v").getVersion();
      TouchResponse t = cache.touch(TouchRequest.newBuilder().setNamespace("app").setKey(b("k")).setTtlMs(5000).build());
      assertThat(t.getFound()).isTrue();
      assertThat(t.getVersion()).isEqualTo(v);
      assertThat(t.getTtlRemainingMs()).isEqualTo(5000);
      assertThat(get("app", "k").getVersion()).isEqualTo(v);

      TouchResponse persist = cache.touch(TouchRequest.newBuilder().setNamespace("app").setKey(b("k")).build());
      assertThat(persist.getTtlRemainingMs()).isEqualTo(-1);
      clock.advance(Duration.ofHours(1));
      assertThat(get("app", "k").getFound()).isTrue();

      assertThat(cache.touch(TouchRequest.newBuilder().setNamespace("app").setKey(b("absent")).setTtlMs(5).build())
          .getFound()).isFalse();
    }

    @Test
    void incrementCreatesAddsAndStoresDecimal() {
      IncrementResponse first = cache.increment(IncrementRequest.newBuilder().setNamespace("app").setKey(b("n"))
          .setInitial(10).setDelta(5).build());
      assertThat(first.getValue()).isEqualTo(15);
      IncrementResponse second = cache.increment(IncrementRequest.newBuilder().setNamespace("app").setKey(b("n"))
          .setInitial(10).setDelta(-20).build());
      assertThat(second.getValue()).isEqualTo(-5);
      assertThat(second.getVersion()).isGreaterThan(first.getVersion());
      assertThat(get("app", "n").getValue().toStringUtf8()).isEqualTo("-5");
    }

    @Test
    void incrementRefusesNonIntegersAndOverflowWithoutChangingTheValue() {
      set("app", "text", "hello");
      assertFails(() -> cache.increment(IncrementRequest.newBuilder().setNamespace("app").setKey(b("text"))
          .setDelta(1).build()), Code.FAILED_PRECONDITION, ErrorReason.NOT_AN_INTEGER);
      assertThat(get("app", "text").getValue().toStringUtf8()).isEqualTo("hello");

      set("app", "big", Long.toString(Long.MAX_VALUE));
      assertFails(() -> cache.increment(IncrementRequest.newBuilder().setNamespace("app").setKey(b("big"))
          .setDelta(1).build()), Code.OUT_OF_RANGE, ErrorReason.INTEGER_OVERFLOW);
      assertThat(get("app", "big").getValue().toStringUtf8()).isEqualTo(Long.toString(Long.MAX_VALUE));
    }

    @Test
    void compareAndSetComparesValuesOrAbsence() {
      CompareAndSetResponse created = cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace("app")
          .setKey(b("c")).setExpectAbsent(true).setNewValue(b("one")).build());
      assertThat(created.getApplied()).isTrue();

      CompareAndSetResponse notAbsent = cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace("app")
          .setKey(b("c")).setExpectAbsent(true).setNewValue(b("other")).build());
      assertThat(notAbsent.getApplied()).isFalse();
      assertThat(notAbsent.getCurrentValue().toStringUtf8()).isEqualTo("one");
      assertThat(notAbsent.getVersion()).isEqualTo(created.getVersion());

      CompareAndSetResponse mismatch = cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace("app")
          .setKey(b("c")).setExpectedValue(b("zero")).setNewValue(b("two")).build());
      assertThat(mismatch.getApplied()).isFalse();
      assertThat(mismatch.getCurrentValue().toStringUtf8()).isEqualTo("one");

      CompareAndSetResponse swapped = cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace("app")
          .setKey(b("c")).setExpectedValue(b("one")).setNewValue(b("two")).build());
      assertThat(swapped.getApplied()).isTrue();
      assertThat(swapped.getVersion()).isGreaterThan(created.getVersion());
      assertThat(get("app", "c").getValue().toStringUtf8()).isEqualTo("two");

      CompareAndSetResponse absent = cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace("app")
          .setKey(b("nothing")).setExpectedValue(b("x")).setNewValue(b("y")).build());
      assertThat(absent.getApplied()).isFalse();
      assertThat(absent.getVersion()).isZero();
    }
  }

  @Nested
  class Batches {
    @Test
    void getMultiAnswersInRequestOrder() {
      set("app", "a", "A");
      set("app", "c", "C");
      GetMultiResponse r = cache.getMulti(GetMultiRequest.newBuilder().setNamespace("app")
          .addKeys(b("c")).addKeys(b("b")).addKeys(b("a")).build());
      assertThat(r.getResultsList()).extracting(GetResponse::getFound).containsExactly(true, false, true);
      assertThat(r.getResults(0).getValue().toStringUtf8()).isEqualTo("C");
      assertThat(r.getResults(2).getValue().toStringUtf8()).isEqualTo("A");
    }

    @Test
    void setMultiWritesEveryEntryAndDeleteMultiRemovesThem() {
      SetMultiRequest.Builder req = SetMultiRequest.newBuilder().setNamespace("app");
      for (int i = 0; i < 1000; i++) {
        req.addEntries(SetMultiEntry.newBuilder().setKey(b("k" + i)).setValue(b("v" + i)));
      }
      SetMultiResponse written = cache.setMulti(req.build());
      assertThat(written.getVersionsList()).hasSize(1000).allMatch(v -> v > 0);
      assertThat(get("app", "k999").getValue().toStringUtf8()).isEqualTo("v999");

      DeleteMultiResponse deleted = cache.deleteMulti(DeleteMultiRequest.newBuilder().setNamespace("app")
          .addKeys(b("k1")).addKeys(b("missing")).addKeys(b("k2")).build());
      assertThat(deleted.getDeletedList()).containsExactly(true, false, true);
      assertThat(deleted.getTotalDeleted()).isEqualTo(2);
      assertThat(get("app", "k1").getFound()).isFalse();
    }

    @Test
    void aSetMultiWithOneBadEntryWritesNothing() {
      SetMultiRequest req = SetMultiRequest.newBuilder().setNamespace("app")
          .addEntries(SetMultiEntry.newBuilder().setKey(b("first")).setValue(b("v")))
          .addEntries(SetMultiEntry.newBuilder().setKey(b("second")).setValue(ByteString.copyFrom(new byte[MAX_VALUE + 1])))
          .build();
      assertFails(() -> cache.setMulti(req), Code.INVALID_ARGUMENT, ErrorReason.VALUE_TOO_LARGE);
      assertThat(get("app", "first").getFound()).isFalse();

      SetMultiRequest badTtl = SetMultiRequest.newBuilder().setNamespace("app")
          .addEntries(SetMultiEntry.newBuilder().setKey(b("first")).setValue(b("v")))
          .addEntries(SetMultiEntry.newBuilder().setKey(b("second")).setValue(b("v")).setTtlMs(-5))
          .build();
      assertFails(() -> cache.setMulti(badTtl), Code.INVALID_ARGUMENT, ErrorReason.INVALID_TTL);
      assertThat(get("app", "first").getFound()).isFalse();
    }

    @Test
    void invalidateTagRemovesTaggedEntriesOfThatNamespaceOnly() {
      for (int i = 0; i < 50; i++) {
        cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("tagged" + i)).setValue(b("v"))
            .addTags("user:7").build());
      }
      cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("other")).setValue(b("v")).addTags("user:8").build());
      cache.set(SetRequest.newBuilder().setNamespace("elsewhere").setKey(b("same-tag")).setValue(b("v"))
          .addTags("user:7").build());

      assertThat(cache.invalidateTag(InvalidateTagRequest.newBuilder().setNamespace("app").setTag("user:7").build())
          .getDeletedCount()).isEqualTo(50);
      assertThat(get("app", "tagged3").getFound()).isFalse();
      assertThat(get("app", "other").getFound()).isTrue();
      assertThat(get("elsewhere", "same-tag").getFound()).isTrue();
    }
  }

  @Nested
  class BadInput {
    @Test
    void namespacesMustMatchThePattern() {
      for (String bad : List.of("", " app", "a b", "-leading", "x".repeat(65), "ünïcode", "a/b")) {
        assertFails(() -> get(bad, "k"), Code.INVALID_ARGUMENT, ErrorReason.INVALID_NAMESPACE);
        assertFails(() -> set(bad, "k", "v"), Code.INVALID_ARGUMENT, ErrorReason.INVALID_NAMESPACE);
      }
      set("x".repeat(64), "k", "v"); // the longest name is fine
    }

    @Test
    void keysMustBeOneTo4096Bytes() {
      assertFails(() -> get("app", ""), Code.INVALID_ARGUMENT, ErrorReason.EMPTY_KEY);
      assertFails(() -> set("app", "", "v"), Code.INVALID_ARGUMENT, ErrorReason.EMPTY_KEY);
      String tooLong = "k".repeat(4097);
      assertFails(() -> get("app", tooLong), Code.INVALID_ARGUMENT, ErrorReason.KEY_TOO_LARGE);
      assertFails(() -> cache.delete(DeleteRequest.newBuilder().setNamespace("app").setKey(b(tooLong)).build()),
          Code.INVALID_ARGUMENT, ErrorReason.KEY_TOO_LARGE);
      set("app", "k".repeat(4096), "v");
      assertThat(get("app", "k".repeat(4096)).getFound()).isTrue();
    }

    @Test
    void valuesOverTheLimitAreRefusedBeforeAnythingIsStored() {
      ByteString big = ByteString.copyFrom(new byte[MAX_VALUE + 1]);
      assertFails(() -> cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("k")).setValue(big).build()),
          Code.INVALID_ARGUMENT, ErrorReason.VALUE_TOO_LARGE);
      assertFails(() -> cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace("app").setKey(b("k"))
          .setExpectAbsent(true).setNewValue(big).build()), Code.INVALID_ARGUMENT, ErrorReason.VALUE_TOO_LARGE);
      assertThat(get("app", "k").getFound()).isFalse();
    }

    @Test
    void ttlsMustBeWithinRange() {
      for (long ttl : new long[] {-1, 315_360_000_001L}) {
        assertFails(() -> cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("k")).setValue(b("v"))
            .setTtlMs(ttl).build()), Code.INVALID_ARGUMENT, ErrorReason.INVALID_TTL);
        assertFails(() -> cache.touch(TouchRequest.newBuilder().setNamespace("app").setKey(b("k")).setTtlMs(ttl).build()),
            Code.INVALID_ARGUMENT, ErrorReason.INVALID_TTL);
        assertFails(() -> cache.increment(IncrementRequest.newBuilder().setNamespace("app").setKey(b("k"))
            .setTtlMs(ttl).build()), Code.INVALID_ARGUMENT, ErrorReason.INVALID_TTL);
      }
    }

    @Test
    void tagsMustBeFewAndShort() {
      SetRequest.Builder base = SetRequest.newBuilder().setNamespace("app").setKey(b("k")).setValue(b("v"));
      assertFails(() -> cache.set(base.clone().addTags("").build()), Code.INVALID_ARGUMENT, ErrorReason.INVALID_TAG);
      assertFails(() -> cache.set(base.clone().addTags("t".repeat(129)).build()), Code.INVALID_ARGUMENT,
          ErrorReason.INVALID_TAG);
      assertFails(() -> cache.set(base.clone().addAllTags(Collections.nCopies(17, "t")).build()),
          Code.INVALID_ARGUMENT, ErrorReason.INVALID_TAG);
      assertFails(() -> cache.invalidateTag(InvalidateTagRequest.newBuilder().setNamespace("app").build()),
          Code.INVALID_ARGUMENT, ErrorReason.INVALID_TAG);
      assertThat(get("app", "k").getFound()).isFalse();
    }

    @Test
    void optionsThatExcludeEachOtherAreRefused() {
      assertFails(() -> cache.set(SetRequest.newBuilder().setNamespace("app").setKey(b("k")).setValue(b("v"))
          .setIfAbsent(true).setIfVersion(3).build()), Code.INVALID_ARGUMENT, ErrorReason.CONFLICTING_OPTIONS);
      assertFails(() -> cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace("app").setKey(b("k"))
          .setExpectAbsent(true).setExpectedValue(b("x")).setNewValue(b("v")).build()),
          Code.INVALID_ARGUMENT, ErrorReason.CONFLICTING_OPTIONS);
    }

    @Test
    void batchesMustHoldOneToAThousandDistinctKeys() {
      assertFails(() -> cache.getMulti(GetMultiRequest.newBuilder().setNamespace("app").build()),
          Code.INVALID_ARGUMENT, ErrorReason.BATCH_TOO_LARGE);
      List<ByteString> tooMany = new ArrayList<>();
      for (int i = 0; i < 1001; i++) {
        tooMany.add(b("k" + i));
      }
      assertFails(() -> cache.getMulti(GetMultiRequest.newBuilder().setNamespace("app").addAllKeys(tooMany).build()),
          Code.INVALID_ARGUMENT, ErrorReason.BATCH_TOO_LARGE);
      assertFails(() -> cache.deleteMulti(DeleteMultiRequest.newBuilder().setNamespace("app").addAllKeys(tooMany).build()),
          Code.INVALID_ARGUMENT, ErrorReason.BATCH_TOO_LARGE);
      assertFails(() -> cache.getMulti(GetMultiRequest.newBuilder().setNamespace("app")
          .addKeys(b("same")).addKeys(b("same")).build()), Code.INVALID_ARGUMENT, ErrorReason.DUPLICATE_KEY);
      assertFails(() -> cache.setMulti(SetMultiRequest.newBuilder().setNamespace("app")
          .addEntries(SetMultiEntry.newBuilder().setKey(b("same")).setValue(b("1")))
          .addEntries(SetMultiEntry.newBuilder().setKey(b("same")).setValue(b("2"))).build()),
          Code.INVALID_ARGUMENT, ErrorReason.DUPLICATE_KEY);
      assertFails(() -> cache.getMulti(GetMultiRequest.newBuilder().setNamespace("app").addKeys(b("")).build()),
          Code.INVALID_ARGUMENT, ErrorReason.EMPTY_KEY);
      assertFails(() -> cache.setMulti(SetMultiRequest.newBuilder().setNamespace("bad ns")
          .addEntries(SetMultiEntry.newBuilder().setKey(b("k"))).build()), Code.INVALID_ARGUMENT,
          ErrorReason.INVALID_NAMESPACE);
      assertThat(get("app", "same").getFound()).isFalse();
    }

    @Test
    void theNodeKeepsServingAfterBadInput() {
      assertFails(() -> get("", ""), Code.INVALID_ARGUMENT, ErrorReason.INVALID_NAMESPACE);
      set("app", "still", "alive");
      assertThat(get("app", "still").getFound()).isTrue();
    }
  }
}
