package io.raftcache.node.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcache.node.audit.AuditEvent;
import io.raftcache.node.testing.MutableClock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  @Test
  void aBucketAllowsOneSecondOfBurstThenRefillsWithTheClock() {
    MutableClock clock = MutableClock.atStart();
    RateLimits limits = new RateLimits(clock);
    for (int i = 0; i < 4; i++) {
      assertThat(limits.acquire("ns:a", 4)).isZero();
    }
    assertThat(limits.acquire("ns:a", 4)).isEqualTo(250); // one permit every 250 ms
    clock.advance(Duration.ofMillis(250));
    assertThat(limits.acquire("ns:a", 4)).isZero();
    assertThat(limits.acquire("ns:a", 4)).isPositive();
    assertThat(limits.acquire("ns:b", 0)).as("no limit").isZero();
  }

  @Test
  void aChangedRateTakesEffectAtOnce() {
    MutableClock clock = MutableClock.atStart();
    RateLimits limits = new RateLimits(clock);
    assertThat(limits.acquire("token:t", 1)).isZero();
    assertThat(limits.acquire("token:t", 1)).isPositive();
    assertThat(limits.acquire("token:t", 100)).isZero();
  }

  @Test
  void anAuditDetailThatIsNotAJsonObjectIsWrappedSoTheDatabaseTakesIt() {
    AuditEvent event = new AuditEvent(UUID.randomUUID(), MutableClock.atStart().instant(), "a", "x", null, null, "OK",
        "n1", null, "name: \"orders\"");
    assertThat(event.detailJson()).isEqualTo("{\"text\":\"name: \\\"orders\\\"\"}");
    assertThat(new AuditEvent(UUID.randomUUID(), MutableClock.atStart().instant(), "a", "x", null, null, "OK", "n1",
        null, "{\"k\": 1}").detailJson()).isEqualTo("{\"k\": 1}");
  }
}
