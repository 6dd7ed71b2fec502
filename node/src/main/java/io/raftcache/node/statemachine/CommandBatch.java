package io.raftcache.node.statemachine;

import java.util.List;

/**
 * Several commands from concurrent callers as one log entry: what a partition leader proposes when proposals
 * arrive faster than its raft group commits them, so a busy partition pays one raft round for many writes.
 *
 * <p>The commands are applied one after another at the entry's index, each against the state the previous ones
 * left and each with its own outcome (in {@link Outcome.Batch}, in order) and its own {@code proposedAtMillis}.
 * A command refused by the store is refused alone, exactly as it would have been in an entry of its own. The
 * proposer puts no key into two commands of one batch, so every value written still has a version (the index)
 * that no other write of that key shares.
 *
 * @param commands two to {@link #MAX_COMMANDS} commands, none of them a batch of commands itself
 */
public record CommandBatch(List<Command> commands) implements Command {
  /** The most commands one entry may carry, so a log entry and its outcome stay bounded. */
  public static final int MAX_COMMANDS = 256;

  public CommandBatch {
    commands = List.copyOf(commands);
    if (commands.size() < 2 || commands.size() > MAX_COMMANDS) {
      throw new IllegalArgumentException("a command batch holds 2.." + MAX_COMMANDS + " commands, got " + commands.size());
    }
    for (Command c : commands) {
      if (c instanceof CommandBatch) {
        throw new IllegalArgumentException("a command batch cannot hold another command batch");
      }
    }
  }

  /** The latest proposal time of the commands. */
  @Override
  public long proposedAtMillis() {
    long latest = Long.MIN_VALUE;
    for (Command c : commands) {
      latest = Math.max(latest, c.proposedAtMillis());
    }
    return latest;
  }

  @Override
  public <R> R dispatch(CommandHandler<R> handler, long index) {
    return handler.commandBatch(index, this);
  }
}
