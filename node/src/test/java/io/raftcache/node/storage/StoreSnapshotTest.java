package io.raftcache.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots carry a store to another store exactly, and a damaged snapshot changes nothing. */
class StoreSnapshotTest {
  @TempDir Path dir;

  static byte[] key(int i) {
    return ("ns\0key-" + i).getBytes(StandardCharsets.UTF_8);
  }

  static void fill(PartitionStore store, int n) {
    for (int i = 0; i < n; i++) {
      store.put(key(i), new StoredEntry(new EntryMeta(i + 1, i % 3 == 0 ? 5_000 + i : 0, i, i % 2 == 0 ? List.of("even") : List.of()),
          ("value-" + i).repeat(i % 50 + 1).getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void aChronicleStoreRestoresIntoAnotherStoreWithTheSameDigest() throws IOException {
    try (PartitionStore source = ChronicleMapPartitionStore.open(dir.resolve("a.cmap"), ChronicleMapPartitionStoreTest.SIZING);
        PartitionStore target = new InMemoryPartitionStore(100_000)) {
      fill(source, 3000);
      target.put(key(99_999), new StoredEntry(new EntryMeta(1, 0, 0, List.of()), new byte[] {1})); // replaced

      assertThat(StoreSnapshot.write(source, dir.resolve("snap"))).isEqualTo(3000);
      assertThat(StoreSnapshot.load(dir.resolve("snap"), target)).isEqualTo(3000);

      assertThat(StoreDigest.of(target)).isEqualTo(StoreDigest.of(source));
      assertThat(target.storedBytes()).isEqualTo(source.storedBytes());
      assertThat(target.get(key(99_999))).isNull();
      assertThat(target.get(key(42)).meta()).isEqualTo(source.get(key(42)).meta());
    }
  }

  @Test
  void theDigestIgnoresAccessTicksButSeesEveryReplicatedChange() {
    try (PartitionStore a = new InMemoryPartitionStore(1000); PartitionStore b = new InMemoryPartitionStore(1000)) {
      fill(a, 100);
      fill(b, 100);
      b.recordAccess(key(5), 1_000_000, 1);
      assertThat(StoreDigest.of(a)).isEqualTo(StoreDigest.of(b));

      b.put(key(5), new StoredEntry(new EntryMeta(6, 0, 5, List.of()), "changed".getBytes(StandardCharsets.UTF_8)));
      assertThat(StoreDigest.of(a)).isNotEqualTo(StoreDigest.of(b));
    }
  }

  @Test
  void aCorruptOrTruncatedSnapshotIsRefusedAndTheStoreKept() throws IOException {
    try (PartitionStore source = new InMemoryPartitionStore(1000); PartitionStore target = new InMemoryPartitionStore(1000)) {
      fill(source, 200);
      fill(target, 10);
      StoreDigest before = StoreDigest.of(target);
      Path snap = dir.resolve("snap");
      StoreSnapshot.write(source, snap);
      byte[] bytes = Files.readAllBytes(snap);

      byte[] flipped = bytes.clone();
      flipped[bytes.length / 2] ^= 0x40;
      Files.write(dir.resolve("flipped"), flipped);
      assertThatThrownBy(() -> StoreSnapshot.load(dir.resolve("flipped"), target)).isInstanceOf(IOException.class);

      Files.write(dir.resolve("short"), java.util.Arrays.copyOf(bytes, bytes.length - 20));
      assertThatThrownBy(() -> StoreSnapshot.load(dir.resolve("short"), target)).isInstanceOf(IOException.class);

      Files.write(dir.resolve("other"), "not a snapshot at all".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> StoreSnapshot.load(dir.resolve("other"), target))
          .hasMessageContaining("not a raftcache partition snapshot");

      assertThat(StoreDigest.of(target)).isEqualTo(before);
    }
  }
}
