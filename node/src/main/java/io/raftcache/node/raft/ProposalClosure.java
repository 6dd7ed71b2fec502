package io.raftcache.node.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import java.util.concurrent.CompletableFuture;

/**
 * Completes a proposal's future: with the result the state machine recorded on apply, or with a failure.
 *
 * @param <T> what applying the entry produced (an outcome, or the meta group's verdict)
 */
final class ProposalClosure<T> implements Closure {
  private final CompletableFuture<T> future;
  private volatile T result;

  ProposalClosure(CompletableFuture<T> future) {
    this.future = future;
  }

  /** Called by the state machine on apply, before {@link #run}. */
  void result(T value) {
    this.result = value;
  }

  @Override
  public void run(Status status) {
    if (status.isOk()) {
      future.complete(result);
    } else {
      // The entry may still commit under a new leader: the caller cannot tell whether it was applied.
      future.completeExceptionally(new AmbiguousProposalException(status.getErrorMsg()));
    }
  }
}
