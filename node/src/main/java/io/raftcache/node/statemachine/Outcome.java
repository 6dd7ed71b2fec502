package io.raftcache.node.statemachine;

import io.raftcache.proto.v1.ErrorReason;
import java.util.List;

/** What applying a command did; identical on every replica for the same log. */
public sealed interface Outcome {

  /** A value was written at {@code version}. */
  record Written(long version, long expireAtMillis) implements Outcome {}

  /**
   * A precondition did not hold, so nothing changed. {@code version} is the live entry's (0 if absent);
   * {@code currentValue} is filled for CompareAndSet only.
   */
  record Unchanged(long version, long expireAtMillis, byte[] currentValue) implements Outcome {}

  /** The entry with {@code version} was removed. */
  record Deleted(long version) implements Outcome {}

  /** No live entry existed. */
  record Absent() implements Outcome {}

  /** The deadline of the entry at {@code version} is now {@code expireAtMillis}. */
  record Touched(long version, long expireAtMillis) implements Outcome {}

  /** The integer now holds {@code value}. */
  record Incremented(long value, long version, long expireAtMillis) implements Outcome {}

  /** A batch removed {@code count} entries. */
  record Removed(RemoveBatch.Cause cause, int count) implements Outcome {}

  /**
   * The outcome of each write of a {@link WriteBatch}, in the batch's order: {@link Written}, {@link Deleted},
   * {@link Absent}, or {@link Rejected} for a key the store refused (the batch's other writes still applied).
   */
  record Batch(List<Outcome> outcomes) implements Outcome {
    public Batch {
      outcomes = List.copyOf(outcomes);
    }
  }

  /** The command was refused as a whole; nothing changed. */
  record Rejected(ErrorReason reason, String message) implements Outcome {}
}
