package io.raftcache.node.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LeaderChangeContext;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import io.raftcache.node.statemachine.Command;
import io.raftcache.node.statemachine.CommandCodec;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.node.statemachine.PartitionStateMachine;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.StoreSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adapts one partition's {@link PartitionStateMachine} to jraft: apply, snapshot save/load, leadership. */
final class PartitionFsm extends StateMachineAdapter {
  private static final Logger log = LoggerFactory.getLogger(PartitionFsm.class);
  private static final String SNAPSHOT_FILE = "data";

  private final int partition;
  private final PartitionStateMachine stateMachine;
  private final RaftMetrics metrics;
  private final AtomicLong leaderTerm = new AtomicLong(-1);
  private final Runnable leaderChanged;
  private volatile long appliedIndex;
  private volatile long term;

  /** @param leaderChanged told whenever this replica learns of a new leader (or loses the one it had) */
  PartitionFsm(int partition, PartitionStore store, RaftMetrics metrics, Runnable leaderChanged) {
    this.partition = partition;
    this.stateMachine = new PartitionStateMachine(store);
    this.metrics = metrics;
    this.leaderChanged = leaderChanged;
  }

  @Override
  public void onApply(Iterator iter) {
    while (iter.hasNext()) {
      long start = System.nanoTime();
      ByteBuffer data = iter.getData();
      byte[] bytes = new byte[data.remaining()];
      // The buffer is shared with jraft's replicators: reading it through a duplicate leaves its position alone,
      // or a follower that is sent this entry later receives an empty payload.
      data.duplicate().get(bytes);
      Command command = CommandCodec.decode(bytes);
      Outcome outcome = stateMachine.apply(iter.getIndex(), command);
      appliedIndex = iter.getIndex();
      Closure done = iter.done();
      if (done instanceof ProposalClosure<?> closure) {
        @SuppressWarnings("unchecked") // partition groups propose only with closures of outcomes (RaftPartition)
        ProposalClosure<Outcome> proposal = (ProposalClosure<Outcome>) closure;
        proposal.result(outcome);
        done.run(Status.OK());
      }
      metrics.applied(System.nanoTime() - start);
      iter.next();
    }
  }

  @Override
  public void onSnapshotSave(SnapshotWriter writer, Closure done) {
    // Runs on the apply thread, so the store does not change while it is written: the file matches the index.
    long start = System.nanoTime();
    try {
      StoreSnapshot.write(stateMachine.store(), Path.of(writer.getPath(), SNAPSHOT_FILE));
      if (writer.addFile(SNAPSHOT_FILE)) {
        metrics.snapshotSaved(System.nanoTime() - start);
        log.info("partition {} saved a snapshot at index {}", partition, appliedIndex);
        done.run(Status.OK());
      } else {
        done.run(new Status(RaftError.EIO, "cannot add the snapshot file of partition %d", partition));
      }
    } catch (IOException e) {
      log.error("snapshot of partition {} failed", partition, e);
      done.run(new Status(RaftError.EIO, "snapshot of partition %d failed: %s", partition, e.getMessage()));
    }
  }

  @Override
  public boolean onSnapshotLoad(SnapshotReader reader) {
    if (reader.getFileMeta(SNAPSHOT_FILE) == null) {
      log.error("snapshot of partition {} has no data file", partition);
      return false;
    }
    long start = System.nanoTime();
    try {
      long entries = StoreSnapshot.load(Path.of(reader.getPath(), SNAPSHOT_FILE), stateMachine.store());
      appliedIndex = reader.load().getLastIncludedIndex();
      metrics.snapshotLoaded(System.nanoTime() - start);
      log.info("partition {} loaded a snapshot of {} entries up to index {}", partition, entries, appliedIndex);
      return true;
    } catch (IOException e) {
      log.error("loading a snapshot of partition {} failed", partition, e);
      return false;
    }
  }

  @Override
  public void onLeaderStart(long term) {
    leaderTerm.set(term);
    this.term = term;
    metrics.leaderChanged(true);
    log.debug("partition {}: leader at term {}", partition, term);
    leaderChanged.run();
  }

  @Override
  public void onLeaderStop(Status status) {
    if (leaderTerm.getAndSet(-1) >= 0) {
      metrics.leaderChanged(false);
    }
    leaderChanged.run();
  }

  @Override
  public void onStartFollowing(LeaderChangeContext ctx) {
    term = ctx.getTerm();
    leaderChanged.run();
  }

  @Override
  public void onStopFollowing(LeaderChangeContext ctx) {
    leaderChanged.run();
  }

  /** The latest term in which this replica saw a leader. */
  long term() {
    return term;
  }

  @Override
  public void onError(RaftException e) {
    log.error("raft group of partition {} failed: {}", partition, e.getStatus(), e);
  }

  /** The term this node leads in, or -1 if it does not lead. */
  long leaderTerm() {
    return leaderTerm.get();
  }

  PartitionStore store() {
    return stateMachine.store();
  }
}
