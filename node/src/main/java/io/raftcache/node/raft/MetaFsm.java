package io.raftcache.node.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftcache.node.membership.ClusterState;
import io.raftcache.node.membership.MembershipStateMachine;
import io.raftcache.proto.internal.v1.ClusterStateRecord;
import io.raftcache.proto.internal.v1.MembershipCommand;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adapts the {@link MembershipStateMachine} to jraft: the meta group's apply, snapshots and leadership. */
final class MetaFsm extends StateMachineAdapter {
  private static final Logger log = LoggerFactory.getLogger(MetaFsm.class);
  private static final String SNAPSHOT_FILE = "cluster-state";

  private final MembershipStateMachine stateMachine = new MembershipStateMachine();
  private final Consumer<ClusterState> onChange;
  private final Runnable onLeaderStart;
  private volatile boolean leader;

  /**
   * @param onChange called on the apply thread after every change of the state (keep it short)
   * @param onLeaderStart called when this replica becomes the meta leader
   */
  MetaFsm(Consumer<ClusterState> onChange, Runnable onLeaderStart) {
    this.onChange = onChange;
    this.onLeaderStart = onLeaderStart;
  }

  @Override
  public void onApply(Iterator iter) {
    while (iter.hasNext()) {
      MembershipStateMachine.Applied applied;
      ClusterState before = stateMachine.state();
      try {
        applied = stateMachine.apply(MembershipCommand.parseFrom(iter.getData().duplicate()));
      } catch (InvalidProtocolBufferException e) {
        // Written by a newer or broken node: the same bytes are rejected the same way on every replica.
        applied = new MembershipStateMachine.Applied(before, "unreadable command: " + e.getMessage());
      }
      if (applied.rejection() != null) {
        log.info("meta: rejected command at index {}: {}", iter.getIndex(), applied.rejection());
      }
      if (iter.done() instanceof ProposalClosure<?> closure) {
        @SuppressWarnings("unchecked") // the meta group proposes only with closures of this type (MetaGroup)
        ProposalClosure<MembershipStateMachine.Applied> proposal = (ProposalClosure<MembershipStateMachine.Applied>) closure;
        proposal.result(applied);
        proposal.run(Status.OK());
      }
      if (applied.state() != before) {
        log.info("meta: cluster epoch {} with members {}", applied.state().epoch(),
            applied.state().members().stream().map(m -> m.nodeId()).toList());
        onChange.accept(applied.state());
      }
      iter.next();
    }
  }

  @Override
  public void onSnapshotSave(SnapshotWriter writer, Closure done) {
    try {
      Files.write(Path.of(writer.getPath(), SNAPSHOT_FILE), stateMachine.state().toRecord().toByteArray());
      done.run(writer.addFile(SNAPSHOT_FILE) ? Status.OK() : new Status(RaftError.EIO, "cannot add the meta snapshot"));
    } catch (IOException e) {
      done.run(new Status(RaftError.EIO, "meta snapshot failed: %s", e.getMessage()));
    }
  }

  @Override
  public boolean onSnapshotLoad(SnapshotReader reader) {
    try {
      ClusterState state = ClusterState.of(ClusterStateRecord.parseFrom(
          Files.readAllBytes(Path.of(reader.getPath(), SNAPSHOT_FILE))));
      stateMachine.restore(state);
      onChange.accept(state);
      return true;
    } catch (IOException e) {
      log.error("loading the meta snapshot failed", e);
      return false;
    }
  }

  @Override
  public void onLeaderStart(long term) {
    leader = true;
    onLeaderStart.run();
  }

  @Override
  public void onLeaderStop(Status status) {
    leader = false;
  }

  @Override
  public void onError(RaftException e) {
    log.error("meta raft group failed: {}", e.getStatus(), e);
  }

  boolean isLeader() {
    return leader;
  }

  ClusterState state() {
    return stateMachine.state();
  }

  static ByteBuffer encode(MembershipCommand command) {
    return ByteBuffer.wrap(command.toByteArray());
  }
}
