package io.raftcache.node.storage;

/** Opens the store of one partition. */
@FunctionalInterface
public interface PartitionStoreFactory {
  /** Opens (or creates) the store of {@code partition}, sized by {@code sizing}. */
  PartitionStore open(int partition, StoreSizing sizing);

  /** Stores mapped from files under {@code dir}, one Chronicle Map file per partition. */
  static PartitionStoreFactory chronicle(java.nio.file.Path dir) {
    return (partition, sizing) ->
        ChronicleMapPartitionStore.open(dir.resolve(String.format("p-%04d.cmap", partition)), sizing);
  }

  /** On-heap stores, for tests. */
  static PartitionStoreFactory inMemory() {
    return (partition, sizing) -> new InMemoryPartitionStore(sizing.entries());
  }
}
