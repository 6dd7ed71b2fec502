package io.raftcache.node.statemachine;

import java.util.List;

/**
 * Writes a value only if the current value equals an expected one (or the key is absent).
 *
 * @param key store key
 * @param expectedValue value the live entry must hold (ignored when expectAbsent)
 * @param expectAbsent apply only if no live entry exists
 * @param newValue payload to write
 * @param expireAtMillis absolute deadline of the new value, or 0 for none
 * @param tags tags of the new value
 * @param proposedAtMillis the leader's clock at proposal
 */
public record CompareAndSet(
    byte[] key,
    byte[] expectedValue,
    boolean expectAbsent,
    byte[] newValue,
    long expireAtMillis,
    List<String> tags,
    long proposedAtMillis)
    implements Command {
  public CompareAndSet {
    tags = List.copyOf(tags);
  }

  @Override
  public <R> R dispatch(CommandHandler<R> handler, long index) {
    return handler.compareAndSet(index, this);
  }
}
