package io.raftcache.client;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A cache entry as read.
 *
 * @param value the value bytes (do not modify)
 * @param version log index of the write that last changed it
 * @param ttlRemainingMs milliseconds until it expires, -1 if never
 * @param tags tags it was written with
 * @param servedBy id of the node that served the read
 */
public record CacheEntry(byte[] value, long version, long ttlRemainingMs, List<String> tags, String servedBy) {
  public CacheEntry {
    tags = List.copyOf(tags);
  }

  /** The value decoded as UTF-8. */
  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }
}
