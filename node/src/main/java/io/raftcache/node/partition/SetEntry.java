package io.raftcache.node.partition;

import java.util.List;

/**
 * One entry of a multi-key write.
 *
 * @param key the key (without namespace)
 * @param value the value
 * @param ttlMillis time to live, 0 for the namespace default
 * @param tags tags to attach
 */
public record SetEntry(byte[] key, byte[] value, long ttlMillis, List<String> tags) {
  public SetEntry {
    tags = List.copyOf(tags);
  }
}
