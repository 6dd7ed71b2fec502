package io.raftcache.node.storage;

/**
 * Storage for the entries of one partition, keyed by store key ({@code namespace ‖ 0x00 ‖ key}).
 *
 * <p>Writers are the partition's state machine (one at a time); readers, {@link #recordAccess} and scans may run
 * concurrently with it. Implementations keep {@link #storedBytes()} exact: the sum over entries of key length
 * plus encoded value length, the quantity the node's memory budget bounds.
 */
public interface PartitionStore extends AutoCloseable {

  /** Returns the entry under {@code key}, expired or not, or null if there is none. */
  StoredEntry get(byte[] key);

  /** Returns the header of the entry under {@code key} without copying its payload, or null. */
  EntryMeta meta(byte[] key);

  /** Inserts or replaces the entry under {@code key}. */
  void put(byte[] key, StoredEntry entry);

  /** Removes the entry under {@code key}; returns whether there was one. */
  boolean remove(byte[] key);

  /**
   * Raises the entry's access tick to {@code tick} if it is older than {@code tick - resolution}; a no-op when
   * the key is absent. The access tick is leader-local bookkeeping for eviction, so it is not replicated.
   */
  void recordAccess(byte[] key, int tick, int resolution);

  /** Entries held, expired ones included. */
  long entryCount();

  /** Sum of key and encoded value bytes of all entries. */
  long storedBytes();

  /** Off-heap (mapped) bytes the store has reserved, or 0 for on-heap stores. */
  long offHeapBytes();

  /** The entry count at which the store must have evicted: beyond it the backing map may refuse inserts. */
  long entryCapacity();

  /** Number of segments that {@link #scanSegment} can visit one at a time. */
  int segmentCount();

  /**
   * Visits every entry of one segment with its key and header. The visitor must not modify the store; collect
   * keys and act after the scan returns.
   */
  void scanSegment(int segment, EntryVisitor visitor);

  /** Visits every entry of the store, segment by segment. */
  default void scanAll(EntryVisitor visitor) {
    for (int s = 0; s < segmentCount(); s++) {
      scanSegment(s, visitor);
    }
  }

  /** Removes every entry. */
  void clear();

  /** Releases the store; a persistent store is flushed and can be reopened with its data. */
  @Override
  void close();
}
