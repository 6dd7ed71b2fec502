package io.raftcache.node.storage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An on-heap store with the same encoding and accounting as the Chronicle one: the reference model that
 * scenario tests check {@link ChronicleMapPartitionStore} against, and the store of in-process tests.
 */
public final class InMemoryPartitionStore implements PartitionStore {
  private static final int SEGMENTS = 4;

  private final Map<ByteArrayKey, byte[]> entries = new ConcurrentHashMap<>();
  private final AtomicLong storedBytes = new AtomicLong();
  private final long entryCapacity;

  /** Creates an empty store that reports {@code entryCapacity} as its capacity. */
  public InMemoryPartitionStore(long entryCapacity) {
    this.entryCapacity = entryCapacity;
  }

  @Override
  public StoredEntry get(byte[] key) {
    byte[] encoded = entries.get(new ByteArrayKey(key));
    return encoded == null ? null : EntryCodec.decode(encoded);
  }

  @Override
  public EntryMeta meta(byte[] key) {
    byte[] encoded = entries.get(new ByteArrayKey(key));
    return encoded == null ? null : EntryCodec.decodeMeta(encoded);
  }

  @Override
  public void put(byte[] key, StoredEntry entry) {
    byte[] encoded = EntryCodec.encode(entry);
    byte[] old = entries.put(new ByteArrayKey(key.clone()), encoded);
    storedBytes.addAndGet(old == null ? key.length + encoded.length : encoded.length - old.length);
  }

  @Override
  public boolean remove(byte[] key) {
    byte[] old = entries.remove(new ByteArrayKey(key));
    if (old != null) {
      storedBytes.addAndGet(-(key.length + old.length));
    }
    return old != null;
  }

  @Override
  public void recordAccess(byte[] key, int tick, int resolution) {
    entries.computeIfPresent(new ByteArrayKey(key), (k, encoded) -> {
      int current = EntryCodec.getInt(encoded, EntryCodec.ACCESS_OFFSET);
      if (AccessTicks.compare(current + resolution, tick) > 0) {
        return encoded;
      }
      byte[] copy = encoded.clone();
      EntryCodec.putInt(copy, EntryCodec.ACCESS_OFFSET, tick);
      return copy;
    });
  }

  @Override
  public long entryCount() {
    return entries.size();
  }

  @Override
  public long storedBytes() {
    return storedBytes.get();
  }

  @Override
  public long offHeapBytes() {
    return 0;
  }

  @Override
  public long entryCapacity() {
    return entryCapacity;
  }

  @Override
  public int segmentCount() {
    return SEGMENTS;
  }

  @Override
  public void scanSegment(int segment, EntryVisitor visitor) {
    entries.forEach((key, encoded) -> {
      if (Math.floorMod(key.hashCode(), SEGMENTS) == segment) {
        visitor.visit(key.bytes().clone(), EntryCodec.decodeMeta(encoded), key.bytes().length + encoded.length);
      }
    });
  }

  @Override
  public void clear() {
    entries.clear();
    storedBytes.set(0);
  }

  @Override
  public void close() {}
}
