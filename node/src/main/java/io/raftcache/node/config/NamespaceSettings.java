package io.raftcache.node.config;

import java.time.Duration;

/**
 * One namespace's configured behaviour: its default time to live, its limits, and whether its values are
 * encrypted at rest. A limit of 0 means none.
 *
 * @param defaultTtl applied to writes that give no TTL; zero means entries never expire by default
 * @param maxEntries most entries the namespace may hold
 * @param maxBytes most bytes of keys and values it may hold
 * @param opsPerSecond most calls per second a node accepts for it
 * @param encrypted whether values are encrypted (AES-256-GCM) before they enter the log
 */
public record NamespaceSettings(Duration defaultTtl, long maxEntries, long maxBytes, int opsPerSecond,
    boolean encrypted) {
  /** No default TTL, no limits, plaintext: what an unconfigured namespace gets. */
  public static final NamespaceSettings DEFAULT = new NamespaceSettings(Duration.ZERO, 0, 0, 0, false);

  public NamespaceSettings {
    if (defaultTtl == null || defaultTtl.isNegative()) {
      throw new IllegalArgumentException("default TTL must be zero or positive");
    }
    if (maxEntries < 0 || maxBytes < 0 || opsPerSecond < 0) {
      throw new IllegalArgumentException("limits must be zero (none) or positive");
    }
  }

  /** These settings with {@code ttl} as the default TTL. */
  public NamespaceSettings withDefaultTtl(Duration ttl) {
    return new NamespaceSettings(ttl, maxEntries, maxBytes, opsPerSecond, encrypted);
  }

  /** True if the namespace has an entry or byte limit, which needs its usage measured. */
  public boolean hasCapacityLimit() {
    return maxEntries > 0 || maxBytes > 0;
  }
}
