package io.raftcache.node.storage;

/**
 * One cached entry as the store holds it: header and payload.
 *
 * @param meta version, expiry, access tick and tags
 * @param payload the value bytes; owned by the record's creator, never mutated
 */
public record StoredEntry(EntryMeta meta, byte[] payload) {
  /** The entry's version (log index of its last value change). */
  public long version() {
    return meta.version();
  }

  /** True if the entry has expired at {@code nowMillis}. */
  public boolean isExpiredAt(long nowMillis) {
    return meta.isExpiredAt(nowMillis);
  }
}
