package io.raftcache.node.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.alipay.sofa.jraft.JRaftUtils;
import com.alipay.sofa.jraft.util.timer.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** jraft's ReadIndex timeout scanner gets a coarse tick. */
class CoarseReadIndexTimerFactoryTest {
  @Test
  void jraftsServiceLoaderPicksThisFactory() {
    assertThat(JRaftUtils.raftTimerFactory()).isInstanceOf(CoarseReadIndexTimerFactory.class);
  }

  @Test
  void theScannerFiresTimeoutsOnItsCoarseTickAndNotBefore() {
    Timer timer = new CoarseReadIndexTimerFactory().createTimer(CoarseReadIndexTimerFactory.READ_INDEX_SCANNER);
    try {
      long start = System.nanoTime();
      AtomicLong firedAfterNanos = new AtomicLong(-1);
      timer.newTimeout(t -> firedAfterNanos.set(System.nanoTime() - start), 1, TimeUnit.MILLISECONDS);
      // A wheel only looks at its timeouts once per tick, so a 1 ms timeout waits for the first 50 ms tick.
      await().atMost(Duration.ofSeconds(5)).until(() -> firedAfterNanos.get() >= 0);
      assertThat(TimeUnit.NANOSECONDS.toMillis(firedAfterNanos.get()))
          .isGreaterThanOrEqualTo(CoarseReadIndexTimerFactory.TICK_MILLIS - 5);
    } finally {
      timer.stop();
    }
  }
}
