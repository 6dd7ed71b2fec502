package io.raftcache.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store contract, run against every {@link PartitionStore} implementation by a subclass per store. */
abstract class PartitionStoreScenarios {
  protected PartitionStore store;

  /** Opens a fresh, empty store. */
  protected abstract PartitionStore openStore();

  @BeforeEach
  void open() {
    store = openStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  static byte[] key(String s) {
    return ("ns\0" + s).getBytes(StandardCharsets.UTF_8);
  }

  static StoredEntry entry(long version, long expireAt, String payload, String... tags) {
    return new StoredEntry(new EntryMeta(version, expireAt, 7, List.of(tags)), payload.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void getsWhatWasPutWithItsHeader() {
    store.put(key("a"), entry(5, 1234, "alpha", "t1", "t2"));

    StoredEntry got = store.get(key("a"));
    assertThat(got.payload()).asString(StandardCharsets.UTF_8).isEqualTo("alpha");
    assertThat(got.meta()).isEqualTo(new EntryMeta(5, 1234, 7, List.of("t1", "t2")));
    assertThat(store.meta(key("a"))).isEqualTo(got.meta());
    assertThat(store.get(key("missing"))).isNull();
    assertThat(store.meta(key("missing"))).isNull();
  }

  @Test
  void replaceAndRemoveKeepByteAccountingExact() {
    store.put(key("a"), entry(1, 0, "x".repeat(100)));
    store.put(key("b"), entry(2, 0, "y".repeat(10), "tag"));
    long expected = key("a").length + EntryCodec.encode(entry(1, 0, "x".repeat(100))).length
        + key("b").length + EntryCodec.encode(entry(2, 0, "y".repeat(10), "tag")).length;
    assertThat(store.storedBytes()).isEqualTo(expected);

    store.put(key("a"), entry(3, 0, "z"));
    assertThat(store.storedBytes()).isEqualTo(expected - 99);
    assertThat(store.entryCount()).isEqualTo(2);

    assertThat(store.remove(key("a"))).isTrue();
    assertThat(store.remove(key("a"))).isFalse();
    assertThat(store.entryCount()).isEqualTo(1);
    assertThat(store.storedBytes()).isEqualTo(key("b").length + EntryCodec.encode(entry(2, 0, "y".repeat(10), "tag")).length);
  }

  @Test
  void binaryKeysAndEmptyValuesRoundTrip() {
    byte[] binary = {'n', 's', 0, 0, (byte) 0xff, 1, 0};
    store.put(binary, new StoredEntry(new EntryMeta(9, 0, 0, List.of()), new byte[0]));
    assertThat(store.get(binary).payload()).isEmpty();
    assertThat(store.get(binary).version()).isEqualTo(9);
  }

  @Test
  void recordAccessRaisesTheTickOnlyPastTheResolutionAndKeepsTheRest() {
    store.put(key("a"), entry(4, 99, "v", "t"));
    store.recordAccess(key("a"), 8, 5); // 7 + 5 > 8: too recent to rewrite
    assertThat(store.meta(key("a")).accessTick()).isEqualTo(7);

    store.recordAccess(key("a"), 12, 5);
    assertThat(store.get(key("a")).meta()).isEqualTo(new EntryMeta(4, 99, 12, List.of("t")));
    assertThat(store.get(key("a")).payload()).asString(StandardCharsets.UTF_8).isEqualTo("v");

    store.recordAccess(key("absent"), 100, 1);
    assertThat(store.get(key("absent"))).isNull();
  }

  @Test
  void scansVisitEveryEntryOnceWithItsSize() {
    Map<String, Integer> expected = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      StoredEntry e = entry(i + 1, 0, "value-" + i, i % 2 == 0 ? "even" : "odd");
      store.put(key("k" + i), e);
      expected.put("ns\0k" + i, key("k" + i).length + EntryCodec.encode(e).length);
    }
    Map<String, Integer> seen = new HashMap<>();
    store.scanAll((key, meta, size) -> {
      assertThat(seen.put(new String(key, StandardCharsets.UTF_8), size)).isNull();
    });
    assertThat(seen).isEqualTo(expected);
    assertThat(seen.values().stream().mapToLong(Integer::longValue).sum()).isEqualTo(store.storedBytes());
  }

  @Test
  void clearEmptiesTheStore() {
    for (int i = 0; i < 50; i++) {
      store.put(key("k" + i), entry(i + 1, 0, "v"));
    }
    store.clear();
    assertThat(store.entryCount()).isZero();
    assertThat(store.storedBytes()).isZero();
    assertThat(store.get(key("k1"))).isNull();
  }

  @Test
  void randomOperationsMatchAPlainMapModel() {
    Random random = new Random(42);
    Map<String, StoredEntry> model = new HashMap<>();
    for (int i = 0; i < 5000; i++) {
      String k = "k" + random.nextInt(300);
      switch (random.nextInt(3)) {
        case 0, 1 -> {
          StoredEntry e = entry(i + 1, random.nextBoolean() ? 0 : 1000 + i, "v".repeat(random.nextInt(2000)),
              random.nextBoolean() ? new String[] {"t" + random.nextInt(5)} : new String[0]);
          store.put(key(k), e);
          model.put(k, e);
        }
        default -> assertThat(store.remove(key(k))).isEqualTo(model.remove(k) != null);
      }
    }
    assertThat(store.entryCount()).isEqualTo(model.size());
    List<String> mismatches = new ArrayList<>();
    model.forEach((k, e) -> {
      StoredEntry got = store.get(key(k));
      if (got == null || !got.meta().equals(e.meta()) || !java.util.Arrays.equals(got.payload(), e.payload())) {
        mismatches.add(k);
      }
    });
    assertThat(mismatches).isEmpty();
  }
}
