package io.raftcache.node.storage;

/** The store scenarios on the on-heap reference store. */
class InMemoryPartitionStoreTest extends PartitionStoreScenarios {
  @Override
  protected PartitionStore openStore() {
    return new InMemoryPartitionStore(100_000);
  }
}
