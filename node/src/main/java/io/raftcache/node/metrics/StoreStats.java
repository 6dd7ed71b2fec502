package io.raftcache.node.metrics;

/**
 * A point-in-time summary of the node's stores.
 *
 * @param partitions partitions hosted
 * @param entries entries held, expired ones not yet swept included
 * @param storedBytes key plus encoded value bytes
 * @param offHeapBytes bytes Chronicle Map has mapped
 * @param budgetBytes the node's memory budget
 */
public record StoreStats(int partitions, long entries, long storedBytes, long offHeapBytes, long budgetBytes) {}
