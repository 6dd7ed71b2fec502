package io.raftcache.node.raft;

/**
 * The raft options that matter for a cache, with the values measured on this project's machines.
 *
 * @param electionTimeoutMs follower timeout before it starts an election
 * @param maxElectionDelayMs random extra delay before an election (jraft's default 1000 ms dominates failover)
 * @param heartbeatFactor the leader heartbeats every {@code electionTimeoutMs / heartbeatFactor}; every heartbeat
 *     of every group costs a log-term lookup and an RPC on each follower, so this sets most of an idle node's CPU
 * @param sync fsync the raft log on every write (off: an acknowledged write is in a majority's page cache)
 * @param snapshotIntervalSecs how often each group snapshots its store and truncates its log
 * @param sharedTimers share jraft's election/vote/step-down/snapshot timers and its scheduler pool between groups;
 *     they are JVM-global, so tests that run several nodes in one JVM turn this off to keep the nodes independent
 * @param maxInFlightEntries log entries a partition leader keeps in flight before further proposals wait and are
 *     merged into one entry ({@link ProposalCoalescer})
 */
public record RaftSettings(
    int electionTimeoutMs, int maxElectionDelayMs, int heartbeatFactor, boolean sync, int snapshotIntervalSecs,
    boolean sharedTimers, int maxInFlightEntries) {
  /**
   * Elections after 300 ms plus up to 150 ms of random delay (300 + 300 measured 0.6-1.1 s for a kill -9 under
   * load; the random part only has to separate candidates, and pre-vote settles most ties), heartbeats every
   * 100 ms, no fsync, snapshots every 5 minutes, one entry in flight per partition before proposals merge.
   */
  public static final RaftSettings DEFAULT = new RaftSettings(300, 150, 3, false, 300, true, 1);
}
