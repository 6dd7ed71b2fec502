package io.raftcache.node.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftcache.node.storage.ChronicleMapPartitionStore;
import io.raftcache.node.storage.InMemoryPartitionStore;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.StoreSizing;
import io.raftcache.proto.v1.ErrorReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch of commands applies each command as its own entry at the same index would, in order. */
class CommandBatchTest {
  @TempDir Path dir;

  @Test
  void everyCommandGetsTheOutcomeAndLeavesTheStateItWouldAloneAtTheSameIndex() {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      PartitionStore batched = new InMemoryPartitionStore(10_000);
      PartitionStore single = new InMemoryPartitionStore(10_000);
      PartitionStateMachine a = new PartitionStateMachine(batched);
      PartitionStateMachine b = new PartitionStateMachine(single);
      // Some history first, so conditions (if-absent, if-version, CAS, increments) meet live entries.
      List<Command> history = DeterminismTest.randomLog(random, 60);
      for (int i = 0; i < history.size(); i++) {
        a.apply(i + 1, history.get(i));
        b.apply(i + 1, history.get(i));
      }
      CommandBatch batch = (CommandBatch) DeterminismTest.randomLog(random, 400).stream()
          .filter(CommandBatch.class::isInstance).findFirst().orElseThrow();
      long index = history.size() + 1;

      List<Outcome> together = ((Outcome.Batch) a.apply(index, batch)).outcomes();
      List<String> alone = new ArrayList<>();
      for (Command c : batch.commands()) {
        alone.add(DeterminismTest.describe(b.apply(index, c)));
      }

      assertThat(together.stream().map(DeterminismTest::describe).toList()).isEqualTo(alone);
      assertThat(DeterminismTest.contents(batched)).isEqualTo(DeterminismTest.contents(single));
    }
  }

  @Test
  void aLaterCommandSeesWhatAnEarlierOneWroteAndValuesTakeTheEntrysIndexAsVersion() {
    PartitionStateMachine machine = new PartitionStateMachine(new InMemoryPartitionStore(100));
    Outcome outcome = machine.apply(9, new CommandBatch(List.of(
        new Put(key("a"), bytes("1"), 0, List.of(), false, 0, 1_000),
        new Increment(key("n"), 5, 10, 0, 1_000),
        new Delete(key("missing"), 0, 1_000))));

    assertThat(((Outcome.Batch) outcome).outcomes()).containsExactly(
        new Outcome.Written(9, 0), new Outcome.Incremented(15, 9, 0), new Outcome.Absent());
    assertThat(machine.apply(10, new Put(key("a"), bytes("2"), 0, List.of(), false, 9, 1_001)))
        .isEqualTo(new Outcome.Written(10, 0));
  }

  @Test
  void aCommandTheStoreRefusesFailsAloneAndTheOthersStillApply() {
    try (PartitionStore chronicle = ChronicleMapPartitionStore.open(dir.resolve("small.cmap"),
        StoreSizing.plan(1L << 20, 32, 128, 4 << 10))) {
      PartitionStateMachine small = new PartitionStateMachine(chronicle);
      Outcome outcome = small.apply(4, new CommandBatch(List.of(
          new Put(key("a"), bytes("1"), 0, List.of(), false, 0, 1_000),
          new Put(key("huge"), new byte[16 << 20], 0, List.of(), false, 0, 1_000),
          new Put(key("c"), bytes("3"), 0, List.of(), false, 0, 1_000))));

      List<Outcome> each = ((Outcome.Batch) outcome).outcomes();
      assertThat(each.get(0)).isEqualTo(new Outcome.Written(4, 0));
      assertThat(each.get(1)).isInstanceOfSatisfying(Outcome.Rejected.class,
          r -> assertThat(r.reason()).isEqualTo(ErrorReason.STORE_FULL));
      assertThat(each.get(2)).isEqualTo(new Outcome.Written(4, 0));
      assertThat(chronicle.get(key("huge"))).isNull();
      assertThat(chronicle.entryCount()).isEqualTo(2);
    }
  }

  @Test
  void itsLogFormatNestsEachCommandsOwnEncoding() {
    Delete delete = new Delete(new byte[] {'k'}, 0, 9);
    Touch touch = new Touch(new byte[] {'j'}, 0, 9);
    byte[] expected = CommandCodec.encodeBatch(List.of(CommandCodec.encode(delete), CommandCodec.encode(touch)));

    assertThat(CommandCodec.encode(new CommandBatch(List.of(delete, touch)))).isEqualTo(expected);
    assertThat(expected[0]).isEqualTo((byte) 8);
    CommandBatch back = (CommandBatch) CommandCodec.decode(expected);
    assertThat(back.commands()).hasSize(2);
    assertThat(CommandCodec.encode(back.commands().get(1))).isEqualTo(CommandCodec.encode(touch));
  }

  @Test
  void batchesOfOneOrTooManyCommandsOrOfBatchesAreRefused() {
    Delete delete = new Delete(new byte[] {'k'}, 0, 9);
    assertThatThrownBy(() -> new CommandBatch(List.of(delete))).isInstanceOf(IllegalArgumentException.class);
    List<Command> tooMany = java.util.Collections.nCopies(CommandBatch.MAX_COMMANDS + 1, delete);
    assertThatThrownBy(() -> new CommandBatch(tooMany)).isInstanceOf(IllegalArgumentException.class);
    CommandBatch inner = new CommandBatch(List.of(delete, delete));
    assertThatThrownBy(() -> new CommandBatch(List.of(inner, delete))).isInstanceOf(IllegalArgumentException.class);

    byte[] nested = CommandCodec.encodeBatch(List.of(CommandCodec.encode(inner), CommandCodec.encode(delete)));
    assertThatThrownBy(() -> CommandCodec.decode(nested)).isInstanceOf(IllegalArgumentException.class);
    byte[] ofOne = CommandCodec.encodeBatch(List.of(CommandCodec.encode(delete)));
    assertThatThrownBy(() -> CommandCodec.decode(ofOne)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void itsKeysAreTheKeysOfItsCommands() {
    CommandBatch batch = new CommandBatch(List.of(
        new Delete(key("a"), 0, 1),
        new WriteBatch(List.of(new WriteBatch.RemoveKey(key("b")), new WriteBatch.RemoveKey(key("c"))), 1)));
    assertThat(CommandKeys.of(batch)).containsExactly(key("a"), key("b"), key("c"));
  }

  private static byte[] key(String k) {
    return ("ns\0" + k).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
