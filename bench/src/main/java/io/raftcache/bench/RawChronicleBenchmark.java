package io.raftcache.bench;

import io.raftcache.node.storage.AccessTicks;
import io.raftcache.node.storage.EntryCodec;
import io.raftcache.node.storage.EntryMeta;
import io.raftcache.node.storage.StoreSizing;
import io.raftcache.node.storage.StoredEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.ChecksumEntry;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The reference for {@link StoreBenchmark}: a raw persisted {@code ChronicleMap<byte[], byte[]>} built with the
 * same builder settings the store uses (same {@link StoreSizing}: entries, average key and value sizes,
 * segments, bloat factor), holding the same 1,000,000 keys with values of the store's encoded size (1 KB payload
 * plus the 22-byte header). The variants take the store's code path apart step by step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 4, time = 5)
@Measurement(iterations = 5, time = 5)
public class RawChronicleBenchmark {
  private Path dir;
  private ChronicleMap<byte[], byte[]> map;
  private byte[][] keys;
  private byte[][] values;
  private int counter;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    BenchSupport.requireChronicleFlags();
    StoreSizing sizing = BenchSupport.sizing();
    System.out.println("# sizing: " + sizing);
    dir = BenchSupport.tempDir("raftcache-raw-bench");
    map = ChronicleMapBuilder.of(byte[].class, byte[].class)
        .name("raw-bench")
        .entries(sizing.entries())
        .averageKeySize(sizing.averageKeyBytes())
        .averageValueSize(sizing.averageValueBytes())
        .actualSegments(sizing.segments())
        .maxBloatFactor(StoreSizing.MAX_BLOAT_FACTOR)
        .skipCloseOnExitHook(true)
        .createPersistedTo(dir.resolve("raw.cmap").toFile());
    keys = BenchSupport.keys();
    // The store's exact value bytes: EntryCodec's header (version, expiry, access tick, no tags) + 1 KB payload.
    byte[][] payloads = BenchSupport.payloads(16, BenchSupport.PAYLOAD_BYTES);
    values = new byte[16][];
    int tick = AccessTicks.of(System.currentTimeMillis());
    for (int i = 0; i < 16; i++) {
      values[i] = EntryCodec.encode(new StoredEntry(new EntryMeta(i + 1, 0, tick, List.of()), payloads[i]));
    }

