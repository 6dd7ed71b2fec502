package io.raftcache.node.statemachine;

import java.util.List;

/**
 * Removes entries that a leader selected (expired, evicted, invalidated by tag, flushed), each only if it still
 * has the version the leader saw, so a write that raced the selection survives.
 *
 * @param cause why the entries go; EXPIRED additionally requires the entry to be expired at proposal time
 * @param entries keys with the versions observed by the leader
 * @param proposedAtMillis the leader's clock at proposal
 */
public record RemoveBatch(Cause cause, List<VersionedKey> entries, long proposedAtMillis) implements Command {
  /** The most entries one batch may carry, so one log entry stays small. */
  public static final int MAX_ENTRIES = 1000;

  public RemoveBatch {
    entries = List.copyOf(entries);
    if (entries.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("a remove batch holds at most " + MAX_ENTRIES + " entries");
    }
  }

  /** Why a batch removes entries. */
  public enum Cause {
    EXPIRED,
    EVICTED,
    INVALIDATED,
    FLUSHED
  }

  /** A store key and the version it had when selected. */
  public record VersionedKey(byte[] key, long version) {}

  @Override
  public <R> R dispatch(CommandHandler<R> handler, long index) {
    return handler.removeBatch(index, this);
  }
}
