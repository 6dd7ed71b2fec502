package io.raftcache.node.common;

/**
 * The size and count limits every request is checked against before anything is stored.
 *
 * @param maxKeyBytes longest key
 * @param maxValueBytes longest value
 * @param maxBatchKeys most keys in one multi-key request
 * @param maxTags most tags on one entry
 * @param maxTagBytes longest tag, in UTF-8 bytes
 * @param maxTtlMillis longest time to live
 */
public record Limits(
    int maxKeyBytes, int maxValueBytes, int maxBatchKeys, int maxTags, int maxTagBytes, long maxTtlMillis) {

  /** The longest key, fixed by the protocol. */
  public static final int MAX_KEY_BYTES = 4096;
  /** The default value limit: 8 MiB. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 8 * 1024 * 1024;
  /** The most keys in one batch, fixed by the protocol. */
  public static final int MAX_BATCH_KEYS = 1000;
  /** Ten years. */
  public static final long MAX_TTL_MILLIS = 315_360_000_000L;

  /** The protocol's limits with the given value limit. */
  public static Limits withMaxValueBytes(int maxValueBytes) {
    return new Limits(MAX_KEY_BYTES, maxValueBytes, MAX_BATCH_KEYS, 16, 128, MAX_TTL_MILLIS);
  }
}
