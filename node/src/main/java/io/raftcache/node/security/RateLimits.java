package io.raftcache.node.security;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The ops-per-second limits of namespaces and tokens on this node, one {@link TokenBucket} per limited
 * namespace or token. Only limited names get a bucket, so the map is bounded by the configuration.
 */
public final class RateLimits {
  private final Clock clock;
  private final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  public RateLimits(Clock clock) {
    this.clock = clock;
  }

  /**
   * Takes a permit for {@code key} (e.g. "ns:orders" or "token:etl") limited to {@code ratePerSecond} (0 means no
   * limit); returns 0 if the call may proceed, else the milliseconds after which a retry may succeed. A name whose
   * limit is removed keeps its idle bucket; names are bounded by the configuration.
   */
  public long acquire(String key, int ratePerSecond) {
    if (ratePerSecond <= 0) {
      return 0;
    }
    long now = clock.millis();
    TokenBucket bucket = buckets.compute(key,
        (k, existing) -> existing == null || existing.rate() != ratePerSecond ? new TokenBucket(ratePerSecond, now) : existing);
    synchronized (bucket) {
      return bucket.tryAcquire(now);
    }
  }
}
