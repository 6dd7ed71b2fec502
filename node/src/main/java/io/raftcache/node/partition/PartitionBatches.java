package io.raftcache.node.partition;

import io.raftcache.node.statemachine.WriteBatch;
import io.raftcache.node.storage.EntryCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan of a multi-key write: one {@link WriteBatch} per partition the keys route to (more when one would exceed
 * {@link WriteBatch#MAX_WRITES} writes or {@link WriteBatch#TARGET_BYTES}), each remembering where its writes
 * stand in the request.
 */
final class PartitionBatches {
  private PartitionBatches() {}

  /**
   * One proposal of the plan.
   *
   * @param partition where it is proposed
   * @param command the batch
   * @param positions for each write of the batch, its index in the request
   * @param newEntries how many writes store a value (what eviction must make room for)
   * @param newBytes the stored bytes those values take
   */
  record Planned(Partition partition, WriteBatch command, int[] positions, int newEntries, long newBytes) {}

  /** Groups {@code writes} (store keys, in request order) by partition. */
  static List<Planned> plan(PartitionSet partitions, List<WriteBatch.Write> writes, long proposedAtMillis) {
    Map<Partition, List<Integer>> byPartition = new LinkedHashMap<>();
    for (int i = 0; i < writes.size(); i++) {
      byPartition.computeIfAbsent(partitions.forKey(writes.get(i).key()), p -> new ArrayList<>()).add(i);
    }
    List<Planned> plan = new ArrayList<>(byPartition.size());
    byPartition.forEach((partition, positions) -> {
      int from = 0;
      long bytes = 0;
      for (int j = 0; j < positions.size(); j++) {
        long size = bytes(writes.get(positions.get(j)));
        boolean full = j - from == WriteBatch.MAX_WRITES || (j > from && bytes + size > WriteBatch.TARGET_BYTES);
        if (full) {
          plan.add(planned(partition, writes, positions.subList(from, j), proposedAtMillis));
          from = j;
          bytes = 0;
        }
        bytes += size;
      }
      plan.add(planned(partition, writes, positions.subList(from, positions.size()), proposedAtMillis));
    });
    return plan;
  }

  /** The stored bytes of one entry: key, header, tags and value, as eviction counts them. */
  static long entryBytes(int keyBytes, int valueBytes, List<String> tags) {
    long tagBytes = 0;
    for (String tag : tags) {
      tagBytes += 1 + tag.length() * 3L; // a UTF-8 char takes at most 3 bytes here: an upper bound is enough
    }
    return keyBytes + EntryCodec.HEADER_BYTES + tagBytes + valueBytes;
  }

  private static long bytes(WriteBatch.Write write) {
    return write instanceof WriteBatch.SetValue set
        ? entryBytes(set.key().length, set.value().length, set.tags())
        : write.key().length;
  }

  private static Planned planned(
      Partition partition, List<WriteBatch.Write> writes, List<Integer> positions, long proposedAtMillis) {
    List<WriteBatch.Write> batch = new ArrayList<>(positions.size());
    int[] at = new int[positions.size()];
    int newEntries = 0;
    long newBytes = 0;
    for (int j = 0; j < at.length; j++) {
      at[j] = positions.get(j);
      WriteBatch.Write write = writes.get(at[j]);
      batch.add(write);
      if (write instanceof WriteBatch.SetValue) {
        newEntries++;
        newBytes += bytes(write);
      }
    }
    return new Planned(partition, new WriteBatch(batch, proposedAtMillis), at, newEntries, newBytes);
  }
}
