package io.raftcache.node.storage;

/**
 * How one partition's store is sized.
 *
 * @param budgetBytes stored bytes (keys + encoded values) this partition may hold; eviction keeps it below
 * @param entries entry count the backing map is created for
 * @param averageKeyBytes expected key size, for Chronicle Map's layout
 * @param averageValueBytes expected encoded value size, for Chronicle Map's layout
 * @param maxValueBytes the largest encoded value the store must accept
 * @param segments Chronicle Map segments; few enough that one segment tier holds a maximum-size value
 */
public record StoreSizing(
    long budgetBytes,
    long entries,
    int averageKeyBytes,
    int averageValueBytes,
    int maxValueBytes,
    int segments) {

  /** Slack Chronicle Map gets beyond {@code entries} (extra tiers) for skew and fragmentation. */
  public static final double MAX_BLOAT_FACTOR = 4.0;

  /**
   * Plans one partition's share of a node's memory budget.
   *
   * @param partitionBudgetBytes bytes this partition may store
   * @param averageKeyBytes expected key size (namespace included)
   * @param averageValueBytes expected value size
   * @param maxValueBytes the node's value limit; a value this large must fit below the low watermark (70% of
   *     the partition budget), or eviction could not make room for it
   */
  public static StoreSizing plan(
      long partitionBudgetBytes, int averageKeyBytes, int averageValueBytes, int maxValueBytes) {
    int encodedMax = maxValueBytes + EntryCodec.HEADER_BYTES + 16 * 130;
    if (partitionBudgetBytes * 0.7 < encodedMax) {
      throw new IllegalArgumentException(
          "each partition gets " + partitionBudgetBytes + " bytes of the memory budget (--max-memory / partitions),"
              + " too little to hold the largest value (" + maxValueBytes + " bytes) below the eviction watermark:"
              + " raise --max-memory, or lower --max-value-bytes or --partitions");
    }
    int averageEncoded = averageValueBytes + EntryCodec.HEADER_BYTES;
    long entries = Math.max(1024, partitionBudgetBytes / (averageKeyBytes + averageEncoded));
    // Chronicle Map keeps an entry in contiguous chunks of one segment tier, so a tier must hold the largest
    // value: fewer, larger segments for big values (measured: 16 MiB with 8 MiB values needs <= 2 segments).
    long segmentsThatFit = Math.max(1, partitionBudgetBytes / (2L * encodedMax));
    int segments = Integer.highestOneBit((int) Math.min(64, segmentsThatFit));
    return new StoreSizing(partitionBudgetBytes, entries, averageKeyBytes, averageEncoded, encodedMax, segments);
  }
}
