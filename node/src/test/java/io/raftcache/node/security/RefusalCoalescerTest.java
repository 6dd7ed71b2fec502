package io.raftcache.node.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcache.node.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalCoalescerTest {
  private final MutableClock clock = MutableClock.atStart();
  private final RefusalCoalescer coalescer = new RefusalCoalescer(clock);
  private final RefusalCoalescer.Summary refusal =
      new RefusalCoalescer.Summary("auth.denied", "anonymous", null, "raftcache.v1.Cache/Get", "TOKEN_REQUIRED", 1);

  @Test
  void beyondTheRateRefusalsAreCountedAndSummarizedOnceTheSecondIsOver() {
    List<Boolean> alone = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      alone.add(coalescer.admit("k", 2, refusal, null));
    }
    assertThat(alone).containsExactly(true, true, false, false, false);
    assertThat(coalescer.drainClosedWindows()).as("the second is not over").isEmpty();

    clock.advance(Duration.ofSeconds(1));
    assertThat(coalescer.drainClosedWindows()).singleElement()
        .satisfies(s -> assertThat(s.count()).isEqualTo(3));
    assertThat(coalescer.drainClosedWindows()).as("counted once").isEmpty();
  }

  @Test
  void theNextRefusalAfterTheSecondHandsBackTheSummaryAndStartsAFreshWindow() {
    for (int i = 0; i < 4; i++) {
      coalescer.admit("k", 1, refusal, null);
    }
    clock.advance(Duration.ofMillis(1500));
    List<RefusalCoalescer.Summary> closed = new ArrayList<>();
    assertThat(coalescer.admit("k", 1, refusal, closed)).isTrue();
    assertThat(closed).singleElement().satisfies(s -> assertThat(s.count()).isEqualTo(3));
    assertThat(coalescer.admit("other-key", 1, refusal, closed)).as("keys are independent").isTrue();
  }
}
