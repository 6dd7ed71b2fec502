package io.raftcache.node.storage;

import net.openhft.hashing.LongHashFunction;

/**
 * An order-independent fingerprint of a store's contents, for checking that replicas hold the same data.
 *
 * <p>Each entry hashes its key and its encoded value with the access tick zeroed (the tick is leader-local
 * bookkeeping, not replicated state); entry hashes are summed, so the scan order of a store does not matter.
 *
 * @param entries number of entries
 * @param hash sum of the entries' hashes
 */
public record StoreDigest(long entries, long hash) {
  private static final LongHashFunction XX64 = LongHashFunction.xx(0);

  /** Computes the digest of {@code store}. */
  public static StoreDigest of(PartitionStore store) {
    long[] acc = {0, 0};
    store.scanAll((key, meta, size) -> {
      StoredEntry entry = store.get(key);
      if (entry == null) {
        return; // removed after the scan saw it
      }
      byte[] value = EntryCodec.encode(new StoredEntry(
          new EntryMeta(meta.version(), meta.expireAtMillis(), 0, meta.tags()), entry.payload()));
      acc[0]++;
      acc[1] += XX64.hashBytes(key) * 31 + XX64.hashBytes(value);
    });
    return new StoreDigest(acc[0], acc[1]);
  }
}
