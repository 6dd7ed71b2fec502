package io.raftcache.node.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configured namespaces: each one's default TTL, limits and encryption flag. A namespace not listed gets
 * {@link NamespaceSettings#DEFAULT}.
 *
 * @param byName settings by namespace name
 */
public record NamespaceDefaults(Map<String, NamespaceSettings> byName) {
  public NamespaceDefaults {
    byName = Map.copyOf(byName);
  }

  /** No namespace is configured. */
  public static NamespaceDefaults none() {
    return new NamespaceDefaults(Map.of());
  }

  /** Namespaces with only a default TTL each (from --namespace-ttl). */
  public static NamespaceDefaults ofTtls(Map<String, Duration> ttls) {
    Map<String, NamespaceSettings> byName = new HashMap<>();
    ttls.forEach((ns, ttl) -> byName.put(ns, NamespaceSettings.DEFAULT.withDefaultTtl(ttl)));
    return new NamespaceDefaults(byName);
  }

  /** The settings of {@code namespace}. */
  public NamespaceSettings settings(String namespace) {
    return byName.getOrDefault(namespace, NamespaceSettings.DEFAULT);
  }

  /** The default TTL of {@code namespace} in millis, or 0 if entries never expire by default. */
  public long defaultTtlMillis(String namespace) {
    return settings(namespace).defaultTtl().toMillis();
  }

  /** The namespaces that have an entry or byte limit, whose usage must be measured. */
  public java.util.Set<String> capacityLimited() {
    java.util.Set<String> limited = new java.util.HashSet<>();
    byName.forEach((ns, settings) -> {
      if (settings.hasCapacityLimit()) {
        limited.add(ns);
      }
    });
    return limited;
  }

  /** The configured namespaces, sorted by name. */
  public Map<String, NamespaceSettings> sorted() {
    return new TreeMap<>(byName);
  }

  /** These namespaces overlaid by {@code other}'s (whose settings win for a namespace both configure). */
  public NamespaceDefaults overlaidBy(NamespaceDefaults other) {
    Map<String, NamespaceSettings> merged = new HashMap<>(byName);
    merged.putAll(other.byName);
    return new NamespaceDefaults(merged);
  }
}
