package io.raftcache.node.cluster;

import io.grpc.CallOptions;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftcache.node.membership.ClusterState;
import io.raftcache.node.raft.RaftPartition;
import io.raftcache.node.raft.SofaMultiRaft;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.storage.StoreSizing;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the partitions this node hosts equal to its assignment in the cluster state: starts a raft group for each
 * partition assigned to it, releases (stops and deletes) a replica once its group no longer counts it, and keeps
 * track of the leaders of the partitions it does not host.
 *
 * <p>States are handled one at a time, in the order the meta group applied them, on this class's own thread. A
 * node founding a new cluster starts the groups of the bootstrap state (epoch 1) with that state's replicas as
 * their initial voters, exactly as every other founder does, since they all apply the same bootstrap entry. Any
 * other replica starts empty and waits for the partition's leader to add it ({@link MembershipReconciler}), which
 * sends it a snapshot or the log before it counts towards a quorum.
 *
 * <p>A replica that is no longer assigned keeps running until the partition's leader reports voters without it:
 * stopping earlier could leave the group short of a quorum while the new replica catches up. Then its group
 * stops and its raft data and store file are deleted.
 */
public final class PartitionHosting implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PartitionHosting.class);
  private static final long PERIOD_MILLIS = 1000;
  private static final long LOOKUP_TIMEOUT_MILLIS = 1000;

  private final String nodeId;
  private final String raftAddress;
  private final SofaMultiRaft raft;
  private final PartitionStoreFactory stores;
  private final StoreSizing sizing;
  private final List<ForwardingPartition> partitions;
  private final PeerChannels peers;
  private final boolean foundingNewCluster;
  private final Runnable topologyChanged;
  private final ScheduledExecutorService thread;
  private volatile ClusterState latest = ClusterState.EMPTY;

  /**
   * @param partitions every partition by number; hosting attaches and detaches their local replicas
   * @param foundingNewCluster whether this node founds a new cluster (no raft data, not joining): it then starts
   *     the bootstrap state's groups with initial voters
   * @param topologyChanged told when the hosted set or a known leader changes
   */
  public PartitionHosting(String nodeId, String raftAddress, SofaMultiRaft raft, PartitionStoreFactory stores,
      StoreSizing sizing, List<ForwardingPartition> partitions, PeerChannels peers, boolean foundingNewCluster,
      Runnable topologyChanged, ScheduledExecutorService thread) {
    this.nodeId = nodeId;
    this.raftAddress = raftAddress;
    this.raft = raft;
    this.stores = stores;
    this.sizing = sizing;
    this.partitions = List.copyOf(partitions);
    this.peers = peers;
    this.foundingNewCluster = foundingNewCluster;
    this.topologyChanged = topologyChanged;
    this.thread = thread;
  }

  /**
   * Restarts the groups this node has raft data for (it hosted them before a restart); they recover their voters
   * from their logs. Returns how many.
   */
  public int startRecovered() {
    int started = 0;
    for (ForwardingPartition p : partitions) {
      if (raft.hasPartitionData(p.id())) {
        p.host(raft.start(p.id(), stores.open(p.id(), sizing), List.of()));
        started++;
      }
    }
    return started;
  }

  /** Starts the periodic release of unassigned replicas and lookup of remote leaders. */
  public void start() {
    thread.scheduleWithFixedDelay(this::maintainQuietly, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Called with every state the meta group applies, in order (on its apply thread: only queues). */
  public void onState(ClusterState state) {
    thread.execute(() -> {
      try {
        apply(state);
      } catch (RuntimeException e) {
        log.error("could not host the partitions of epoch {}; retrying with the next state", state.epoch(), e);
      }
    });
  }

  /** The local replicas, for the reconciler that keeps their voters. */
  public List<RaftPartition> hostedReplicas() {
    List<RaftPartition> hosted = new ArrayList<>();
    for (ForwardingPartition p : partitions) {
      RaftPartition replica = p.replica();
      if (replica != null) {
        hosted.add(replica);
      }
    }
    return hosted;
  }

  /**
   * Whether this node hosts exactly the partitions the latest state assigns to it and each of its replicas knows
   * its leader: the node can then serve its share without waiting for a group to start or elect.
   */
  public boolean settled() {
    ClusterState state = latest;
    if (!state.bootstrapped()) {
      return false;
    }
    for (ForwardingPartition p : partitions) {
      RaftPartition replica = p.replica();
      if (state.hosts(nodeId, p.id()) != (replica != null) || (replica != null && replica.leaderNodeId() == null)) {
        return false;
      }
    }
    return true;
  }

  private void apply(ClusterState state) {
    latest = state;
    if (!state.bootstrapped()) {
      return;
    }
    boolean changed = false;
    for (ForwardingPartition p : partitions) {
      p.assign(state.replicasOf(p.id()));
      if (state.hosts(nodeId, p.id()) && !p.hosted()) {
        List<String> voters = foundingNewCluster && state.epoch() == 1 ? raftAddresses(state, p.id()) : List.of();
        p.host(raft.start(p.id(), stores.open(p.id(), sizing), voters));
        log.info("partition {}: hosting a replica (epoch {}, {})", p.id(), state.epoch(),
            voters.isEmpty() ? "waiting to be added by its leader" : "founding with " + voters);
        changed = true;
      }
    }
    if (changed) {
      topologyChanged.run();
    }
  }

  private static List<String> raftAddresses(ClusterState state, int partition) {
    List<String> addresses = new ArrayList<>();
    for (String id : state.replicasOf(partition)) {
      state.member(id).ifPresent(m -> addresses.add(m.raftAddress()));
    }
    return addresses;
  }

  private void maintainQuietly() {
    try {
      releaseUnassigned();
      lookUpRemoteLeaders();
    } catch (RuntimeException e) {
      log.warn("partition hosting upkeep failed; retrying in {} ms", PERIOD_MILLIS, e);
    }
  }

  /** Releases each replica whose partition is no longer assigned here, once its leader has dropped it. */
  private void releaseUnassigned() {
    ClusterState state = latest;
    if (!state.bootstrapped()) {
      return;
    }
    for (ForwardingPartition p : partitions) {
      RaftPartition replica = p.replica();
      if (replica == null || state.hosts(nodeId, p.id()) || replica.isLeader()) {
        continue; // a leader that is not assigned removes itself from its group first (MembershipReconciler)
      }
      ForwardingProtocol.LeaderView view = leaderView(p, replica);
      if (view != null && !view.voters().contains(raftAddress)) {
        p.unhost();
        raft.stop(p.id());
        stores.discard(p.id());
        log.info("partition {}: released this node's replica (voters now {})", p.id(), view.voters());
        topologyChanged.run();
      }
    }
  }

  /** The partition's voters as its leader reports them, or null if no leader answered. */
  private ForwardingProtocol.LeaderView leaderView(ForwardingPartition p, RaftPartition replica) {
    Set<String> candidates = new LinkedHashSet<>();
    if (replica.leaderNodeId() != null) {
      candidates.add(replica.leaderNodeId());
    }
    candidates.addAll(p.replicas());
    candidates.remove(nodeId);
    for (String candidate : candidates) {
      try {
        ForwardingProtocol.LeaderView view = ForwardingProtocol.parseLeader(ClientCalls.blockingUnaryCall(
            peers.to(candidate), ForwardingProtocol.LEADER,
            CallOptions.DEFAULT.withDeadlineAfter(LOOKUP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS),
            ForwardingProtocol.message(p.id(), out -> {})));
        if (!view.voters().isEmpty()) {
          return view;
        }
      } catch (StatusRuntimeException e) {
        log.debug("partition {}: {} could not report its leader: {}", p.id(), candidate, e.getStatus());
      }
    }
    return null;
  }

  /**
   * Asks, for each partition not hosted here, the node it would call which node leads, so the topology this
   * node serves names leaders for every partition (the calls themselves also follow hints).
   */
  private void lookUpRemoteLeaders() {
    for (ForwardingPartition p : partitions) {
      String target = p.leaderNodeId();
      if (p.hosted() || target == null) {
        continue;
      }
      com.google.common.util.concurrent.Futures.addCallback(ClientCalls.futureUnaryCall(
          peers.to(target).newCall(ForwardingProtocol.LEADER,
              CallOptions.DEFAULT.withDeadlineAfter(LOOKUP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)),
          ForwardingProtocol.message(p.id(), out -> {})), new com.google.common.util.concurrent.FutureCallback<>() {
            @Override
            public void onSuccess(byte[] response) {
              ForwardingProtocol.LeaderView view = ForwardingProtocol.parseLeader(response);
              if (p.learnLeader(view.leader(), view.term())) {
                topologyChanged.run();
              }
            }

            @Override
            public void onFailure(Throwable t) {
              p.redirect(target, t);
            }
          }, com.google.common.util.concurrent.MoreExecutors.directExecutor());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
