package io.raftcache.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks {@link KeyHashing} and {@link Partitioning} against the golden vectors published in {@code proto/ROUTING.md},
 * plus the properties jump consistent hashing must have.
 */
class RoutingGoldenVectorsTest {
  /** Surefire runs with the module directory as working directory. */
  private static final Path ROUTING_MD = Path.of("ROUTING.md");

  private static final List<String> GOLDEN_HEADER =
      List.of("namespace", "key (hex)", "xxhash64 (hex)", "partition P=64", "partition P=256");
  private static final List<String> JUMP_HEADER = List.of("hash (hex)", "P", "partition");

  private static final HexFormat HEX = HexFormat.of();

  private static List<String> lines;

  /** One row of the golden table. */
  private record Golden(int row, String namespace, byte[] key, String hashHex, int p64, int p256) {
    long hash() {
      return Long.parseUnsignedLong(hashHex, 16);
    }

    @Override
    public String toString() {
      return "row " + row + ": namespace=\"" + namespace + "\" key=" + HEX.formatHex(key);
    }
  }

  @BeforeAll
  static void readRoutingMd() throws IOException {
    assertThat(ROUTING_MD).as("ROUTING.md relative to the proto module directory").isRegularFile();
    lines = Files.readAllLines(ROUTING_MD, StandardCharsets.UTF_8);
  }

  /** Splits a Markdown table line {@code | a | b |} into its trimmed cells. */
  private static List<String> cells(String line) {
    String t = line.strip();
    if (!t.startsWith("|") || !t.endsWith("|") || t.length() < 2) {
      throw new IllegalArgumentException("not a table row: " + line);
    }
    return Arrays.stream(t.substring(1, t.length() - 1).split("\\|", -1)).map(String::strip).toList();
  }

