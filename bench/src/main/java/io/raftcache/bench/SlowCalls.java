package io.raftcache.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A bounded record of the calls slower than a threshold: when each was issued, how long it took, its partition and
 * the node it went to.
 *
 * <p>It tells a slow partition or node (bursts that hit one) from a stalled machine (bursts that hit every partition
 * at once, as the VM's memory monitor did in run 22), and its issue times, written as wall-clock milliseconds, join
 * with {@link ThreadCpuSampler}'s windows to name what ran instead.
 */
final class SlowCalls {
  /** One slow call; {@code issueNanos} is on the generator's {@code System.nanoTime()} clock. */
  record Call(long issueNanos, long latencyMicros, int partition, String target) {}

  /** Slow calls issued close together: from the first one's issue to the last one's, how many, on how many partitions. */
  record Burst(long startNanos, long endNanos, int calls, int partitions) {}

  private final long thresholdMicros;
  private final int capacity;
  private final List<Call> calls = new ArrayList<>();
  private long dropped;

  /**
   * @param thresholdMicros calls taking longer than this are recorded
   * @param capacity at most this many are kept; later ones are only counted, so memory stays bounded
   */
  SlowCalls(long thresholdMicros, int capacity) {
    if (thresholdMicros < 0 || capacity < 1) {
      throw new IllegalArgumentException("threshold must be >= 0 and capacity >= 1");
    }
    this.thresholdMicros = thresholdMicros;
    this.capacity = capacity;
  }

  /** Records the call if it was slow; called from the channels' threads as calls complete. */
  void offer(long issueNanos, long latencyMicros, int partition, String target) {
    if (latencyMicros <= thresholdMicros) {
      return;
    }
    synchronized (this) {
      if (calls.size() < capacity) {
        calls.add(new Call(issueNanos, latencyMicros, partition, target));
      } else {
        dropped++;
      }
    }
  }

  /** The recorded calls in issue order. */
  synchronized List<Call> calls() {
    List<Call> sorted = new ArrayList<>(calls);
    sorted.sort(Comparator.comparingLong(Call::issueNanos));
    return sorted;
  }

  /** Slow calls that were not kept because the record was full. */
  synchronized long dropped() {
    return dropped;
  }

  /**
   * Groups the slow calls into bursts: a call issued at most {@code gapNanos} after the previous slow call joins its
   * burst. A stall of the whole machine makes every call in flight slow, so it shows as one burst over many
   * partitions; a slow replica shows as bursts on its own partitions.
   */
  List<Burst> bursts(long gapNanos) {
    List<Burst> bursts = new ArrayList<>();
    long start = 0;
    long last = 0;
    int count = 0;
    Set<Integer> partitions = new HashSet<>();
    for (Call c : calls()) {
      if (count > 0 && c.issueNanos() - last > gapNanos) {
        bursts.add(new Burst(start, last, count, partitions.size()));
        count = 0;
        partitions.clear();
      }
      if (count == 0) {
        start = c.issueNanos();
      }
      last = c.issueNanos();
      count++;
      partitions.add(c.partition());
    }
    if (count > 0) {
      bursts.add(new Burst(start, last, count, partitions.size()));
    }
    return bursts;
  }

  /** One line: how many slow calls, in how many bursts, how many partitions a burst hit, how often bursts came. */
  String summary(long gapNanos, int partitionCount) {
    List<Burst> bursts = bursts(gapNanos);
    int recorded;
    synchronized (this) {
      recorded = calls.size();
    }
    if (bursts.isEmpty()) {
      return String.format(Locale.ROOT, "slow calls (> %.1f ms): none", thresholdMicros / 1000.0);
    }
    double partitionsPerBurst = bursts.stream().mapToInt(Burst::partitions).average().orElse(0);
    List<Long> intervals = new ArrayList<>();
    for (int i = 1; i < bursts.size(); i++) {
      intervals.add(bursts.get(i).startNanos() - bursts.get(i - 1).startNanos());
    }
    intervals.sort(null);
    String every = intervals.isEmpty() ? "-"
        : String.format(Locale.ROOT, "%.0f ms", intervals.get(intervals.size() / 2) / 1e6);
    return String.format(Locale.ROOT,
        "slow calls (> %.1f ms): %d recorded%s, %d bursts (gap %.0f ms), %.1f of %d partitions per burst,"
            + " median interval between bursts %s",
        thresholdMicros / 1000.0, recorded, dropped() > 0 ? " (" + dropped() + " more not kept)" : "",
        bursts.size(), gapNanos / 1e6, partitionsPerBurst, partitionCount, every);
  }

  /**
   * Writes the calls as CSV, issue times in wall-clock milliseconds: {@code epochNanosAtZero} is the wall clock, in
   * nanoseconds, at {@code System.nanoTime()} zero.
   */
  void writeCsv(Path file, long epochNanosAtZero) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("issue_epoch_ms,latency_ms,partition,target\n");
      for (Call c : calls()) {
        w.write(String.format(Locale.ROOT, "%.3f,%.3f,%d,%s%n", (epochNanosAtZero + c.issueNanos()) / 1e6,
            c.latencyMicros() / 1000.0, c.partition(), c.target()));
      }
    }
  }
}
