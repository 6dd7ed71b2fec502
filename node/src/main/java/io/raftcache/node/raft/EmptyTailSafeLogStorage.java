package io.raftcache.node.raft;

import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;

/**
 * jraft's RocksDB log storage, except that truncating a suffix that is already gone succeeds.
 *
 * <p>jraft 1.3.15 truncates with {@code deleteRange(lastIndexKept + 1, lastLogIndex + 1)}. When a snapshot has just
 * truncated the log's prefix and a new leader asks a follower to drop entries it no longer has (lastIndexKept at
 * or past the last index), that range is empty with its end before its start; RocksDB refuses it and the group
 * falls into STATE_ERROR for good. Seen in {@code SnapshotInstallIT} under load; Apache Ignite fixed the same code
 * in its fork (IGNITE-25837).
 */
final class EmptyTailSafeLogStorage extends RocksDBLogStorage {
  EmptyTailSafeLogStorage(String path, RaftOptions options) {
    super(path, options);
  }

  @Override
  public boolean truncateSuffix(long lastIndexKept) {
    if (lastIndexKept >= getLastLogIndex()) {
      return true; // nothing after lastIndexKept: the suffix is already gone
    }
    return super.truncateSuffix(lastIndexKept);
  }
}
