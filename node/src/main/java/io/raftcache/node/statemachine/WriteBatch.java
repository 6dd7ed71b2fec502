package io.raftcache.node.statemachine;

import java.util.List;

/**
 * Many unconditional writes to one partition as one log entry: what SetMulti and DeleteMulti propose, so a batch
 * costs one raft round per partition instead of one per key.
 *
 * <p>Each write is applied on its own and keeps its own outcome (in {@link Outcome.Batch}); writes of values all
 * get the entry's log index as their version. Only unconditional writes belong here: their outcome does not depend
 * on the order of the keys, and a retried batch is as safe as a retried single Set or Delete.
 *
 * @param writes the writes, at most {@link #MAX_WRITES}, on distinct keys
 * @param proposedAtMillis the leader's clock at proposal
 */
public record WriteBatch(List<Write> writes, long proposedAtMillis) implements Command {
  /** The most writes one batch may carry (a request's key limit), so one log entry stays bounded. */
  public static final int MAX_WRITES = 1000;

  /**
   * The payload bytes a proposer should put into one batch before starting the next; a single larger write still
   * goes alone. This keeps log entries and forwarded proposals well under the client port's message limit.
   */
  public static final long TARGET_BYTES = 1024 * 1024;

  public WriteBatch {
    writes = List.copyOf(writes);
    if (writes.isEmpty() || writes.size() > MAX_WRITES) {
      throw new IllegalArgumentException("a write batch holds 1.." + MAX_WRITES + " writes, got " + writes.size());
    }
  }

  /** How many writes store a value (the entries a leader must make room for before proposing the batch). */
  public int valueCount() {
    int n = 0;
    for (Write w : writes) {
      n += w instanceof SetValue ? 1 : 0;
    }
    return n;
  }

  /** One write of a batch. */
  public sealed interface Write permits SetValue, RemoveKey {
    /** The store key written. */
    byte[] key();
  }

  /**
   * Writes a value unconditionally.
   *
   * @param key store key
   * @param value payload
   * @param expireAtMillis absolute deadline, or 0 for none
   * @param tags tags to attach
   */
  public record SetValue(byte[] key, byte[] value, long expireAtMillis, List<String> tags) implements Write {
    public SetValue {
      tags = List.copyOf(tags);
    }
  }

  /** Removes a key unconditionally. */
  public record RemoveKey(byte[] key) implements Write {}

  @Override
  public <R> R dispatch(CommandHandler<R> handler, long index) {
    return handler.writeBatch(index, this);
  }
}
