package io.raftcache.bench;

import io.raftcache.node.storage.AccessTicks;
import io.raftcache.node.storage.ChronicleMapPartitionStore;
import io.raftcache.node.storage.EntryMeta;
import io.raftcache.node.storage.StoreSizing;
import io.raftcache.node.storage.StoredEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 * One partition's {@link ChronicleMapPartitionStore} holding 1,000,000 entries of 1 KB, driven the way the node
 * drives it: a read is {@code get}, then {@code recordAccess} with the wall clock only when the entry's access
 * tick is stale; a write is a {@code put} of a fresh {@link StoredEntry}. Keys are uniformly random over the
 * whole data set.
 *
 * <p>Run it with {@code java -jar bench/target/raftcache-bench.jar StoreBenchmark}: the jar's main class
 * ({@link BenchMain}) gives each forked JVM the flags of jvm.options that Chronicle Map needs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 4, time = 5)
@Measurement(iterations = 5, time = 5)
public class StoreBenchmark {
  private Path dir;
  private ChronicleMapPartitionStore store;
  private byte[][] keys;
  private byte[][] payloads;
  private long version;

  @Setup(Level.Trial)
  public void setUp() {
    BenchSupport.requireChronicleFlags();
    StoreSizing sizing = BenchSupport.sizing();
    System.out.println("# sizing: " + sizing);
    dir = BenchSupport.tempDir("raftcache-store-bench");
    store = ChronicleMapPartitionStore.open(dir.resolve("p-0000.cmap"), sizing);
    keys = BenchSupport.keys();
    payloads = BenchSupport.payloads(16, BenchSupport.PAYLOAD_BYTES);

    long start = System.nanoTime();
    for (int i = 0; i < BenchSupport.ENTRIES; i++) {
      int tick = AccessTicks.of(System.currentTimeMillis());
      store.put(keys[i], new StoredEntry(new EntryMeta(++version, 0, tick, List.of()), payloads[i & 15]));
      BenchSupport.progress("store fill", i + 1, start);
    }
    long entries = store.entryCount();
    if (entries != BenchSupport.ENTRIES) {
      throw new IllegalStateException("filled " + BenchSupport.ENTRIES + " entries but the store holds " + entries);
    }
    System.out.printf(
        "# store footprint: entries=%d payload=%d B/entry storedBytes=%d (%.1f B/entry) offHeapBytes=%d"
            + " (%.1f B/entry) fileBytes=%d (%.1f B/entry) diskAllocated=%d (%.1f B/entry) budgetUse=%.1f%%%n",
        entries, BenchSupport.PAYLOAD_BYTES,
        store.storedBytes(), (double) store.storedBytes() / entries,
        store.offHeapBytes(), (double) store.offHeapBytes() / entries,
        BenchSupport.fileBytes(dir), (double) BenchSupport.fileBytes(dir) / entries,
        BenchSupport.allocatedBytes(dir), (double) BenchSupport.allocatedBytes(dir) / entries,
        100.0 * store.storedBytes() / sizing.budgetBytes());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (store != null) {
      store.close();
    }
    BenchSupport.deleteRecursively(dir);
  }

  private byte[] randomKey() {
    return keys[ThreadLocalRandom.current().nextInt(BenchSupport.ENTRIES)];
  }

  /**
   * The production read path since commit 8f9e3dc (CacheOperations.toReadResult on the leader): get, expiry
   * check, then recordAccess only when the returned entry's access tick is stale, with the node's default
   * resolution of 10 ticks (--access-resolution 10s). A fresh tick costs no second lookup.
   */
  @Benchmark
  public void get(Blackhole bh) {
    byte[] key = randomKey();
    long now = System.currentTimeMillis();
    StoredEntry entry = store.get(key);
    if (entry != null && !entry.isExpiredAt(now)) {
      int tick = AccessTicks.of(now);
      if (AccessTicks.compare(entry.meta().accessTick() + BenchSupport.ACCESS_RESOLUTION_TICKS, tick) <= 0) {
        store.recordAccess(key, tick, BenchSupport.ACCESS_RESOLUTION_TICKS);
      }
    }
    bh.consume(entry);
  }

  /** The read without any access-tick work: what the tick check and the stale reads' recordAccess add. */
  @Benchmark
  public void getOnly(Blackhole bh) {
    bh.consume(store.get(randomKey()));
  }

  /**
   * recordAccess alone on every call, with the same clock and resolution as {@link #get}: the cost of the
   * second lookup that {@link #get} pays on a stale read (it patches only keys whose tick is stale here too).
   */
  @Benchmark
  public void recordAccessOnly() {
    store.recordAccess(
        randomKey(), AccessTicks.of(System.currentTimeMillis()), BenchSupport.ACCESS_RESOLUTION_TICKS);
  }

  /**
   * Only the header (EntryMeta), as the state machine reads it before a write: the store still copies the whole
   * encoded value out of the map, but skips decode's second copy of the payload into a fresh array.
   */
  @Benchmark
  public void metaOnly(Blackhole bh) {
    bh.consume(store.meta(randomKey()));
  }

  /** A production write: overwrite a random existing key with a new 1 KB value. */
  @Benchmark
  public void put() {
    int tick = AccessTicks.of(System.currentTimeMillis());
    byte[] key = randomKey();
    store.put(key, new StoredEntry(new EntryMeta(++version, 0, tick, List.of()), payloads[(int) version & 15]));
  }
}
