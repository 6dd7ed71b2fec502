package io.raftcache.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import io.raftcache.node.common.CacheException;
import io.raftcache.node.statemachine.Command;
import io.raftcache.node.statemachine.CommandBatch;
import io.raftcache.node.statemachine.CommandCodec;
import io.raftcache.node.statemachine.Delete;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.node.statemachine.Put;
import io.raftcache.node.statemachine.WriteBatch;
import io.raftcache.proto.v1.ErrorReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Proposals that wait behind entries in flight go to raft together, in order, one write per key per entry. */
class ProposalCoalescerTest {
  /** The entries handed to "raft", each with the future the test completes as raft would. */
  private final List<byte[]> entries = new ArrayList<>();
  private final List<CompletableFuture<Outcome>> inRaft = new ArrayList<>();
  private final CollectorRegistry registry = new CollectorRegistry();

  private ProposalCoalescer coalescer(int maxInFlight, long maxQueuedBytes) {
    return new ProposalCoalescer(3, maxInFlight, maxQueuedBytes, entry -> {
      CompletableFuture<Outcome> applied = new CompletableFuture<>();
      entries.add(entry);
      inRaft.add(applied);
      return applied;
    }, new RaftMetrics(registry));
  }

  @Test
  void aProposalWithRoomInFlightGoesAtOnceAloneAndInItsOwnForm() {
    ProposalCoalescer coalescer = coalescer(2, 1 << 20);
    Put first = put("a");
    Put second = put("b");
    CompletableFuture<Outcome> one = coalescer.propose(first);
    CompletableFuture<Outcome> two = coalescer.propose(second);

    assertThat(entries).containsExactly(CommandCodec.encode(first), CommandCodec.encode(second));
    inRaft.get(1).complete(new Outcome.Written(8, 0));
    assertThat(two).isCompletedWithValue(new Outcome.Written(8, 0));
    assertThat(one).isNotDone();
  }

  @Test
  void proposalsThatWaitGoAsOneBatchInArrivalOrderAndEachGetsItsOwnOutcome() {
    ProposalCoalescer coalescer = coalescer(1, 1 << 20);
    CompletableFuture<Outcome> first = coalescer.propose(put("a"));
    List<CompletableFuture<Outcome>> waiting = new ArrayList<>();
    for (String k : List.of("b", "c", "d")) {
      waiting.add(coalescer.propose(put(k)));
    }
    assertThat(entries).hasSize(1);
    assertThat(coalescer.queued()).isEqualTo(3);

    inRaft.get(0).complete(new Outcome.Written(5, 0));

    assertThat(first).isCompletedWithValue(new Outcome.Written(5, 0));
    assertThat(entries).hasSize(2);
    CommandBatch batch = (CommandBatch) CommandCodec.decode(entries.get(1));
    assertThat(batch.commands()).extracting(c -> new String(((Put) c).key(), StandardCharsets.UTF_8))
        .containsExactly("ns\0b", "ns\0c", "ns\0d");
    inRaft.get(1).complete(new Outcome.Batch(List.of(
        new Outcome.Written(6, 0), new Outcome.Absent(), new Outcome.Written(6, 7))));
    assertThat(waiting.get(0)).isCompletedWithValue(new Outcome.Written(6, 0));
    assertThat(waiting.get(1)).isCompletedWithValue(new Outcome.Absent());
    assertThat(waiting.get(2)).isCompletedWithValue(new Outcome.Written(6, 7));
    assertThat(coalescer.queued()).isZero();
    assertThat(registry.getSampleValue("raftcache_raft_entry_commands_sum")).isEqualTo(4.0);
  }

