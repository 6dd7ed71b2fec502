package io.raftcache.node.storage;

import java.util.List;

/**
 * The header of a stored entry: everything but its payload.
 *
 * @param version log index of the write that last changed the value
 * @param expireAtMillis epoch millis at which the entry expires, or 0 if it never does
 * @param accessTick coarse time of the last access, in {@link AccessTicks} units (leader-local, not replicated)
 * @param tags tags attached when the value was written
 */
public record EntryMeta(long version, long expireAtMillis, int accessTick, List<String> tags) {
  public EntryMeta {
    tags = List.copyOf(tags);
  }

  /** True if the entry has a deadline that is not after {@code nowMillis}. */
  public boolean isExpiredAt(long nowMillis) {
    return expireAtMillis != 0 && expireAtMillis <= nowMillis;
  }

  /** Milliseconds left at {@code nowMillis}, or -1 if the entry never expires. */
  public long ttlRemainingMillis(long nowMillis) {
    return expireAtMillis == 0 ? -1 : Math.max(0, expireAtMillis - nowMillis);
  }
}
