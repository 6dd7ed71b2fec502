package io.raftcache.node.storage;

/**
 * Converts wall-clock millis into the 32-bit access tick kept in each entry for approximate LRU.
 *
 * <p>A tick is a whole second since 2020-01-01 UTC, so an unsigned int lasts until 2156. Reads rewrite the
 * access field only when it is at least {@code resolutionTicks} old, which keeps hot-key reads from turning
 * into writes; eviction breaks ties between equal ticks by version (older writes go first).
 */
public final class AccessTicks {
  private static final long BASE_MILLIS = 1_577_836_800_000L;

  private AccessTicks() {}

  /** The tick of an epoch-millis instant. */
  public static int of(long epochMillis) {
    return (int) Math.max(0, (epochMillis - BASE_MILLIS) / 1000);
  }

  /** Compares two ticks as unsigned values. */
  public static int compare(int a, int b) {
    return Integer.compareUnsigned(a, b);
  }
}
