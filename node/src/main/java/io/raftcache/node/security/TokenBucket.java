package io.raftcache.node.security;

/**
 * A token bucket: {@code ratePerSecond} permits a second with a burst of one second's worth. Not thread-safe on
 * its own; {@link RateLimits} synchronizes on it.
 */
final class TokenBucket {
  private final int ratePerSecond;
  private double available;
  private long refilledAtMillis;

  TokenBucket(int ratePerSecond, long nowMillis) {
    this.ratePerSecond = ratePerSecond;
    this.available = ratePerSecond;
    this.refilledAtMillis = nowMillis;
  }

  int rate() {
    return ratePerSecond;
  }

  /** Takes one permit; returns 0 if it got one, else the milliseconds until one is available. */
  long tryAcquire(long nowMillis) {
    if (nowMillis > refilledAtMillis) {
      available = Math.min(ratePerSecond, available + (nowMillis - refilledAtMillis) * ratePerSecond / 1000.0);
      refilledAtMillis = nowMillis;
    }
    if (available >= 1) {
      available -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - available) * 1000.0 / ratePerSecond));
  }
}
