package io.raftcache.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Reads share ReadIndex rounds, but never one that started before they arrived. */
class ReadBarrierTest {
  private final List<CompletableFuture<Void>> rounds = new ArrayList<>();
  private final ReadBarrier barrier = new ReadBarrier(() -> {
    CompletableFuture<Void> round = new CompletableFuture<>();
    rounds.add(round);
    return round;
  });

  @Test
  void aReadOnAnIdlePartitionStartsARoundAtOnce() {
    CompletableFuture<Void> read = barrier.pass();

    assertThat(rounds).hasSize(1);
    rounds.get(0).complete(null);
    assertThat(read).isCompleted();
    assertThat(barrier.pass()).as("the next read starts a round of its own").isNotCompleted();
    assertThat(rounds).hasSize(2);
  }

  @Test
  void readsArrivingDuringARoundShareTheNextOneIssuedAfterIt() {
    CompletableFuture<Void> first = barrier.pass();
    CompletableFuture<Void> second = barrier.pass();
    CompletableFuture<Void> third = barrier.pass();
    assertThat(rounds).as("no second round while one is in flight").hasSize(1);

    rounds.get(0).complete(null);
    assertThat(first).isCompleted();
    assertThat(second).as("the round in flight began before this read").isNotCompleted();
    assertThat(rounds).hasSize(2);

    rounds.get(1).complete(null);
    assertThat(second).isCompleted();
    assertThat(third).isCompleted();
    assertThat(rounds).hasSize(2);
  }

  @Test
  void aFailedRoundFailsItsReadsAndTheNextReadTriesAgain() {
    CompletableFuture<Void> read = barrier.pass();
    rounds.get(0).completeExceptionally(new NotLeaderException(0, null));

    assertThat(read).isCompletedExceptionally();
    barrier.pass();
    assertThat(rounds).hasSize(2);
  }
}
