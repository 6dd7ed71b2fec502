package io.raftcache.node.statemachine;

import io.raftcache.node.storage.AccessTicks;
import io.raftcache.node.storage.EntryMeta;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.StoredEntry;
import io.raftcache.proto.v1.ErrorReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies commands to one partition's store, deterministically.
 *
 * <p>Apply reads no clock and no random source: "now" is the command's {@code proposedAtMillis}, and the version
 * of every value written is the log index it was applied at. So two stores that apply the same log end equal
 * (up to the leader-local access ticks), and conditional commands answer the same on every replica.
 */
public final class PartitionStateMachine implements CommandHandler<Outcome> {
  private static final byte[] EMPTY = new byte[0];

  private final PartitionStore store;

  /** Creates a state machine over {@code store}. */
  public PartitionStateMachine(PartitionStore store) {
    this.store = store;
  }

  /** Applies {@code command} at log {@code index}. */
  public Outcome apply(long index, Command command) {
    try {
      return command.dispatch(this, index);
    } catch (IllegalStateException | IllegalArgumentException e) {
      return storeFull(e);
    }
  }

  // Chronicle Map refuses an insert only past its hard limit or for an entry larger than a segment tier; eviction
  // keeps the store well below both, so this is the last line of defence, not a code path.
  private static Outcome.Rejected storeFull(RuntimeException e) {
    return new Outcome.Rejected(ErrorReason.STORE_FULL, "the partition store cannot take this entry: " + e.getMessage());
  }

  /** The store this state machine writes. */
  public PartitionStore store() {
    return store;
  }

  private EntryMeta live(byte[] key, long now) {
    EntryMeta meta = store.meta(key);
    return meta == null || meta.isExpiredAt(now) ? null : meta;
  }

  @Override
  public Outcome put(long index, Put c) {
    EntryMeta current = live(c.key(), c.proposedAtMillis());
    if (c.ifAbsent() && current != null) {
      return new Outcome.Unchanged(current.version(), current.expireAtMillis(), EMPTY);
    }
    if (c.ifVersion() != 0 && (current == null || current.version() != c.ifVersion())) {
      return current == null
          ? new Outcome.Unchanged(0, 0, EMPTY)
          : new Outcome.Unchanged(current.version(), current.expireAtMillis(), EMPTY);
    }
    write(index, c.key(), c.value(), c.expireAtMillis(), c.tags(), c.proposedAtMillis());
    return new Outcome.Written(index, c.expireAtMillis());
  }

  @Override
  public Outcome delete(long index, Delete c) {
    EntryMeta current = live(c.key(), c.proposedAtMillis());
    if (current == null) {
      store.remove(c.key()); // drops an expired entry the sweeper has not reached yet
      return new Outcome.Absent();
    }
    if (c.ifVersion() != 0 && current.version() != c.ifVersion()) {
      return new Outcome.Unchanged(current.version(), current.expireAtMillis(), EMPTY);
    }
    store.remove(c.key());
    return new Outcome.Deleted(current.version());
  }

  @Override
  public Outcome touch(long index, Touch c) {
    StoredEntry current = store.get(c.key());
    if (current == null || current.isExpiredAt(c.proposedAtMillis())) {
      return new Outcome.Absent();
    }
    EntryMeta meta = current.meta();
    store.put(c.key(), new StoredEntry(
        new EntryMeta(meta.version(), c.expireAtMillis(), meta.accessTick(), meta.tags()), current.payload()));
    return new Outcome.Touched(meta.version(), c.expireAtMillis());
  }

