package io.raftcache.node.config;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-namespace settings a node applies when a request leaves them open: for now, the default time to live.
 *
 * @param defaultTtls default TTL by namespace name; a namespace not listed never expires by default
 */
public record NamespaceDefaults(Map<String, Duration> defaultTtls) {
  public NamespaceDefaults {
    defaultTtls = Map.copyOf(defaultTtls);
  }

  /** No namespace has a default TTL. */
  public static NamespaceDefaults none() {
    return new NamespaceDefaults(Map.of());
  }

  /** The default TTL of {@code namespace} in millis, or 0 if entries never expire by default. */
  public long defaultTtlMillis(String namespace) {
    Duration ttl = defaultTtls.get(namespace);
    return ttl == null ? 0 : ttl.toMillis();
  }

  /** The configured namespaces, sorted by name. */
  public Map<String, Duration> sorted() {
    return new TreeMap<>(defaultTtls);
  }
}
