package io.raftcache.node.partition;

/**
 * Fractions of a partition's byte budget and entry capacity between which eviction runs.
 *
 * @param high a write that would cross this fraction first evicts
 * @param low eviction stops once usage is at or below this fraction
 */
public record MemoryWatermarks(double high, double low) {
  /** 85% high, 75% low. */
  public static final MemoryWatermarks DEFAULT = new MemoryWatermarks(0.85, 0.75);

  public MemoryWatermarks {
    if (!(0 < low && low < high && high < 1)) {
      throw new IllegalArgumentException("need 0 < low < high < 1, got low=" + low + " high=" + high);
    }
  }
}
