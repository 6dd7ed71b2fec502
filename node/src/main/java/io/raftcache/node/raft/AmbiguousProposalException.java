package io.raftcache.node.raft;

/** A proposal reached the log but its fate is unknown (leadership changed before it committed). */
public final class AmbiguousProposalException extends RuntimeException {
  public AmbiguousProposalException(String message) {
    super(message, null, false, false);
  }
}
