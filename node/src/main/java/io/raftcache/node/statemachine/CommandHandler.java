package io.raftcache.node.statemachine;

/** One method per {@link Command} type: the exhaustive set of state changes. */
public interface CommandHandler<R> {
  R put(long index, Put command);

  R delete(long index, Delete command);

  R touch(long index, Touch command);

  R increment(long index, Increment command);

  R compareAndSet(long index, CompareAndSet command);

  R removeBatch(long index, RemoveBatch command);

  R writeBatch(long index, WriteBatch command);

  R commandBatch(long index, CommandBatch command);
}