  @Override
  public Outcome increment(long index, Increment c) {
    StoredEntry current = store.get(c.key());
    boolean live = current != null && !current.isExpiredAt(c.proposedAtMillis());
    long base;
    long expireAt;
    List<String> tags;
    if (live) {
      Long parsed = parseDecimal(current.payload());
      if (parsed == null) {
        return new Outcome.Rejected(ErrorReason.NOT_AN_INTEGER, "the value is not a decimal 64-bit integer");
      }
      base = parsed;
      expireAt = current.meta().expireAtMillis();
      tags = current.meta().tags();
    } else {
      base = c.initial();
      expireAt = c.expireAtIfCreated();
      tags = List.of();
    }
    long result;
    try {
      result = Math.addExact(base, c.delta());
    } catch (ArithmeticException overflow) {
      return new Outcome.Rejected(ErrorReason.INTEGER_OVERFLOW, base + " + " + c.delta() + " overflows a 64-bit integer");
    }
    write(index, c.key(), Long.toString(result).getBytes(StandardCharsets.US_ASCII), expireAt, tags, c.proposedAtMillis());
    return new Outcome.Incremented(result, index, expireAt);
  }

  @Override
  public Outcome compareAndSet(long index, CompareAndSet c) {
    StoredEntry current = store.get(c.key());
    boolean live = current != null && !current.isExpiredAt(c.proposedAtMillis());
    if (c.expectAbsent() ? live : !live || !Arrays.equals(current.payload(), c.expectedValue())) {
      return live
          ? new Outcome.Unchanged(current.version(), current.meta().expireAtMillis(), current.payload())
          : new Outcome.Unchanged(0, 0, EMPTY);
    }
    write(index, c.key(), c.newValue(), c.expireAtMillis(), c.tags(), c.proposedAtMillis());
    return new Outcome.Written(index, c.expireAtMillis());
  }

  @Override
  public Outcome removeBatch(long index, RemoveBatch c) {
    int removed = 0;
    for (RemoveBatch.VersionedKey target : c.entries()) {
      EntryMeta current = store.meta(target.key());
      boolean matches = current != null && current.version() == target.version()
          && (c.cause() != RemoveBatch.Cause.EXPIRED || current.isExpiredAt(c.proposedAtMillis()));
      if (matches && store.remove(target.key())) {
        removed++;
      }
    }
    return new Outcome.Removed(c.cause(), removed);
  }

  @Override
  public Outcome writeBatch(long index, WriteBatch c) {
    // Every write of the batch is applied at the same index, so values written here share one version: the
    // version still names the log entry that last wrote the key, which is all compare-and-set needs.
    List<Outcome> outcomes = new ArrayList<>(c.writes().size());
    for (WriteBatch.Write w : c.writes()) {
      try {
        outcomes.add(apply(index, w, c.proposedAtMillis()));
      } catch (IllegalStateException | IllegalArgumentException e) {
        // A refusal touches only its own key (the store wrote nothing for it), so the writes before and after it
        // stand, as they would have as separate commands; the caller learns which key failed.
        outcomes.add(storeFull(e));
      }
    }
    return new Outcome.Batch(outcomes);
  }

  @Override
  public Outcome commandBatch(long index, CommandBatch c) {
    // Each command meets the state the ones before it left, as consecutive entries would; apply() refuses a
    // command the store cannot take alone, so the others stand.
    List<Outcome> outcomes = new ArrayList<>(c.commands().size());
    for (Command each : c.commands()) {
      outcomes.add(apply(index, each));
    }
    return new Outcome.Batch(outcomes);
  }

  private Outcome apply(long index, WriteBatch.Write w, long now) {
    if (w instanceof WriteBatch.SetValue set) {
      write(index, set.key(), set.value(), set.expireAtMillis(), set.tags(), now);
      return new Outcome.Written(index, set.expireAtMillis());
    }
    if (w instanceof WriteBatch.RemoveKey remove) {
      EntryMeta current = live(remove.key(), now);
      store.remove(remove.key()); // also drops an expired entry the sweeper has not reached yet
      return current == null ? new Outcome.Absent() : new Outcome.Deleted(current.version());
    }
    throw new AssertionError("unknown write " + w);
  }

  private void write(long index, byte[] key, byte[] value, long expireAt, List<String> tags, long now) {
    store.put(key, new StoredEntry(new EntryMeta(index, expireAt, AccessTicks.of(now), tags), value));
  }

  /** Parses an optionally signed ASCII decimal, or returns null if the bytes are not one 64-bit integer. */
  static Long parseDecimal(byte[] bytes) {
    if (bytes.length == 0 || bytes.length > 20) {
      return null;
    }
    try {
      return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
