package io.raftcache.proto;

/**
 * Maps a key hash to one of P partitions with Lamping and Veach's jump consistent hash.
 *
 * <p>Jump hash moves only 1/(P+1) of keys when P grows, needs no table, and is a few lines in any language;
 * the cluster fixes P at creation, so it never changes in practice, but clients can still route without
 * fetching anything but P.
 */
public final class Partitioning {
  /**
   * The partition count a cluster gets when none is given. Each partition is a raft group on every replica, and
   * an idle group still heartbeats: on the reference 2-core machine an idle 3-node cluster used 7% of the machine
   * at P=4, 14% at 16 and 27% at 64. Under write load the cost is per raft entry, and fewer groups put more
   * commands in each: P=8 did 1.5x the Set rate and 2.3x the SetMulti keys/s of P=16 (docs/benchmarks.md, run 14).
   * P=4 was faster still but leaves leaders 2/1/1 on three nodes; 8 gives 3/3/2, and 2/2/2/1/1 on five.
   */
  public static final int DEFAULT_PARTITION_COUNT = 8;

  private Partitioning() {}

  /** Returns the partition (0..partitionCount-1) of a 64-bit key hash. */
  public static int partition(long hash, int partitionCount) {
    if (partitionCount <= 0) {
      throw new IllegalArgumentException("partitionCount must be positive: " + partitionCount);
    }
    long key = hash;
    long bucket = -1;
    long jump = 0;
    while (jump < partitionCount) {
      bucket = jump;
      key = key * 2862933555777941757L + 1;
      jump = (long) ((bucket + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
    }
    return (int) bucket;
  }

  /** Returns the partition of a key in a namespace: {@code partition(KeyHashing.hash(namespace, key), P)}. */
  public static int partitionOf(String namespace, byte[] key, int partitionCount) {
    return partition(KeyHashing.hash(namespace, key), partitionCount);
  }
}
