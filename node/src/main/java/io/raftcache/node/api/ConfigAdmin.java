package io.raftcache.node.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Configuration changes an operator makes through the Admin service (stored in PostgreSQL). */
public interface ConfigAdmin {
  /**
   * Creates or changes {@code namespace}'s default TTL, recording who changed what; completes when stored.
   * Fails with a {@code CacheException} of reason CONFIG_UNAVAILABLE if the database cannot take it.
   */
  CompletableFuture<Void> setNamespace(String actor, String namespace, Duration defaultTtl);
}
