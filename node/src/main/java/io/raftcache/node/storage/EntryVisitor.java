package io.raftcache.node.storage;

/** Receives entries during a store scan. */
@FunctionalInterface
public interface EntryVisitor {
  /**
   * Called once per entry.
   *
   * @param key the store key (a copy the visitor may keep)
   * @param meta the entry header
   * @param storedBytes key plus encoded value bytes, what removing the entry frees from the budget
   */
  void visit(byte[] key, EntryMeta meta, int storedBytes);
}
