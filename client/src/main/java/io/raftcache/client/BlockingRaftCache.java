package io.raftcache.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The blocking view of a {@link RaftCacheClient}: each method waits for the call (bounded by its deadline). */
public final class BlockingRaftCache {
  private final RaftCacheClient client;

  BlockingRaftCache(RaftCacheClient client) {
    this.client = client;
  }

  public Optional<CacheEntry> get(String key) {
    return await(client.get(key));
  }

  public Optional<String> getString(String key) {
    return await(client.get(key, ValueCodec.UTF8));
  }

  public long set(String key, byte[] value, SetOptions options) {
    return await(client.set(key, value, options));
  }

  public long setString(String key, String value, SetOptions options) {
    return await(client.set(key, value, ValueCodec.UTF8, options));
  }

  public boolean delete(String key) {
    return await(client.delete(key));
  }

  public long increment(String key, long delta) {
    return await(client.increment(key, delta));
  }

  public List<Optional<CacheEntry>> getMulti(List<String> keys) {
    return await(client.getMulti(keys));
  }

  public List<Long> setMulti(Map<String, byte[]> entries, Duration ttl) {
    return await(client.setMulti(entries, ttl));
  }

  public long deleteMulti(List<String> keys) {
    return await(client.deleteMulti(keys));
  }

  public long invalidateTag(String tag) {
    return await(client.invalidateTag(tag));
  }

  /** Waits for {@code call}; a failure is thrown as the client's own exception, not wrapped. */
  private static <T> T await(CompletableFuture<T> call) {
    try {
      return call.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }
}
