package io.raftcache.node.partition;

import io.raftcache.node.statemachine.Command;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.node.statemachine.PartitionStateMachine;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.StoredEntry;
import io.raftcache.proto.v1.Consistency;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A partition with a single replica: this node orders commands itself and applies them at once.
 *
 * <p>Every consistency level reads the local store, which is trivially linearizable with one replica.
 */
public final class LocalPartition implements Partition {
  private final int id;
  private final PartitionStateMachine stateMachine;
  private final ReservedIndexSequence sequence;

  /**
   * Creates the partition over an open store.
   *
   * @param sequenceFile where reserved log indexes are recorded (created if missing)
   */
  public LocalPartition(int id, PartitionStore store, Path sequenceFile) {
    this.id = id;
    this.stateMachine = new PartitionStateMachine(store);
    this.sequence = new ReservedIndexSequence(sequenceFile);
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public CompletableFuture<Outcome> propose(Command command) {
    Outcome outcome;
    synchronized (this) {
      outcome = stateMachine.apply(sequence.next(), command);
    }
    return CompletableFuture.completedFuture(outcome);
  }

  @Override
  public CompletableFuture<StoredEntry> read(byte[] key, Consistency consistency) {
    return CompletableFuture.completedFuture(stateMachine.store().get(key));
  }

  @Override
  public boolean isLeader() {
    return true;
  }

  @Override
  public PartitionStore store() {
    return stateMachine.store();
  }

  @Override
  public synchronized void close() {
    sequence.close();
    stateMachine.store().close();
  }
}
