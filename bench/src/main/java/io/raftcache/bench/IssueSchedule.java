package io.raftcache.bench;

/**
 * The start times of an open-loop load at a fixed rate, on a nanosecond clock the caller reads.
 *
 * <p>A generator that falls behind sends the calls it owes back to back, as a real client population would after
 * a pause. Owing is bounded by {@link #restart}: the generator restarts the schedule when its measured window
 * opens, so what it fell behind during the warm-up (its own JIT, the cluster's) is dropped rather than sent as a
 * burst inside the window. Without that, a "half rate" line issued its warm-up's backlog at the maximum rate
 * first (run 20: 17,000 calls/s done at a rate of 15,000/s).
 */
final class IssueSchedule {
  /** How far behind its slot a call may start before it counts as late. */
  static final long LATE_AFTER_NANOS = 1_000_000L;

  private final long intervalNanos;
  private long next;
  private long late;

  /**
   * @param ratePerSecond calls per second, above zero
   * @param startNanos when the first call is due
   */
  IssueSchedule(double ratePerSecond, long startNanos) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be a positive number of calls per second, got " + ratePerSecond);
    }
    this.intervalNanos = Math.max(1, (long) (1e9 / ratePerSecond));
    this.next = startNanos;
  }

  /** When the next call is due. */
  long nextDue() {
    return next;
  }

  /**
   * Takes the next slot if it is due at {@code now}: returns 0 and moves on (counting the call late if it starts
   * more than {@link #LATE_AFTER_NANOS} after its slot), or returns how many nanoseconds remain until it is due.
   */
  long take(long now) {
    if (now < next) {
      return next - now;
    }
    if (now - next > LATE_AFTER_NANOS) {
      late++;
    }
    next += intervalNanos;
    return 0;
  }

  /** Starts the schedule afresh at {@code now}: slots owed before it are dropped, and the late count is reset. */
  void restart(long now) {
    next = now;
    late = 0;
  }

  /** Calls that started late since the schedule (re)started. */
  long late() {
    return late;
  }
}
