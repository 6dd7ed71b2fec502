package io.raftcache.node.raft;

/** This node does not lead the partition, so the proposal was not submitted; {@code leaderHint} may name who does. */
public final class NotLeaderException extends RuntimeException {
  private final String leaderHint;

  public NotLeaderException(int partition, String leaderHint) {
    super("this node does not lead partition " + partition
        + (leaderHint == null ? " and no leader is known yet" : "; the leader is " + leaderHint), null, false, false);
    this.leaderHint = leaderHint;
  }

  /** Node id of the believed leader, or null while none is known. */
  public String leaderHint() {
    return leaderHint;
  }
}
