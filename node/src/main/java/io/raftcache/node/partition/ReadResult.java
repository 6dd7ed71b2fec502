package io.raftcache.node.partition;

import java.util.List;

/**
 * The answer to a read of one key, in the API's terms (storage types stay behind the partition layer).
 *
 * @param partition partition of the key
 * @param found true if a live entry was found
 * @param value the payload (empty on a miss); a fresh copy the caller may keep
 * @param version version of the entry, 0 on a miss
 * @param ttlRemainingMillis milliseconds until expiry at read time, -1 for never, 0 on a miss
 * @param tags tags of the entry
 * @param servedBy node id of the replica that served the read when it is not this node's, else null
 */
public record ReadResult(int partition, boolean found, byte[] value, long version, long ttlRemainingMillis,
    List<String> tags, String servedBy) {
  private static final byte[] EMPTY = new byte[0];

  public ReadResult {
    tags = List.copyOf(tags);
  }

  /** A miss in {@code partition}. */
  static ReadResult miss(int partition, String servedBy) {
    return new ReadResult(partition, false, EMPTY, 0, 0, List.of(), servedBy);
  }
}
