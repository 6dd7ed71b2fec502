package io.raftcache.node.statemachine;

/**
 * Removes a key, optionally only if it holds a given version.
 *
 * @param key store key
 * @param ifVersion remove only if the live entry has this version; 0 for unconditional
 * @param proposedAtMillis the leader's clock at proposal
 */
public record Delete(byte[] key, long ifVersion, long proposedAtMillis) implements Command {
  @Override
  public <R> R dispatch(CommandHandler<R> handler, long index) {
    return handler.delete(index, this);
  }
}
