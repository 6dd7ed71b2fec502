package io.raftcache.node.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcache.node.storage.ChronicleMapPartitionStore;
import io.raftcache.node.storage.InMemoryPartitionStore;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.StoreSizing;
import io.raftcache.node.storage.StoredEntry;
import io.raftcache.proto.v1.ErrorReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write batch applies each of its writes as the single-key command would, at the batch's one log index. */
class WriteBatchTest {
  @TempDir Path dir;

  private final PartitionStore store = new InMemoryPartitionStore(1000);
  private final PartitionStateMachine machine = new PartitionStateMachine(store);

  @Test
  void everyValueOfABatchIsWrittenAtTheBatchsIndexWithItsOwnDeadlineAndTags() {
    Outcome outcome = machine.apply(12, new WriteBatch(List.of(
        new WriteBatch.SetValue(key("a"), bytes("1"), 0, List.of("t")),
        new WriteBatch.SetValue(key("b"), bytes("2"), 5_000, List.of())), 1_000));

    assertThat(outcome).isEqualTo(new Outcome.Batch(List.of(new Outcome.Written(12, 0), new Outcome.Written(12, 5_000))));
    StoredEntry a = store.get(key("a"));
    assertThat(a.payload()).isEqualTo(bytes("1"));
    assertThat(a.version()).isEqualTo(12);
    assertThat(a.meta().tags()).containsExactly("t");
    assertThat(store.get(key("b")).meta().expireAtMillis()).isEqualTo(5_000);
  }

  @Test
  void removalsReportTheVersionTheyRemovedOrThatNothingWasThere() {
    machine.apply(1, new Put(key("old"), bytes("x"), 0, List.of(), false, 0, 1_000));
    machine.apply(2, new Put(key("expired"), bytes("x"), 1_500, List.of(), false, 0, 1_000));

    Outcome outcome = machine.apply(3, new WriteBatch(List.of(
        new WriteBatch.RemoveKey(key("old")),
        new WriteBatch.RemoveKey(key("expired")),
        new WriteBatch.RemoveKey(key("never")),
        new WriteBatch.SetValue(key("new"), bytes("n"), 0, List.of())), 2_000));

    assertThat(outcome).isEqualTo(new Outcome.Batch(List.of(
        new Outcome.Deleted(1), new Outcome.Absent(), new Outcome.Absent(), new Outcome.Written(3, 0))));
    assertThat(store.get(key("old"))).isNull();
    assertThat(store.get(key("expired"))).as("an expired entry is dropped, as Delete drops it").isNull();
    assertThat(store.entryCount()).isEqualTo(1);
  }

  @Test
  void aConditionalWriteAfterABatchSeesTheBatchsIndexAsTheVersion() {
    machine.apply(7, new WriteBatch(List.of(new WriteBatch.SetValue(key("a"), bytes("1"), 0, List.of()),
        new WriteBatch.SetValue(key("b"), bytes("2"), 0, List.of())), 1_000));

    assertThat(machine.apply(8, new Put(key("a"), bytes("3"), 0, List.of(), false, 7, 1_001)))
        .isEqualTo(new Outcome.Written(8, 0));
    assertThat(machine.apply(9, new Put(key("b"), bytes("4"), 0, List.of(), false, 8, 1_002)))
        .as("b was last written by entry 7, not 8").isInstanceOf(Outcome.Unchanged.class);
  }

  @Test
  void aKeyTheStoreRefusesFailsAloneAndTheOthersStillApply() {
    try (PartitionStore chronicle = ChronicleMapPartitionStore.open(dir.resolve("small.cmap"),
        StoreSizing.plan(1L << 20, 32, 128, 4 << 10))) {
      PartitionStateMachine small = new PartitionStateMachine(chronicle);
      Outcome outcome = small.apply(4, new WriteBatch(List.of(
          new WriteBatch.SetValue(key("a"), bytes("1"), 0, List.of()),
          new WriteBatch.SetValue(key("huge"), new byte[16 << 20], 0, List.of()),
          new WriteBatch.SetValue(key("c"), bytes("3"), 0, List.of())), 1_000));

      List<Outcome> each = ((Outcome.Batch) outcome).outcomes();
      assertThat(each.get(0)).isEqualTo(new Outcome.Written(4, 0));
      assertThat(each.get(1)).isInstanceOfSatisfying(Outcome.Rejected.class,
          r -> assertThat(r.reason()).isEqualTo(ErrorReason.STORE_FULL));
      assertThat(each.get(2)).isEqualTo(new Outcome.Written(4, 0));
      assertThat(chronicle.get(key("huge"))).isNull();
      assertThat(chronicle.entryCount()).isEqualTo(2);
    }
  }

  private static byte[] key(String k) {
    return ("ns\0" + k).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
