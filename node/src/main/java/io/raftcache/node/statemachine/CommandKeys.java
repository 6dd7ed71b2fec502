package io.raftcache.node.statemachine;

import java.util.ArrayList;
import java.util.List;

/** The store keys a command writes or removes: what decides whether two commands may share a log entry. */
public final class CommandKeys implements CommandHandler<List<byte[]>> {
  /** Stateless, so one visitor serves every thread. */
  private static final CommandKeys VISITOR = new CommandKeys();

  private CommandKeys() {}

  /** The keys {@code command} may change. */
  public static List<byte[]> of(Command command) {
    return command.dispatch(VISITOR, 0);
  }

  @Override
  public List<byte[]> put(long index, Put c) {
    return List.of(c.key());
  }

  @Override
  public List<byte[]> delete(long index, Delete c) {
    return List.of(c.key());
  }

  @Override
  public List<byte[]> touch(long index, Touch c) {
    return List.of(c.key());
  }

  @Override
  public List<byte[]> increment(long index, Increment c) {
    return List.of(c.key());
  }

  @Override
  public List<byte[]> compareAndSet(long index, CompareAndSet c) {
    return List.of(c.key());
  }

  @Override
  public List<byte[]> removeBatch(long index, RemoveBatch c) {
    List<byte[]> keys = new ArrayList<>(c.entries().size());
    c.entries().forEach(e -> keys.add(e.key()));
    return keys;
  }

  @Override
  public List<byte[]> writeBatch(long index, WriteBatch c) {
    List<byte[]> keys = new ArrayList<>(c.writes().size());
    c.writes().forEach(w -> keys.add(w.key()));
    return keys;
  }

  @Override
  public List<byte[]> commandBatch(long index, CommandBatch c) {
    List<byte[]> keys = new ArrayList<>();
    c.commands().forEach(each -> keys.addAll(of(each)));
    return keys;
  }
}
