package io.raftcache.node.cluster;

import io.raftcache.node.placement.LeaderBalance;
import io.raftcache.node.raft.RaftPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads partition leadership over the nodes: every few seconds this node hands at most one of the partitions it
 * leads to a replica that leads at least two fewer ({@link LeaderBalance}).
 *
 * <p>Elections pick leaders by timing, so after a start or a failover one node often leads most partitions and does
 * most of the cluster's work (every write and every LEASE or LINEARIZABLE read of a partition runs on its leader).
 * A hand-over is jraft's leadership transfer: the target must answer this leader now, it catches up first, and
 * proposals during the hand-over fail as not proposed, so forwarders retry them at the new leader. A partition that
 * was handed over (or tried) waits {@link #COOLDOWN_TICKS} ticks before it is considered again, so a target that
 * cannot take over is not asked over and over.
 */
public final class LeaderBalancer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderBalancer.class);
  /** Time between decisions: long enough for every node's topology to learn the last move (lookups run each second). */
  static final long PERIOD_MILLIS = 3000;
  static final int COOLDOWN_TICKS = 10;

  private final String nodeId;
  private final List<ForwardingPartition> partitions;
  private final BooleanSupplier settled;
  private final ScheduledExecutorService thread;
  /** Partition → the first tick at which it may move again; touched only on the balancer's thread. */
  private final Map<Integer, Long> coolingUntil = new HashMap<>();
  private long tick;

  /**
   * @param settled whether this node hosts its assignment and knows every leader (no balancing before)
   */
  public LeaderBalancer(String nodeId, List<ForwardingPartition> partitions, BooleanSupplier settled,
      ScheduledExecutorService thread) {
    this.nodeId = nodeId;
    this.partitions = List.copyOf(partitions);
    this.settled = settled;
    this.thread = thread;
  }

  /** Starts the periodic decisions. */
  public void start() {
    thread.scheduleWithFixedDelay(this::tickQuietly, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void tickQuietly() {
    try {
      tick++;
      if (settled.getAsBoolean()) {
        balanceOnce();
      }
    } catch (RuntimeException e) {
      log.warn("leader balancing failed; trying again in {} ms", PERIOD_MILLIS, e);
    }
  }

  /** Makes the one move {@link LeaderBalance} names for this node, if any; returns it. */
  Optional<LeaderBalance.Transfer> balanceOnce() {
    List<String> leaders = new ArrayList<>(partitions.size());
    List<List<String>> replicas = new ArrayList<>(partitions.size());
    Map<Integer, Set<String>> alive = new HashMap<>();
    for (ForwardingPartition p : partitions) {
      leaders.add(p.leaderNodeId());
      replicas.add(p.replicas());
      RaftPartition replica = p.replica();
      if (replica != null && replica.isLeader()) {
        alive.put(p.id(), replica.aliveFollowers());
      }
    }
    Optional<LeaderBalance.Transfer> move = LeaderBalance.next(nodeId, leaders, replicas, (partition, target) ->
        coolingUntil.getOrDefault(partition, 0L) <= tick && alive.getOrDefault(partition, Set.of()).contains(target));
    move.ifPresent(m -> {
      coolingUntil.put(m.partition(), tick + COOLDOWN_TICKS);
      RaftPartition replica = partitions.get(m.partition()).replica();
      boolean started = replica != null && replica.transferLeadershipTo(m.target());
      log.info("partition {}: {} leadership to {} to spread leaders over the nodes", m.partition(),
          started ? "handing" : "could not hand", m.target());
    });
    return move;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
