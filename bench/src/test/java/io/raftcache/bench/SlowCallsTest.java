package io.raftcache.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlowCallsTest {
  private static final long MS = 1_000_000L;

  @Test
  void keepsOnlyCallsAboveTheThreshold() {
    SlowCalls slow = new SlowCalls(5_000, 10);
    slow.offer(0, 5_000, 1, "n1"); // exactly the threshold: not slow
    slow.offer(1, 5_001, 2, "n2");
    slow.offer(2, 900, 3, "n3");
    assertThat(slow.calls()).containsExactly(new SlowCalls.Call(1, 5_001, 2, "n2"));
  }

  @Test
  void staysBoundedAndCountsWhatItDropped() {
    SlowCalls slow = new SlowCalls(0, 2);
    for (int i = 0; i < 5; i++) {
      slow.offer(i, 10, 0, "n1");
    }
    assertThat(slow.calls()).hasSize(2);
    assertThat(slow.dropped()).isEqualTo(3);
    assertThat(slow.summary(5 * MS, 8)).contains("2 recorded (3 more not kept)");
  }

  @Test
  void groupsCallsIssuedCloseTogetherIntoBurstsAndCountsTheirPartitions() {
    SlowCalls slow = new SlowCalls(5_000, 100);
    // A machine-wide stall at 100 ms: calls to four partitions; one slow partition at 700 ms; the stall again at 650.
    for (int p = 0; p < 4; p++) {
      slow.offer(100 * MS + p * MS, 20_000, p, "n" + p % 3);
    }
    slow.offer(700 * MS, 8_000, 5, "n2");
    slow.offer(703 * MS, 8_000, 5, "n2");
    slow.offer(650 * MS, 15_000, 0, "n1"); // completes out of issue order
    slow.offer(651 * MS, 15_000, 7, "n3");

    List<SlowCalls.Burst> bursts = slow.bursts(5 * MS);

    assertThat(bursts).containsExactly(
        new SlowCalls.Burst(100 * MS, 103 * MS, 4, 4),
        new SlowCalls.Burst(650 * MS, 651 * MS, 2, 2),
        new SlowCalls.Burst(700 * MS, 703 * MS, 2, 1));
    assertThat(slow.summary(5 * MS, 8))
        .isEqualTo("slow calls (> 5.0 ms): 8 recorded, 3 bursts (gap 5 ms), 2.3 of 8 partitions per burst,"
            + " median interval between bursts 550 ms");
  }

  @Test
  void saysSoWhenNothingWasSlow() {
    assertThat(new SlowCalls(5_000, 10).summary(5 * MS, 8)).isEqualTo("slow calls (> 5.0 ms): none");
  }

  @Test
  void writesWallClockIssueTimesAsCsv(@TempDir Path dir) throws Exception {
    SlowCalls slow = new SlowCalls(1_000, 10);
    slow.offer(2 * MS, 12_500, 3, "n2");
    slow.offer(MS, 6_000, 1, "127.0.0.1:7070");
    Path file = dir.resolve("slow.csv");

    slow.writeCsv(file, 1_765_000_000_000L * MS); // the wall clock read 1,765,000,000,000 ms at nanoTime zero

    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).containsExactly(
        "issue_epoch_ms,latency_ms,partition,target",
        "1765000000001.000,6.000,1,127.0.0.1:7070",
        "1765000000002.000,12.500,3,n2");
  }

  @Test
  void refusesANegativeThresholdOrNoRoom() {
    assertThatThrownBy(() -> new SlowCalls(-1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SlowCalls(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
