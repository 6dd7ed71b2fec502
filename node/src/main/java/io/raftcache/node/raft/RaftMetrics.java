package io.raftcache.node.raft;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;

/** Raft metrics of a node: leaders held, apply and commit latency, snapshots, forwarded requests. */
public final class RaftMetrics {
  private final Gauge leaders;
  private final Histogram applySeconds;
  private final Histogram commitSeconds;
  private final Histogram entryCommands;
  private final Counter snapshots;
  private final Histogram snapshotSeconds;
  private final Counter forwarded;
  private final Counter.Child leaseLocal;
  private final Counter.Child leaseRound;

  /** Registers the metrics in {@code registry}. */
  public RaftMetrics(CollectorRegistry registry) {
    leaders = Gauge.build().name("raftcache_raft_leaders").help("Partitions this node leads.").register(registry);
    applySeconds = Histogram.build().name("raftcache_raft_apply_seconds")
        .help("Time to apply one committed command to the store.")
        .buckets(0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05).register(registry);
    commitSeconds = Histogram.build().name("raftcache_raft_commit_seconds")
        .help("Time from proposal to applied outcome on the leader (replication + commit + apply).")
        .buckets(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1).register(registry);
    entryCommands = Histogram.build().name("raftcache_raft_entry_commands")
        .help("Commands per log entry a partition leader proposed (more than one when proposals waited and merged).")
        .buckets(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
    snapshots = Counter.build().name("raftcache_raft_snapshots_total").help("Snapshots saved or loaded.")
        .labelNames("kind").register(registry);
    snapshotSeconds = Histogram.build().name("raftcache_raft_snapshot_seconds").help("Snapshot save or load time.")
        .labelNames("kind").buckets(0.001, 0.01, 0.1, 1, 10, 60).register(registry);
    forwarded = Counter.build().name("raftcache_forwarded_requests_total")
        .help("Proposals, reads and removals this node sent to a partition's leader or replica on another node.")
        .register(registry);
    Counter leaseReads = Counter.build().name("raftcache_raft_lease_reads_total")
        .help("LEASE reads on a leader: served under its own lease (local) or after a heartbeat round (round).")
        .labelNames("path").register(registry);
    leaseLocal = leaseReads.labels("local");
    leaseRound = leaseReads.labels("round");
  }

  void leaseRead(boolean local) {
    (local ? leaseLocal : leaseRound).inc();
  }

  void applied(long nanos) {
    applySeconds.observe(nanos / 1e9);
  }

  void committed(long nanos) {
    commitSeconds.observe(nanos / 1e9);
  }

  void proposalEntry(int commands) {
    entryCommands.observe(commands);
  }

  void snapshotSaved(long nanos) {
    snapshots.labels("save").inc();
    snapshotSeconds.labels("save").observe(nanos / 1e9);
  }

  void snapshotLoaded(long nanos) {
    snapshots.labels("load").inc();
    snapshotSeconds.labels("load").observe(nanos / 1e9);
  }

  void leaderChanged(boolean gained) {
    if (gained) {
      leaders.inc();
    } else {
      leaders.dec();
    }
  }

  public void forwarded() {
    forwarded.inc();
  }
}
