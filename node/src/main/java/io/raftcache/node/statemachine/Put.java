package io.raftcache.node.statemachine;

import java.util.List;

/**
 * Writes a value, optionally only if the key is absent or holds a given version.
 *
 * @param key store key
 * @param value payload
 * @param expireAtMillis absolute deadline, or 0 for none
 * @param tags tags to attach
 * @param ifAbsent apply only if no live entry exists
 * @param ifVersion apply only if the live entry has this version; 0 for unconditional
 * @param proposedAtMillis the leader's clock at proposal
 */
public record Put(
    byte[] key,
    byte[] value,
    long expireAtMillis,
    List<String> tags,
    boolean ifAbsent,
    long ifVersion,
    long proposedAtMillis)
    implements Command {
  public Put {
    tags = List.copyOf(tags);
  }

  @Override
  public <R> R dispatch(CommandHandler<R> handler, long index) {
    return handler.put(index, this);
  }
}