  @Test
  void aKeyAlreadyInTheEntryStartsTheNextOneSoEachWriteHasAVersionOfItsOwn() {
    ProposalCoalescer coalescer = coalescer(1, 1 << 20);
    coalescer.propose(put("x"));
    coalescer.propose(put("a"));
    coalescer.propose(new WriteBatch(List.of(new WriteBatch.RemoveKey(key("b")), new WriteBatch.RemoveKey(key("c"))), 1));
    coalescer.propose(new Delete(key("c"), 0, 1)); // same key as the write batch: next entry
    coalescer.propose(put("d"));

    inRaft.get(0).complete(new Outcome.Written(1, 0));
    assertThat(((CommandBatch) CommandCodec.decode(entries.get(1))).commands()).hasSize(2);
    inRaft.get(1).complete(new Outcome.Batch(List.of(new Outcome.Written(2, 0), new Outcome.Batch(List.of()))));
    List<Command> third = ((CommandBatch) CommandCodec.decode(entries.get(2))).commands();
    assertThat(third.get(0)).isInstanceOf(Delete.class);
    assertThat(((Put) third.get(1)).key()).isEqualTo(key("d"));
  }

  @Test
  void anEntryStaysUnderTheTargetSizeButALargeCommandStillGoesAlone() {
    ProposalCoalescer coalescer = coalescer(1, 64 << 20);
    coalescer.propose(put("x"));
    int big = (int) (WriteBatch.TARGET_BYTES * 2 / 3);
    coalescer.propose(put("a", big));
    coalescer.propose(put("b", big));
    coalescer.propose(put("c", (int) WriteBatch.TARGET_BYTES * 2));

    inRaft.get(0).complete(new Outcome.Written(1, 0));
    inRaft.get(1).complete(new Outcome.Written(2, 0));
    inRaft.get(2).complete(new Outcome.Written(3, 0));

    assertThat(entries).hasSize(4);
    assertThat(CommandCodec.decode(entries.get(1))).isInstanceOf(Put.class);
    assertThat(CommandCodec.decode(entries.get(2))).isInstanceOf(Put.class);
    assertThat(CommandCodec.decode(entries.get(3))).isInstanceOf(Put.class);
  }

  @Test
  void aFullQueueRefusesWithPartitionBusyAndProposesNothing() {
    ProposalCoalescer coalescer = coalescer(1, 3_000);
    coalescer.propose(put("x"));
    CompletableFuture<Outcome> queued = coalescer.propose(put("a", 2_000));
    CompletableFuture<Outcome> refused = coalescer.propose(put("b", 2_000));

    assertThat(refused).isCompletedExceptionally();
    assertThat(refused.handle((v, t) -> t).join()).isInstanceOfSatisfying(CacheException.class,
        e -> assertThat(e.reason()).isEqualTo(ErrorReason.PARTITION_BUSY));
    inRaft.get(0).complete(new Outcome.Written(1, 0));
    assertThat(entries).hasSize(2);
    assertThat(queued).isNotDone();
  }

  @Test
  void losingLeadershipFailsEveryWaitingProposalWithoutProposingIt() {
    List<byte[]> submitted = new ArrayList<>();
    CompletableFuture<Outcome> first = new CompletableFuture<>();
    boolean[] leader = {true};
    ProposalCoalescer coalescer = new ProposalCoalescer(3, 1, 1 << 20, entry -> {
      if (!leader[0]) {
        return CompletableFuture.failedFuture(new NotLeaderException(3, "n2"));
      }
      submitted.add(entry);
      return first;
    }, new RaftMetrics(registry));
    coalescer.propose(put("x"));
    CompletableFuture<Outcome> a = coalescer.propose(put("a"));
    CompletableFuture<Outcome> b = coalescer.propose(put("b"));
    leader[0] = false;

    first.completeExceptionally(new AmbiguousProposalException("term changed"));

    assertThat(a.handle((v, t) -> t).join()).isInstanceOf(NotLeaderException.class);
    assertThat(b.handle((v, t) -> t).join()).isInstanceOf(NotLeaderException.class);
    assertThat(submitted).hasSize(1);
    assertThat(coalescer.queued()).isZero();
  }

  private static Put put(String k) {
    return put(k, 4);
  }

  private static Put put(String k, int valueBytes) {
    return new Put(key(k), new byte[valueBytes], 0, List.of(), false, 0, 1_000);
  }

  private static byte[] key(String k) {
    return ("ns\0" + k).getBytes(StandardCharsets.UTF_8);
  }
}
