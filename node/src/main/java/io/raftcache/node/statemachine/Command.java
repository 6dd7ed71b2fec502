package io.raftcache.node.statemachine;

/**
 * A state change proposed by a partition leader and applied identically on every replica.
 *
 * <p>Keys are store keys ({@code namespace ‖ 0x00 ‖ key}); deadlines are absolute epoch millis computed by the
 * proposer. Every command dispatches itself to one {@link CommandHandler} method, so adding a command without
 * teaching the state machine to apply it does not compile.
 */
public sealed interface Command
    permits Put, Delete, Touch, Increment, CompareAndSet, RemoveBatch, WriteBatch, CommandBatch {

  /** The leader's clock at proposal: the only "now" that apply may use. */
  long proposedAtMillis();

  /** Calls the handler method for this command type. */
  <R> R dispatch(CommandHandler<R> handler, long index);
}
