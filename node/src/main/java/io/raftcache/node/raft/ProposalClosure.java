package io.raftcache.node.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import io.raftcache.node.statemachine.Outcome;
import java.util.concurrent.CompletableFuture;

/** Completes a proposal's future: with the outcome the state machine recorded, or with a failure. */
final class ProposalClosure implements Closure {
  private final CompletableFuture<Outcome> future;
  private volatile Outcome outcome;

  ProposalClosure(CompletableFuture<Outcome> future) {
    this.future = future;
  }

  /** Called by the state machine on apply, before {@link #run}. */
  void outcome(Outcome outcome) {
    this.outcome = outcome;
  }

  @Override
  public void run(Status status) {
    if (status.isOk()) {
      future.complete(outcome);
    } else {
      // The entry may still commit under a new leader: the caller cannot tell whether it was applied.
      future.completeExceptionally(new AmbiguousProposalException(status.getErrorMsg()));
    }
  }
}
