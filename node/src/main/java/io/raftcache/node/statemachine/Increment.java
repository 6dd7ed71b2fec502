package io.raftcache.node.statemachine;

/**
 * Adds to a value held as a decimal 64-bit integer.
 *
 * @param key store key
 * @param delta amount to add
 * @param initial starting value when the key is absent
 * @param expireAtIfCreated deadline when the command creates the entry (0 for none); an existing entry keeps its own
 * @param proposedAtMillis the leader's clock at proposal
 */
public record Increment(byte[] key, long delta, long initial, long expireAtIfCreated, long proposedAtMillis)
    implements Command {
  @Override
  public <R> R dispatch(CommandHandler<R> handler, long index) {
    return handler.increment(index, this);
  }
}
