package io.raftcache.client;

import java.time.Duration;
import java.util.List;

/**
 * Options of one Set.
 *
 * @param ttl time to live; {@link Duration#ZERO} for the namespace default
 * @param ifAbsent write only if the key is absent
 * @param ifVersion write only if the entry's version is this (0: no condition)
 * @param tags tags to attach
 */
public record SetOptions(Duration ttl, boolean ifAbsent, long ifVersion, List<String> tags) {
  /** No TTL of its own, unconditional, no tags. */
  public static final SetOptions DEFAULT = new SetOptions(Duration.ZERO, false, 0, List.of());

  public SetOptions {
    tags = List.copyOf(tags);
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("ttl must not be negative");
    }
  }

  public static SetOptions ttl(Duration ttl) {
    return DEFAULT.withTtl(ttl);
  }

  public SetOptions withTtl(Duration value) {
    return new SetOptions(value, ifAbsent, ifVersion, tags);
  }

  public SetOptions onlyIfAbsent() {
    return new SetOptions(ttl, true, ifVersion, tags);
  }

  public SetOptions onlyIfVersion(long version) {
    return new SetOptions(ttl, ifAbsent, version, tags);
  }

  public SetOptions withTags(String... values) {
    return new SetOptions(ttl, ifAbsent, ifVersion, List.of(values));
  }

  /** Whether retrying after an ambiguous failure could apply it twice with a different result. */
  boolean conditional() {
    return ifAbsent || ifVersion != 0;
  }
}
