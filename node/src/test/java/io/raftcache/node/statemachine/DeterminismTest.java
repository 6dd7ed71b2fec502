package io.raftcache.node.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcache.node.storage.ChronicleMapPartitionStore;
import io.raftcache.node.storage.EntryCodec;
import io.raftcache.node.storage.EntryMeta;
import io.raftcache.node.storage.InMemoryPartitionStore;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.StoreSizing;
import io.raftcache.node.storage.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Applying one command log to two different stores gives the same outcomes and the same entries. */
class DeterminismTest {
  @TempDir Path dir;

  @Test
  void theSameLogGivesTheSameOutcomesAndStoresOnChronicleAndTheReference() {
    List<Command> log = randomLog(new Random(7), 4000);
    try (PartitionStore chronicle = ChronicleMapPartitionStore.open(dir.resolve("a.cmap"),
        StoreSizing.plan(16L << 20, 32, 128, 64 << 10));
        PartitionStore reference = new InMemoryPartitionStore(100_000)) {
      PartitionStateMachine a = new PartitionStateMachine(chronicle);
      PartitionStateMachine b = new PartitionStateMachine(reference);
      for (int i = 0; i < log.size(); i++) {
        Outcome oa = a.apply(i + 1, log.get(i));
        Outcome ob = b.apply(i + 1, log.get(i));
        assertThat(describe(oa)).as("outcome of command %d: %s", i + 1, log.get(i)).isEqualTo(describe(ob));
      }
      assertThat(contents(chronicle)).isEqualTo(contents(reference));
      assertThat(chronicle.storedBytes()).isEqualTo(reference.storedBytes());
    }
  }

  static List<Command> randomLog(Random random, int size) {
    List<Command> log = new ArrayList<>();
    long now = 1_000_000;
    for (int i = 0; i < size; i++) {
      now += random.nextInt(50);
      byte[] key = ("ns\0k" + random.nextInt(200)).getBytes(StandardCharsets.UTF_8);
      byte[] value = ("v" + random.nextInt(5)).getBytes(StandardCharsets.UTF_8);
      long expireAt = random.nextInt(4) == 0 ? now + random.nextInt(500) : 0;
      log.add(switch (random.nextInt(9)) {
        case 0 -> new Put(key, value, expireAt, List.of("t" + random.nextInt(3)), random.nextBoolean(),
            0, now);
        case 1 -> new Put(key, value, expireAt, List.of(), false, random.nextInt(i + 1), now);
        case 2 -> new Delete(key, random.nextBoolean() ? 0 : random.nextInt(i + 1), now);
        case 3 -> new Touch(key, expireAt, now);
        case 4 -> new Increment(key, random.nextInt(10) - 5, random.nextInt(100), expireAt, now);
        case 5 -> new CompareAndSet(key, value, random.nextBoolean(), ("n" + i).getBytes(StandardCharsets.UTF_8),
            expireAt, List.of(), now);
        case 6 -> writeBatch(random, now, expireAt);
        case 7 -> commandBatch(random, i, now, expireAt);
        default -> new RemoveBatch(RemoveBatch.Cause.values()[random.nextInt(4)],
            List.of(new RemoveBatch.VersionedKey(key, random.nextInt(i + 1))), now);
      });
    }
    return log;
  }

  /** 2..6 single-key commands of every kind on distinct keys, as a leader merges waiting proposals. */
  private static CommandBatch commandBatch(Random random, int i, long now, long expireAt) {
    java.util.Set<Integer> keys = new java.util.LinkedHashSet<>();
    int size = 2 + random.nextInt(5);
    while (keys.size() < size) {
      keys.add(random.nextInt(200));
    }
    List<Command> commands = new ArrayList<>();
    for (int k : keys) {
      byte[] key = ("ns\0k" + k).getBytes(StandardCharsets.UTF_8);
      byte[] value = ("c" + random.nextInt(5)).getBytes(StandardCharsets.UTF_8);
      commands.add(switch (random.nextInt(6)) {
        case 0 -> new Put(key, value, expireAt, List.of("t" + random.nextInt(3)), random.nextBoolean(), 0, now);
        case 1 -> new Put(key, value, expireAt, List.of(), false, random.nextInt(i + 1), now);
        case 2 -> new Delete(key, random.nextBoolean() ? 0 : random.nextInt(i + 1), now);
        case 3 -> new Touch(key, expireAt, now);
        case 4 -> new Increment(key, random.nextInt(10) - 5, random.nextInt(100), expireAt, now);
        default -> new CompareAndSet(key, value, random.nextBoolean(), ("m" + i).getBytes(StandardCharsets.UTF_8),
            expireAt, List.of(), now);
      });
    }
    return new CommandBatch(commands);
  }

  /** 1..8 distinct keys, each set or removed. */
  private static WriteBatch writeBatch(Random random, long now, long expireAt) {
    java.util.Set<Integer> keys = new java.util.LinkedHashSet<>();
    int size = 1 + random.nextInt(8);
    while (keys.size() < size) {
      keys.add(random.nextInt(200));
    }
    List<WriteBatch.Write> writes = new ArrayList<>();
    for (int k : keys) {
      byte[] key = ("ns\0k" + k).getBytes(StandardCharsets.UTF_8);
      writes.add(random.nextInt(3) == 0
          ? new WriteBatch.RemoveKey(key)
          : new WriteBatch.SetValue(key, ("b" + random.nextInt(5)).getBytes(StandardCharsets.UTF_8), expireAt,
              random.nextBoolean() ? List.of() : List.of("t" + random.nextInt(3))));
    }
    return new WriteBatch(writes, now);
  }

  static String describe(Outcome o) {
    if (o instanceof Outcome.Batch b) {
      return "Batch" + b.outcomes().stream().map(DeterminismTest::describe).toList();
    }
    if (o instanceof Outcome.Unchanged u) {
      return "Unchanged(" + u.version() + "," + u.expireAtMillis() + "," + new String(u.currentValue(), StandardCharsets.UTF_8) + ")";
    }
    return o.toString();
  }

  static Map<String, String> contents(PartitionStore store) {
    Map<String, String> out = new TreeMap<>();
    store.scanAll((key, meta, size) -> {
      StoredEntry e = store.get(key);
      EntryMeta m = e.meta();
      out.put(new String(key, StandardCharsets.UTF_8),
          m + " " + new String(e.payload(), StandardCharsets.UTF_8) + " " + EntryCodec.encode(e).length);
    });
    return out;
  }
}
