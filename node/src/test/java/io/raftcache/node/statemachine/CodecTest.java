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
  void everyOutcomeRoundTrips() {
    List<Outcome> outcomes = List.of(new Outcome.Written(3, 4), new Outcome.Deleted(7), new Outcome.Absent(),
        new Outcome.Touched(1, 2), new Outcome.Incremented(-5, 6, 0), new Outcome.Removed(RemoveBatch.Cause.EVICTED, 12),
        new Outcome.Rejected(ErrorReason.NOT_AN_INTEGER, "nope"));
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
