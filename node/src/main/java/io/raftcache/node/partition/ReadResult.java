package io.raftcache.node.partition;

import io.raftcache.node.storage.StoredEntry;

/**
 * The answer to a read of one key.
 *
 * @param partition partition of the key
 * @param entry the live entry, or null on a miss
 * @param ttlRemainingMillis milliseconds until expiry at read time, -1 for never, 0 on a miss
 */
public record ReadResult(int partition, StoredEntry entry, long ttlRemainingMillis) {
  /** True if the read found a live entry. */
  public boolean found() {
    return entry != null;
  }
}
