package io.raftcache.node.storage;

/** Opens the store of one partition. */
@FunctionalInterface
public interface PartitionStoreFactory {
  /** Opens (or creates) the store of {@code partition}, sized by {@code sizing}. */
  PartitionStore open(int partition, StoreSizing sizing);

  /** Deletes what {@code partition}'s closed store left behind (its file), when this node no longer hosts it. */
  default void discard(int partition) {}

  /** Stores mapped from files under {@code dir}, one Chronicle Map file per partition. */
  static PartitionStoreFactory chronicle(java.nio.file.Path dir) {
    return new PartitionStoreFactory() {
      @Override
      public PartitionStore open(int partition, StoreSizing sizing) {
        return ChronicleMapPartitionStore.open(file(partition), sizing);
      }

      @Override
      public void discard(int partition) {
        try {
          java.nio.file.Files.deleteIfExists(file(partition));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException("cannot delete " + file(partition), e);
        }
      }

      private java.nio.file.Path file(int partition) {
        return dir.resolve(String.format("p-%04d.cmap", partition));
      }
    };
  }

  /** On-heap stores, for tests. */
  static PartitionStoreFactory inMemory() {
    return (partition, sizing) -> new InMemoryPartitionStore(sizing.entries());
  }
}
