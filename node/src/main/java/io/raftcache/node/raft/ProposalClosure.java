package io.raftcache.node.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Completes a proposal's future: with the result the state machine recorded on apply, or with a failure.
 *
 * @param <T> what applying the entry produced (an outcome, or the meta group's verdict)
 */
final class ProposalClosure<T> implements Closure {
  private final CompletableFuture<T> future;
  /** What a proposal raft refused before appending it fails with, or null to count it as ambiguous too. */
  private final Supplier<RuntimeException> notAppended;
  private volatile T result;

  ProposalClosure(CompletableFuture<T> future) {
    this(future, null);
  }

  /**
   * @param notAppended the failure for a proposal jraft refused with EBUSY (transferring leadership, or its queue
   *     is full): such a task never reached the log, so the caller may safely try it again elsewhere
   */
  ProposalClosure(CompletableFuture<T> future, Supplier<RuntimeException> notAppended) {
    this.future = future;
    this.notAppended = notAppended;
  }

  /** Called by the state machine on apply, before {@link #run}. */
  void result(T value) {
    this.result = value;
  }

  @Override
  public void run(Status status) {
    if (status.isOk()) {
      future.complete(result);
    } else if (notAppended != null && status.getRaftError() == RaftError.EBUSY) {
      future.completeExceptionally(notAppended.get());
    } else {
      // The entry may still commit under a new leader: the caller cannot tell whether it was applied.
      future.completeExceptionally(new AmbiguousProposalException(status.getErrorMsg()));
    }
  }
}
