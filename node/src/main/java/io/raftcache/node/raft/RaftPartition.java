package io.raftcache.node.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.ReadOnlyOption;
import io.raftcache.node.partition.Partition;
import io.raftcache.node.statemachine.Command;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.StoredEntry;
import io.raftcache.proto.v1.Consistency;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A partition replicated by its own jraft group: proposals go through the log, reads through ReadIndex.
 *
 * <p>Only the leader proposes; proposals that arrive while the group has its limit of entries in flight are
 * merged into one entry ({@link ProposalCoalescer}). A follower fails fast with {@link NotLeaderException} (nothing submitted) so the
 * caller can forward. Each proposal carries the leader's term, so it cannot commit under a later leader without
 * the proposer learning that its fate is ambiguous. Reads are served by this replica: LINEARIZABLE runs jraft's
 * ReadIndex (safe mode: a heartbeat round confirms leadership, then waits until this replica has applied up to
 * the read index, which works on followers too), LEASE uses the leader lease instead of the heartbeat round,
 * STALE reads the local store at once.
 *
 * <p>A LEASE read on the leader is served from the local store on the caller's thread while this replica holds
 * a lease of its own: a ReadIndex round in safe mode that started at time s and succeeded means a majority
 * answered a heartbeat sent after s, and each of them refuses to vote for another candidate until an election
 * timeout after it heard from this leader, so no other leader can exist before s plus the election timeout. The
 * lease ends at 90% of that (jraft's own lease ratio) and is renewed in the background once half of it is
 * left, so a busy partition pays one heartbeat round per ~135 ms instead of a ReadIndex hand-off per read.
 * Everything acknowledged is applied here already: a write is acknowledged after the leader applies it, and
 * jraft starts a leader's term only after it has applied every earlier entry.
 */
public final class RaftPartition implements Partition {
  private static final byte[] NO_CONTEXT = new byte[0];
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RaftPartition.class);

  private final int id;
  private final Node node;
  private final PartitionFsm fsm;
  private final Map<String, String> nodeIdByRaftAddress;
  private final RaftMetrics metrics;
  private final GroupMembership membership;
  private final ProposalCoalescer coalescer;
  /** How long a confirmed heartbeat round lets the leader serve LEASE reads locally. */
  private final long leaseNanos;
  /** The leader term the lease belongs to (-1: none), and when it ends (System.nanoTime). */
  private volatile long leaseTerm = -1;
  private volatile long leaseEndNanos;
  private final java.util.concurrent.atomic.AtomicBoolean renewing = new java.util.concurrent.atomic.AtomicBoolean();

  RaftPartition(int id, Node node, PartitionFsm fsm, Map<String, String> nodeIdByRaftAddress, RaftMetrics metrics,
      int electionTimeoutMs, int maxInFlightEntries) {
    this.leaseNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(electionTimeoutMs) * 9 / 10;
    this.id = id;
    this.node = node;
    this.fsm = fsm;
    this.nodeIdByRaftAddress = nodeIdByRaftAddress;
    this.metrics = metrics;
    this.membership = new GroupMembership("p-" + id, node);
    this.coalescer = new ProposalCoalescer(id, maxInFlightEntries, ProposalCoalescer.DEFAULT_MAX_QUEUED_BYTES, this::submit,
        metrics);
  }

  /** The latest raft term in which this replica saw a leader: it orders leader changes of the partition. */
  public long term() {
    return fsm.term();
  }

  /** This partition's raft voters and changes to them. */
  public GroupMembership membership() {
    return membership;
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public CompletableFuture<Outcome> propose(Command command) {
    if (fsm.leaderTerm() < 0) {
      return CompletableFuture.failedFuture(new NotLeaderException(id, leaderNodeId()));
    }
    long start = System.nanoTime();
    return coalescer.propose(command).whenComplete((outcome, failure) -> metrics.committed(System.nanoTime() - start));
  }

  /** Hands one encoded entry (a command, or a {@link io.raftcache.node.statemachine.CommandBatch}) to raft. */
  private CompletableFuture<Outcome> submit(byte[] entry) {
    long term = fsm.leaderTerm();
    if (term < 0) {
      return CompletableFuture.failedFuture(new NotLeaderException(id, leaderNodeId()));
    }
    CompletableFuture<Outcome> future = new CompletableFuture<>();
    Task task = new Task(ByteBuffer.wrap(entry), new ProposalClosure<>(future, () -> new NotLeaderException(id, null)));
    task.setExpectedTerm(term);
    node.apply(task);
    return future;
  }

  @Override
  public CompletableFuture<StoredEntry> read(byte[] key, Consistency consistency) {
    if (consistency == Consistency.STALE) {
      return CompletableFuture.completedFuture(fsm.store().get(key));
    }
    if (consistency == Consistency.LEASE) {
      long term = fsm.leaderTerm();
      if (term >= 0) {
        long now = System.nanoTime();
        if (leaseTerm == term && now - leaseEndNanos < 0) {
          if (leaseEndNanos - now < leaseNanos / 2 && renewing.compareAndSet(false, true)) {
            renewLease(term).whenComplete((passed, failure) -> renewing.set(false));
          }
          metrics.leaseRead(true);
          return CompletableFuture.completedFuture(fsm.store().get(key));
        }
        metrics.leaseRead(false);
        return renewLease(term).thenApply(passed -> fsm.store().get(key));
      }
    }
    ReadOnlyOption mode = consistency == Consistency.LEASE ? ReadOnlyOption.ReadOnlyLeaseBased : ReadOnlyOption.ReadOnlySafe;
    return readIndex(mode).thenApply(passed -> fsm.store().get(key));
  }

  /**
   * Runs a safe ReadIndex round and, if this node still leads in {@code term} when it succeeds, extends the lease
   * to the round's start plus {@link #leaseNanos}. At most one background renewal runs at a time; a read that
   * finds no lease runs its own round (jraft batches concurrent rounds).
   */
  private CompletableFuture<Void> renewLease(long term) {
    long start = System.nanoTime();
    return readIndex(ReadOnlyOption.ReadOnlySafe).whenComplete((passed, failure) -> {
      // The end is written before the term, and readers check the term first, so a reader never pairs a new
      // term with an old end.
      if (failure == null && fsm.leaderTerm() == term && (leaseTerm != term || start + leaseNanos - leaseEndNanos > 0)) {
        leaseEndNanos = start + leaseNanos;
        leaseTerm = term;
      }
    });
  }

  /** One ReadIndex round: completes once this replica has applied everything committed before it started. */
  private CompletableFuture<Void> readIndex(ReadOnlyOption mode) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    node.readIndex(mode, NO_CONTEXT, new ReadIndexClosure() {
      @Override
      public void run(Status status, long index, byte[] context) {
        if (status.isOk()) {
          future.complete(null);
        } else {
          log.debug("read index of partition {} failed: {}", id, status);
          future.completeExceptionally(new NotLeaderException(id, leaderNodeId()));
        }
      }
    });
    return future;
  }

  @Override
  public boolean isLeader() {
    return fsm.leaderTerm() >= 0;
  }

  /**
   * Node ids of the other voters that answered this leader recently (within an election timeout); empty on a
   * follower.
   */
  public Set<String> aliveFollowers() {
    Set<String> alive = new HashSet<>();
    if (!isLeader()) {
      return alive;
    }
    List<PeerId> peers = node.listAlivePeers();
    if (peers != null) {
      for (PeerId peer : peers) {
        String nodeId = nodeIdByRaftAddress.get(peer.getEndpoint().toString());
        if (nodeId != null && !peer.equals(node.getNodeId().getPeerId())) {
          alive.add(nodeId);
        }
      }
    }
    return alive;
  }

  /**
   * Hands this group's leadership to the replica on node {@code nodeId}: jraft waits (up to an election timeout)
   * for it to catch up, then tells it to start an election at once. Proposals made meanwhile fail with
   * {@link NotLeaderException}, so forwarders retry them at the new leader. Returns whether the hand-over started.
   */
  public boolean transferLeadershipTo(String nodeId) {
    for (Map.Entry<String, String> e : nodeIdByRaftAddress.entrySet()) {
      if (e.getValue().equals(nodeId)) {
        Status status = node.transferLeadershipTo(PeerId.parsePeer(e.getKey()));
        if (!status.isOk()) {
          log.debug("partition {}: leadership transfer to {} refused: {}", id, nodeId, status);
        }
        return status.isOk();
      }
    }
    return false;
  }

  /** Node id of the current leader as this replica knows it, or null while none is known. */
  public String leaderNodeId() {
    PeerId leader = node.getLeaderId();
    return leader == null || leader.isEmpty() ? null : nodeIdByRaftAddress.get(leader.getEndpoint().toString());
  }

  @Override
  public PartitionStore store() {
    return fsm.store();
  }

  /** Store closing is the owner's job ({@link SofaMultiRaft#close}), after the raft group has stopped. */
  @Override
  public void close() {}
}
