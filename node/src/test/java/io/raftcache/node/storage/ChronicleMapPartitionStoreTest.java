package io.raftcache.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store scenarios on Chronicle Map, plus what only a persistent store must do. */
class ChronicleMapPartitionStoreTest extends PartitionStoreScenarios {
  static final StoreSizing SIZING = StoreSizing.plan(16L << 20, 32, 256, 1 << 20);

  @TempDir Path dir;

  @Override
  protected PartitionStore openStore() {
    return ChronicleMapPartitionStore.open(dir.resolve("p.cmap"), SIZING);
  }

  @Test
  void reopeningAfterACleanCloseGivesTheDataBack() {
    store.put(key("a"), entry(1, 0, "kept", "tag"));
    store.put(key("b"), entry(2, 55, "also kept"));
    store.recordAccess(key("a"), 100, 1);
    long bytes = store.storedBytes();
    store.close();
    assertThat(dir.resolve("p.cmap.clean")).exists();

    store = openStore();
    assertThat(dir.resolve("p.cmap.clean")).doesNotExist();
    assertThat(store.get(key("a")).meta()).isEqualTo(new EntryMeta(1, 0, 100, List.of("tag")));
    assertThat(new String(store.get(key("b")).payload(), StandardCharsets.UTF_8)).isEqualTo("also kept");
    assertThat(store.storedBytes()).isEqualTo(bytes);
  }

  @Test
  void reopeningWithoutACleanCloseRecoversEntriesWhoseAccessWasPatchedInPlace() throws Exception {
    store.put(key("a"), entry(1, 0, "patched"));
    store.recordAccess(key("a"), 1000, 1);
    store.close();
    // As after kill -9: the marker is missing, so open() runs Chronicle's recovery, which verifies checksums.
    Files.delete(dir.resolve("p.cmap.clean"));

    store = openStore();
    assertThat(store.get(key("a"))).isNotNull();
    assertThat(store.get(key("a")).meta().accessTick()).isEqualTo(1000);
  }

  @Test
  void acceptsAValueOfTheMaximumSize() {
    byte[] big = new byte[1 << 20];
    store.put(key("big"), new StoredEntry(new EntryMeta(1, 0, 0, List.of()), big));
    assertThat(store.get(key("big")).payload()).hasSize(1 << 20);
  }

  @Test
  void sizingRefusesABudgetThatCannotHoldTheLargestValue() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> StoreSizing.plan(4L << 20, 32, 1024, 8 << 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--max-memory");
  }
}
