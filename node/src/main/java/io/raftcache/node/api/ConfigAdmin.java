package io.raftcache.node.api;

import io.raftcache.node.security.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Configuration changes an operator makes through the Admin service (stored in PostgreSQL, each with its
 * config_history row). Each completes when stored, and fails with a {@code CacheException} of reason
 * CONFIG_UNAVAILABLE if the database cannot take it. A null argument leaves that setting as it is.
 */
public interface ConfigAdmin {
  /** Creates or changes {@code namespace}'s default TTL and encryption flag. */
  CompletableFuture<Void> setNamespace(String actor, String namespace, Duration defaultTtl, Boolean encrypted);

  /** Creates or changes {@code namespace}'s limits; 0 removes a limit. */
  CompletableFuture<Void> setNamespaceQuota(String actor, String namespace, Long maxEntries, Long maxBytes,
      Integer opsPerSecond);

  /** Changes a token's rate limit (0 removes it); completes with false if there is no such token. */
  CompletableFuture<Boolean> setTokenQuota(String actor, String token, int opsPerSecond);

  /** Stores a new token by the SHA-256 of its secret; fails with reason NAME_TAKEN if the name is taken. */
  CompletableFuture<Void> createToken(String actor, String name, byte[] secretSha256, Map<String, Role> grants,
      Instant expiresAt, int opsPerSecond);

  /** Revokes a token; completes with false if there is no such unrevoked token. */
  CompletableFuture<Boolean> revokeToken(String actor, String name);

  /** Records a new erasure request as PENDING; completes with its id. */
  CompletableFuture<Long> startErasure(String actor, String namespace, String tag, String requestId);

  /** Records how an erasure request ended: DONE with the count erased, or FAILED. */
  CompletableFuture<Void> finishErasure(long id, boolean done, long deletedCount);
}
