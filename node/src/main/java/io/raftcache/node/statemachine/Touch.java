package io.raftcache.node.statemachine;

/**
 * Sets a live entry's deadline, keeping its value and version.
 *
 * @param key store key
 * @param expireAtMillis new absolute deadline, or 0 for none
 * @param proposedAtMillis the leader's clock at proposal
 */
public record Touch(byte[] key, long expireAtMillis, long proposedAtMillis) implements Command {
  @Override
  public <R> R dispatch(CommandHandler<R> handler, long index) {
    return handler.touch(index, this);
  }
}
