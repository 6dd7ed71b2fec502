package io.raftcache.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IssueScheduleTest {
  private static final long MS = 1_000_000L;

  @Test
  void spacesCallsAtTheRateAndSaysHowLongToWait() {
    IssueSchedule s = new IssueSchedule(1000, 0); // one call per ms
    assertThat(s.take(0)).isZero();
    assertThat(s.take(0)).isEqualTo(MS);
    assertThat(s.take(MS / 2)).isEqualTo(MS / 2);
    assertThat(s.take(MS)).isZero();
    assertThat(s.nextDue()).isEqualTo(2 * MS);
    assertThat(s.late()).isZero();
  }

  @Test
  void aGeneratorThatFellBehindOwesTheCallsItMissedAndCountsThemLate() {
    IssueSchedule s = new IssueSchedule(1000, 0);
    long now = 10 * MS; // paused for 10 ms: slots 0..10 are due
    int sent = 0;
    while (s.take(now) == 0) {
      sent++;
    }
    assertThat(sent).isEqualTo(11);
    assertThat(s.late()).isEqualTo(9); // slots 0..8 are more than 1 ms behind; 9 and 10 are not
  }

  @Test
  void restartDropsTheBacklogOfTheWarmUp() {
    IssueSchedule s = new IssueSchedule(1000, 0);
    assertThat(s.take(0)).isZero();
    s.take(5 * MS); // the warm-up fell 4 ms behind
    s.restart(5 * MS);
    assertThat(s.late()).isZero();
    assertThat(s.take(5 * MS)).isZero();
    assertThat(s.take(5 * MS)).isEqualTo(MS); // no burst: the next call waits for its slot
  }

  @Test
  void refusesRatesThatCannotBeScheduled() {
    assertThatThrownBy(() -> new IssueSchedule(0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IssueSchedule(Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IssueSchedule(Double.POSITIVE_INFINITY, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
