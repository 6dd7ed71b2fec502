package io.raftcache.bench;

import io.raftcache.node.storage.EntryCodec;
import io.raftcache.node.storage.StoreSizing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Data set, sizing and housekeeping shared by the store micro-benchmarks. */
final class BenchSupport {
  /** Entries filled before measuring. */
  static final int ENTRIES = 1_000_000;
  /** Payload bytes per entry (before the store's header). */
  static final int PAYLOAD_BYTES = 1024;
  /** The node's default --max-value-bytes (8 MiB); it decides the segment count, as in production. */
  static final int MAX_VALUE_BYTES = 8 << 20;
  /**
   * Partition budget: 1,000,000 entries of 17-byte keys and 1,046-byte encoded values store 1,063,000,000 bytes,
   * 63% of this 1,600 MiB budget, so the filled map sits below the 70% eviction watermark.
   */
  static final long BUDGET_BYTES = 1600L << 20;
  /** The node's default --access-resolution, 10 s, in ticks. */
  static final int ACCESS_RESOLUTION_TICKS = 10;

  private BenchSupport() {}

  /** Store key {@code namespace ‖ 0x00 ‖ key}, as KeyHashing.routingBytes builds it: "bench\0key-0000042". */
  static byte[] key(int i) {
    return String.format("bench\0key-%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** All keys of the data set, built once so the benchmarks do not format strings. */
  static byte[][] keys() {
    byte[][] keys = new byte[ENTRIES][];
    for (int i = 0; i < ENTRIES; i++) {
      keys[i] = key(i);
    }
    return keys;
  }

  /** The sizing the node would plan for this data set. */
  static StoreSizing sizing() {
    return StoreSizing.plan(BUDGET_BYTES, key(0).length, PAYLOAD_BYTES, MAX_VALUE_BYTES);
  }

  /** Encoded value size of an entry with a 1 KB payload and no tags. */
  static int encodedValueBytes() {
    return EntryCodec.HEADER_BYTES + PAYLOAD_BYTES;
  }

  /** A few distinct 1 KB payloads to rotate through. */
  static byte[][] payloads(int count, int size) {
    byte[][] out = new byte[count][size];
    for (int p = 0; p < count; p++) {
      for (int i = 0; i < size; i++) {
        out[p][i] = (byte) (31 * p + i);
      }
    }
    return out;
  }

  /**
   * Fails early, with the fix, when the JVM lacks the flags of jvm.options: Chronicle Map's own error would
   * otherwise surface as an obscure InaccessibleObjectException deep inside the map builder.
   */
  static void requireChronicleFlags() {
    Module me = BenchSupport.class.getModule();
    if (!Object.class.getModule().isOpen("java.lang", me) || !Object.class.getModule().isOpen("java.nio", me)) {
      throw new IllegalStateException("this JVM lacks the flags of jvm.options that Chronicle Map needs:"
          + " run `java -jar bench/target/raftcache-bench.jar` (its BenchMain prepends them to every fork),"
          + " or pass `-jvmArgsPrepend @jvm.options` when starting org.openjdk.jmh.Main yourself");
    }
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long fileBytes(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Disk blocks allocated under {@code dir} ({@code du -s -B1}; the map file is sparse), or -1 if unknown. */
  static long allocatedBytes(Path dir) {
    try {
      Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
      String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return du.waitFor() == 0 ? Long.parseLong(out.split("\\s+")[0]) : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Prints one line of fill progress, every 100,000 entries. */
  static void progress(String what, int done, long startNanos) {
    if (done % 100_000 == 0) {
      double secs = (System.nanoTime() - startNanos) / 1e9;
      System.out.printf("# %s: %,d entries in %.1f s%n", what, done, secs);
    }
  }
}
