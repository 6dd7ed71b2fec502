package io.raftcache.node.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftcache.proto.v1.ErrorReason;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Commands and outcomes survive their binary form unchanged. */
class CodecTest {
  @Test
  void everyCommandOfARandomLogRoundTrips() {
    for (Command c : DeterminismTest.randomLog(new Random(3), 2000)) {
      Command back = CommandCodec.decode(CommandCodec.encode(c));
      assertThat(CommandCodec.encode(back)).isEqualTo(CommandCodec.encode(c));
      assertThat(back.getClass()).isEqualTo(c.getClass());
      assertThat(back.proposedAtMillis()).isEqualTo(c.proposedAtMillis());
    }
    Put put = new Put("ns\0k".getBytes(), "v".getBytes(), 9, List.of("a", "ü"), true, 0, 5);
    Put decoded = (Put) CommandCodec.decode(CommandCodec.encode(put));
    assertThat(decoded.key()).isEqualTo(put.key());
    assertThat(decoded.tags()).containsExactly("a", "ü");
    assertThat(decoded.ifAbsent()).isTrue();
  }

  @Test
  void aWriteBatchRoundTripsWriteByWrite() {
    WriteBatch batch = new WriteBatch(List.of(
        new WriteBatch.SetValue("ns\0a".getBytes(), "va".getBytes(), 42, List.of("t", "ü")),
        new WriteBatch.RemoveKey("ns\0b".getBytes()),
        new WriteBatch.SetValue("ns\0c".getBytes(), new byte[0], 0, List.of())), 77);
    WriteBatch back = (WriteBatch) CommandCodec.decode(CommandCodec.encode(batch));
    assertThat(back.proposedAtMillis()).isEqualTo(77);
    assertThat(back.writes()).hasSize(3);
    WriteBatch.SetValue first = (WriteBatch.SetValue) back.writes().get(0);
    assertThat(first.key()).isEqualTo("ns\0a".getBytes());
    assertThat(first.value()).isEqualTo("va".getBytes());
    assertThat(first.expireAtMillis()).isEqualTo(42);
    assertThat(first.tags()).containsExactly("t", "ü");
    assertThat(back.writes().get(1)).isInstanceOf(WriteBatch.RemoveKey.class);
    assertThat(back.writes().get(1).key()).isEqualTo("ns\0b".getBytes());
    assertThat(((WriteBatch.SetValue) back.writes().get(2)).value()).isEmpty();
  }

  /**
   * The log keeps commands written by older builds, so their bytes are frozen: a Put as every build so far wrote
   * it still decodes, and the batch added later has a type byte of its own.
   */
  @Test
  void theLogFormatOfExistingCommandsIsUnchanged() {
    Put put = new Put(new byte[] {'k'}, new byte[] {'v'}, 5, List.of("t"), false, 3, 9);
    byte[] frozen = java.util.HexFormat.of().parseHex(
        "01" + "000000016b" + "0000000176" + "0000000000000005" + "01" + "0000000174" + "00" + "0000000000000003"
            + "0000000000000009");
    assertThat(CommandCodec.encode(put)).isEqualTo(frozen);
    assertThat(CommandCodec.encode(new WriteBatch(List.of(new WriteBatch.RemoveKey(new byte[] {'k'})), 9)))
        .isEqualTo(java.util.HexFormat.of().parseHex("07" + "00000001" + "02" + "000000016b" + "0000000000000009"));
  }

  @Test
  void aBatchOfWritesOverTheLimitIsRefused() {
    List<WriteBatch.Write> tooMany = new java.util.ArrayList<>();
    for (int i = 0; i <= WriteBatch.MAX_WRITES; i++) {
      tooMany.add(new WriteBatch.RemoveKey(("k" + i).getBytes()));
    }
    assertThatThrownBy(() -> new WriteBatch(tooMany, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WriteBatch(List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
    // a count beyond the limit in the bytes is refused before anything is allocated for it
    assertThatThrownBy(() -> CommandCodec.decode(java.util.HexFormat.of().parseHex("077fffffff")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyOutcomeRoundTrips() {
    List<Outcome> outcomes = List.of(new Outcome.Written(3, 4), new Outcome.Deleted(7), new Outcome.Absent(),
        new Outcome.Touched(1, 2), new Outcome.Incremented(-5, 6, 0), new Outcome.Removed(RemoveBatch.Cause.EVICTED, 12),
        new Outcome.Rejected(ErrorReason.NOT_AN_INTEGER, "nope"),
        new Outcome.Batch(List.of(new Outcome.Written(10, 0), new Outcome.Deleted(4), new Outcome.Absent(),
            new Outcome.Rejected(ErrorReason.STORE_FULL, "full"))));
    for (Outcome o : outcomes) {
      assertThat(OutcomeCodec.decode(OutcomeCodec.encode(o))).isEqualTo(o);
    }
    Outcome.Unchanged u = (Outcome.Unchanged) OutcomeCodec.decode(OutcomeCodec.encode(
        new Outcome.Unchanged(9, 8, "cur".getBytes())));
    assertThat(u.version()).isEqualTo(9);
    assertThat(u.currentValue()).isEqualTo("cur".getBytes());
  }

  @Test
  void garbageIsRefusedNotMisread() {
    assertThatThrownBy(() -> CommandCodec.decode(new byte[] {42})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CommandCodec.decode(new byte[] {1, 0x7f, 0, 0, 0})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OutcomeCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