  /** Returns the body rows of the (single) table whose header cells are exactly {@code header}. */
  private static List<List<String>> table(List<String> header) {
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith("|") && l.endsWith("|") && cells(l).equals(header)) {
        starts.add(i);
      }
    }
    assertThat(starts).as("tables in ROUTING.md with header %s", header).hasSize(1);
    int i = starts.get(0) + 1;
    assertThat(lines.get(i).strip()).as("separator line after header").matches("\\|(\\s*:?-+:?\\s*\\|)+");
    List<List<String>> rows = new ArrayList<>();
    for (i++; i < lines.size() && lines.get(i).strip().startsWith("|"); i++) {
      List<String> c = cells(lines.get(i));
      assertThat(c).as("cells of line %d: %s", i + 1, lines.get(i)).hasSize(header.size());
      rows.add(c);
    }
    return rows;
  }

  private static String unquote(String cell) {
    assertThat(cell).as("namespace cell is wrapped in backticks").startsWith("`").endsWith("`").hasSizeGreaterThan(2);
    return cell.substring(1, cell.length() - 1);
  }

  private static List<Golden> golden() {
    List<Golden> out = new ArrayList<>();
    int n = 0;
    for (List<String> c : table(GOLDEN_HEADER)) {
      n++;
      assertThat(c.get(1)).as("row %d key hex", n).matches("([0-9a-f]{2})+");
      assertThat(c.get(2)).as("row %d hash hex", n).matches("[0-9a-f]{16}");
      out.add(new Golden(n, unquote(c.get(0)), HEX.parseHex(c.get(1)), c.get(2),
          Integer.parseInt(c.get(3)), Integer.parseInt(c.get(4))));
    }
    return out;
  }

  @Test
  void goldenTableIsWellFormed() {
    List<Golden> rows = golden();
    assertThat(rows).as("golden vectors in ROUTING.md").hasSizeGreaterThanOrEqualTo(24);
    Set<String> seen = new HashSet<>();
    for (Golden g : rows) {
      assertThat(g.key()).as("%s: keys are 1..4096 bytes", g).hasSizeBetween(1, 4096);
      assertThat(seen.add(HEX.formatHex(g.namespace().getBytes(StandardCharsets.UTF_8)) + "/" + HEX.formatHex(g.key())))
          .as("%s is not a duplicate", g)
          .isTrue();
    }
    // The table must exercise both sides of XXH64's 32-byte stripe loop and non-ASCII namespaces.
    assertThat(rows).anySatisfy(g -> assertThat(g.key()).hasSize(32));
    assertThat(rows).anySatisfy(g -> assertThat(g.key()).hasSize(33));
    assertThat(rows).anySatisfy(g -> assertThat(g.key().length).isGreaterThanOrEqualTo(100));
    assertThat(rows).anySatisfy(
        g -> assertThat(g.namespace().getBytes(StandardCharsets.UTF_8).length).isGreaterThan(g.namespace().length()));
  }

  @TestFactory
  Stream<DynamicTest> goldenVectorsMatchImplementation() {
    return golden().stream().map(g -> DynamicTest.dynamicTest(g.toString(), () -> {
      long h = KeyHashing.hash(g.namespace(), g.key());
      assertThat(String.format("%016x", h)).as("%s xxhash64", g).isEqualTo(g.hashHex());
      assertThat(Partitioning.partition(g.hash(), 64)).as("%s P=64", g).isEqualTo(g.p64());
      assertThat(Partitioning.partition(g.hash(), 256)).as("%s P=256", g).isEqualTo(g.p256());
      assertThat(Partitioning.partitionOf(g.namespace(), g.key(), 64)).as("%s partitionOf P=64", g).isEqualTo(g.p64());
      assertThat(Partitioning.partitionOf(g.namespace(), g.key(), 256)).as("%s partitionOf P=256", g).isEqualTo(g.p256());
    }));
  }

  @TestFactory
  Stream<DynamicTest> publishedJumpHashVectors() {
    List<List<String>> rows = table(JUMP_HEADER);
    assertThat(rows).isNotEmpty();
    return rows.stream().map(c -> {
      String hex = c.get(0).replace("`", "");
      long hash = Long.parseUnsignedLong(hex, 16);
      int p = Integer.parseInt(c.get(1));
      int expected = Integer.parseInt(c.get(2));
      return DynamicTest.dynamicTest("jump(" + hex + ", " + p + ") = " + expected,
          () -> assertThat(Partitioning.partition(hash, p)).isEqualTo(expected));
    });
  }

  @Test
  void routingBytesAreNamespaceUtf8ThenZeroThenKey() {
    assertThat(KeyHashing.routingBytes("café", new byte[] {(byte) 0xff, 0x00}))
        .isEqualTo(HEX.parseHex("636166c3a900ff00"));
    assertThat(KeyHashing.routingBytes("🚀", new byte[] {0x61})).isEqualTo(HEX.parseHex("f09f9a800061"));
  }

  @Test
  void separatorPositionMatters() {
    byte[] c = "c".getBytes(StandardCharsets.US_ASCII);
    byte[] bc = "bc".getBytes(StandardCharsets.US_ASCII);
    assertThat(KeyHashing.routingBytes("ab", c)).isNotEqualTo(KeyHashing.routingBytes("a", bc));
    assertThat(KeyHashing.hash("ab", c)).isNotEqualTo(KeyHashing.hash("a", bc));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7, 64, 256, 1024})
  void partitionsAreInRange(int partitionCount) {
    SplittableRandom random = new SplittableRandom(0x5eed_0000L + partitionCount);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      long hash = random.nextLong();
      int p = Partitioning.partition(hash, partitionCount);
      assertThat(p).as("partition(%016x, %d)", hash, partitionCount).isBetween(0, partitionCount - 1);
      seen.add(p);
    }
    if (partitionCount <= 256) {
      assertThat(seen).as("all partitions reached for P=%d", partitionCount).hasSize(partitionCount);
    }
    // Extreme hashes (including ones with the sign bit set) are in range too.
    for (long hash : new long[] {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE}) {
      assertThat(Partitioning.partition(hash, partitionCount)).isBetween(0, partitionCount - 1);
    }
  }

  @Test
  void growingPartitionCountOnlyMovesKeysToTheNewPartition() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 2_000; i++) {
      long hash = random.nextLong();
      int previous = Partitioning.partition(hash, 1);
      assertThat(previous).isZero();
      for (int n = 1; n < 300; n++) {
        int next = Partitioning.partition(hash, n + 1);
        if (next != previous) {
          assertThat(next).as("hash %016x moving from P=%d to P=%d", hash, n, n + 1).isEqualTo(n);
        }
        previous = next;
      }
    }
  }

  @Test
  void randomKeysAreBalancedOver64Partitions() {
    int partitions = 64;
    int keys = 10_000;
    SplittableRandom random = new SplittableRandom(7);
    int[] counts = new int[partitions];
    for (int i = 0; i < keys; i++) {
      byte[] key = new byte[1 + random.nextInt(32)];
      random.nextBytes(key);
      counts[Partitioning.partitionOf("default", key, partitions)]++;
    }
    double mean = (double) keys / partitions;
    for (int p = 0; p < partitions; p++) {
      assertThat((double) counts[p]).as("keys in partition %d (mean %.2f)", p, mean).isBetween(0.5 * mean, 1.5 * mean);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, -64, Integer.MIN_VALUE})
  void rejectsNonPositivePartitionCount(int partitionCount) {
    assertThatThrownBy(() -> Partitioning.partition(123L, partitionCount))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Partitioning.partitionOf("default", new byte[] {1}, partitionCount))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
