package io.raftcache.node.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcache.node.common.CacheException;
import io.raftcache.node.metrics.NodeMetrics;
import io.raftcache.node.metrics.StoreStats;
import io.raftcache.node.statemachine.Put;
import io.raftcache.node.storage.InMemoryPartitionStore;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.proto.v1.ErrorReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write's room is made on the eviction executor only when a round is due, and refused when it is full. */
class EvictionRoomTest {
  static final int CAPACITY = 100;
  static final long BUDGET = 1L << 20;

  @TempDir Path dir;
  final ArrayDeque<Runnable> queued = new ArrayDeque<>();
  final Executor manual = queued::add;

  LocalPartition partitionWith(int entries) {
    LocalPartition p = new LocalPartition(0, new InMemoryPartitionStore(CAPACITY), dir.resolve("seq"));
    for (int i = 0; i < entries; i++) {
      p.propose(new Put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[16], 0, List.of(), false, 0, 1_000))
          .join();
    }
    return p;
  }

  LruEviction eviction(Executor rounds) {
    NodeMetrics metrics = new NodeMetrics(() -> new StoreStats(0, 0, 0, 0, BUDGET), false);
    return new LruEviction(MemoryWatermarks.DEFAULT, BUDGET, 1, MutableClock.atStart(), metrics, rounds);
  }

  @Test
  void belowTheHighWatermarkTheWriteGoesOnAtOnceWithoutTheExecutor() {
    LocalPartition p = partitionWith(10);
    CompletableFuture<Void> room = eviction(manual).roomFor(p, 100, 1);
    assertThat(room).isCompleted();
    assertThat(queued).isEmpty();
  }

  @Test
  void pastTheHighWatermarkTheRoundRunsOnTheExecutorAndTheWriteWaitsForIt() {
    LocalPartition p = partitionWith(90); // 90 of 100 entries: past the 85% high watermark
    CompletableFuture<Void> room = eviction(manual).roomFor(p, 100, 1);
    assertThat(room).isNotDone();
    assertThat(p.store().entryCount()).isEqualTo(90);

    queued.poll().run();
    assertThat(room).isCompletedWithValue(null);
    assertThat(p.store().entryCount() + 1).isLessThanOrEqualTo((long) (CAPACITY * MemoryWatermarks.DEFAULT.low()));
  }

  @Test
  void aFullExecutorRefusesTheWriteAsPartitionBusyBeforeAnythingIsEvicted() {
    LocalPartition p = partitionWith(90);
    CompletableFuture<Void> room = eviction(task -> {
      throw new RejectedExecutionException("full");
    }).roomFor(p, 100, 1);
    assertThat(room).isCompletedExceptionally();
    assertThat(room.handle((ok, failure) -> failure).join()).isInstanceOfSatisfying(CacheException.class,
        e -> assertThat(e.reason()).isEqualTo(ErrorReason.PARTITION_BUSY));
    assertThat(p.store().entryCount()).isEqualTo(90);
  }
}