    long start = System.nanoTime();
    for (int i = 0; i < BenchSupport.ENTRIES; i++) {
      putContext(keys[i], values[i & 15]);
      BenchSupport.progress("raw fill", i + 1, start);
    }
    long entries = map.longSize();
    System.out.printf("# raw footprint: entries=%d value=%d B/entry offHeapBytes=%d (%.1f B/entry) fileBytes=%d"
            + " (%.1f B/entry) diskAllocated=%d (%.1f B/entry) percentageFreeSpace=%d%% remainingAutoResizes=%d%n",
        entries, BenchSupport.encodedValueBytes(), map.offHeapMemoryUsed(),
        (double) map.offHeapMemoryUsed() / entries, BenchSupport.fileBytes(dir),
        (double) BenchSupport.fileBytes(dir) / entries, BenchSupport.allocatedBytes(dir),
        (double) BenchSupport.allocatedBytes(dir) / entries, map.percentageFreeSpace(), map.remainingAutoResizes());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (map != null) {
      map.close();
    }
    BenchSupport.deleteRecursively(dir);
  }

  private byte[] randomKey() {
    return keys[ThreadLocalRandom.current().nextInt(BenchSupport.ENTRIES)];
  }

  /** The plain Map API: {@code map.get}, which deserializes the value into a new byte[]. */
  @Benchmark
  public void get(Blackhole bh) {
    bh.consume(map.get(randomKey()));
  }

  /**
   * What the store's get would cost on Chronicle's fast path: {@code map.get} (one copy, as the store makes)
   * followed by {@link EntryCodec#decode}.
   */
  @Benchmark
  public void getFastPathDecode(Blackhole bh) {
    byte[] encoded = map.get(randomKey());
    bh.consume(encoded == null ? null : EntryCodec.decode(encoded));
  }

  /** As {@link #getContextCopy} without the explicit read lock: entry() takes it implicitly. */
  @Benchmark
  public void getContextImplicitLock(Blackhole bh) {
    try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(randomKey())) {
      MapEntry<byte[], byte[]> entry = c.entry();
      if (entry == null) {
        bh.consume(null);
        return;
      }
      Data<byte[]> value = entry.value();
      byte[] out = new byte[(int) value.size()];
      value.bytes().read(value.offset(), out, 0, out.length);
      bh.consume(out);
    }
  }

  /** The store's read minus EntryCodec.decode: query context, read lock, one copy of the value. */
  @Benchmark
  public void getContextCopy(Blackhole bh) {
    try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(randomKey())) {
      c.readLock().lock();
      MapEntry<byte[], byte[]> entry = c.entry();
      if (entry == null) {
        bh.consume(null);
        return;
      }
      Data<byte[]> value = entry.value();
      byte[] out = new byte[(int) value.size()];
      value.bytes().read(value.offset(), out, 0, out.length);
      bh.consume(out);
    }
  }

  /** The lookup alone: query context, read lock, read the 8-byte version without copying the value. */
  @Benchmark
  public long getContextNoCopy() {
    try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(randomKey())) {
      c.readLock().lock();
      MapEntry<byte[], byte[]> entry = c.entry();
      if (entry == null) {
        return -1;
      }
      Data<byte[]> value = entry.value();
      return value.bytes().readLong(value.offset());
    }
  }

  /**
   * recordAccess's worst case, on every call: update lock, write lock, patch 4 bytes in place, then recompute
   * the entry checksum as the store does.
   */
  @Benchmark
  public void patchAccessWithChecksum() {
    patch(true);
  }

  /** As {@link #patchAccessWithChecksum}, without the checksum update: isolates the checksum's cost. */
  @Benchmark
  public void patchAccessNoChecksum() {
    patch(false);
  }

  private void patch(boolean checksum) {
    int tick = ++counter;
    try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(randomKey())) {
      c.updateLock().lock();
      MapEntry<byte[], byte[]> entry = c.entry();
      if (entry == null) {
        return;
      }
      Data<byte[]> value = entry.value();
      RandomDataInput in = value.bytes();
      long at = value.offset() + 16;
      c.writeLock().lock();
      if (in instanceof RandomDataOutput<?> out) {
        // Four single-byte writes, big-endian, exactly as ChronicleMapPartitionStore.recordAccess does.
        out.writeByte(at, (byte) (tick >>> 24));
        out.writeByte(at + 1, (byte) (tick >>> 16));
        out.writeByte(at + 2, (byte) (tick >>> 8));
        out.writeByte(at + 3, (byte) tick);
        if (checksum && entry instanceof ChecksumEntry checksummed) {
          checksummed.updateChecksum();
        }
      } else {
        throw new IllegalStateException("value bytes are not writable: " + in.getClass());
      }
    }
  }

  /** The plain Map API: {@code map.put}, which also deserializes and returns the previous value. */
  @Benchmark
  public void put(Blackhole bh) {
    byte[] key = randomKey();
    bh.consume(map.put(key, values[++counter & 15]));
  }

  /** The store's write minus EntryCodec.encode: query context, update lock, replaceValue. */
  @Benchmark
  public void putContext() {
    putContext(randomKey(), values[++counter & 15]);
  }

  private void putContext(byte[] key, byte[] value) {
    try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(key)) {
      c.updateLock().lock();
      MapEntry<byte[], byte[]> existing = c.entry();
      if (existing == null) {
        c.insert(c.absentEntry(), c.wrapValueAsData(value));
      } else {
        c.replaceValue(existing, c.wrapValueAsData(value));
      }
    }
  }
}
