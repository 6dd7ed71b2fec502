package io.raftcache.node.persist;

import io.raftcache.node.api.ConfigAdmin;
import io.raftcache.node.common.CacheException;
import io.raftcache.node.security.Role;
import io.raftcache.proto.v1.ErrorReason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Writes configuration changes to PostgreSQL, each in one transaction with its {@code config_history} row (who,
 * what, the row before and after). The tables' triggers then notify every node, which follows the change.
 * Token history rows never hold the secret's digest.
 */
public final class PostgresConfigStore implements ConfigAdmin {
  /** SQL-state of a unique-constraint violation. */
  private static final String UNIQUE_VIOLATION = "23505";
  private final DataSource database;
  private final Executor executor;

  /** @param executor where the blocking JDBC work runs (never a gRPC or raft thread) */
  public PostgresConfigStore(DataSource database, Executor executor) {
    this.database = database;
    this.executor = executor;
  }

  @Override
  public CompletableFuture<Void> setNamespace(String actor, String namespace, Duration defaultTtl, Boolean encrypted) {
    return inTransaction(c -> {
      String old = rowJson(c, "SELECT to_jsonb(n) FROM namespaces n WHERE name = ? FOR UPDATE", namespace);
      String now;
      try (PreparedStatement s = c.prepareStatement("INSERT INTO namespaces AS n (name, default_ttl_ms, encrypted)"
          + " VALUES (?, COALESCE(?, 0), COALESCE(?, false)) ON CONFLICT (name) DO UPDATE SET"
          + " default_ttl_ms = COALESCE(?, n.default_ttl_ms), encrypted = COALESCE(?, n.encrypted), updated_at = now()"
          + " RETURNING to_jsonb(n)")) {
        s.setString(1, namespace);
        setLong(s, 2, defaultTtl == null ? null : defaultTtl.toMillis());
        setBoolean(s, 3, encrypted);
        setLong(s, 4, defaultTtl == null ? null : defaultTtl.toMillis());
        setBoolean(s, 5, encrypted);
        now = single(s);
      }
      history(c, actor, "namespace", namespace, old, now);
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> setNamespaceQuota(String actor, String namespace, Long maxEntries, Long maxBytes,
      Integer opsPerSecond) {
    return inTransaction(c -> {
      String old = rowJson(c, "SELECT to_jsonb(n) FROM namespaces n WHERE name = ? FOR UPDATE", namespace);
      String now;
      // 0 removes a limit (stored as NULL); a null argument keeps the current value.
      try (PreparedStatement s = c.prepareStatement("INSERT INTO namespaces AS n (name, max_entries, max_bytes,"
          + " ops_per_second) VALUES (?, NULLIF(?, 0), NULLIF(?, 0), NULLIF(?, 0)) ON CONFLICT (name) DO UPDATE SET"
          + " max_entries = CASE WHEN ? THEN NULLIF(?, 0) ELSE n.max_entries END,"
          + " max_bytes = CASE WHEN ? THEN NULLIF(?, 0) ELSE n.max_bytes END,"
          + " ops_per_second = CASE WHEN ? THEN NULLIF(?, 0) ELSE n.ops_per_second END,"
          + " updated_at = now() RETURNING to_jsonb(n)")) {
        s.setString(1, namespace);
        s.setLong(2, maxEntries == null ? 0 : maxEntries);
        s.setLong(3, maxBytes == null ? 0 : maxBytes);
        s.setInt(4, opsPerSecond == null ? 0 : opsPerSecond);
        s.setBoolean(5, maxEntries != null);
        s.setLong(6, maxEntries == null ? 0 : maxEntries);
        s.setBoolean(7, maxBytes != null);
        s.setLong(8, maxBytes == null ? 0 : maxBytes);
        s.setBoolean(9, opsPerSecond != null);
        s.setInt(10, opsPerSecond == null ? 0 : opsPerSecond);
        now = single(s);
      }
      history(c, actor, "namespace", namespace, old, now);
      return null;
    });
  }

  @Override
  public CompletableFuture<Boolean> setTokenQuota(String actor, String token, int opsPerSecond) {
    return inTransaction(c -> updateToken(c, actor, token, "", "ops_per_second = NULLIF(?, 0)", opsPerSecond));
  }

  @Override
  public CompletableFuture<Void> createToken(String actor, String name, byte[] secretSha256, Map<String, Role> grants,
      Instant expiresAt, int opsPerSecond) {
    return inTransaction(c -> {
      long id;
      try (PreparedStatement s = c.prepareStatement("INSERT INTO api_tokens (name, token_sha256, ops_per_second,"
          + " expires_at) VALUES (?, ?, NULLIF(?, 0), ?) RETURNING id")) {
        s.setString(1, name);
        s.setBytes(2, secretSha256);
        s.setInt(3, opsPerSecond);
        s.setTimestamp(4, expiresAt == null ? null : Timestamp.from(expiresAt));
        try (ResultSet r = s.executeQuery()) {
          r.next();
          id = r.getLong(1);
        }
      } catch (SQLException e) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw new CacheException(ErrorReason.NAME_TAKEN, "a token named '" + name + "' exists; revoke it or"
              + " choose another name");
        }
        throw e;
      }
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO token_grants (token_id, namespace, role) VALUES (?, ?, ?)")) {
        for (Map.Entry<String, Role> grant : grants.entrySet()) {
          s.setLong(1, id);
          s.setString(2, grant.getKey());
          s.setString(3, grant.getValue().label());
          s.addBatch();
        }
        s.executeBatch();
      }
      String now = rowJson(c, "SELECT (to_jsonb(t) - 'token_sha256') || jsonb_build_object('grants',"
          + " (SELECT jsonb_object_agg(namespace, role) FROM token_grants WHERE token_id = t.id))"
          + " FROM api_tokens t WHERE name = ?", name);
      history(c, actor, "token", name, null, now);
      return null;
    });
  }

  @Override
  public CompletableFuture<Boolean> revokeToken(String actor, String name) {
    return inTransaction(c -> updateToken(c, actor, name, " AND revoked_at IS NULL", "revoked_at = now()"));
  }

  /**
   * Changes token {@code name}, if it exists and matches {@code condition} (an SQL suffix for the WHERE clause),
   * with {@code assignments} and their {@code parameters}, and records the change; false if no token matched.
   * Both SQL pieces are constants of this class, never caller input.
   */
  private static boolean updateToken(Connection c, String actor, String name, String condition, String assignments,
      Object... parameters) throws SQLException {
    String old = rowJson(c, "SELECT to_jsonb(t) - 'token_sha256' FROM api_tokens t WHERE name = ?" + condition
        + " FOR UPDATE", name);
    if (old == null) {
      return false;
    }
    String now;
    try (PreparedStatement s = c.prepareStatement("UPDATE api_tokens t SET " + assignments + " WHERE name = ?"
        + " RETURNING to_jsonb(t) - 'token_sha256'")) {
      for (int i = 0; i < parameters.length; i++) {
        s.setObject(i + 1, parameters[i]);
      }
      s.setString(parameters.length + 1, name);
      now = single(s);
    }
    history(c, actor, "token", name, old, now);
    return true;
  }

  @Override
  public CompletableFuture<Long> startErasure(String actor, String namespace, String tag, String requestId) {
    return inTransaction(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO erasure_requests (actor, namespace, tag, request_id)"
          + " VALUES (?, ?, ?, ?) RETURNING id")) {
        s.setString(1, actor);
        s.setString(2, namespace);
        s.setString(3, tag);
        s.setString(4, requestId);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          return r.getLong(1);
        }
      }
    });
  }

  @Override
  public CompletableFuture<Void> finishErasure(long id, boolean done, long deletedCount) {
    return inTransaction(c -> {
      try (PreparedStatement s = c.prepareStatement("UPDATE erasure_requests SET status = ?, completed_at = now(),"
          + " deleted_count = ? WHERE id = ?")) {
        s.setString(1, done ? "DONE" : "FAILED");
        setLong(s, 2, done ? deletedCount : null);
        s.setLong(3, id);
        s.executeUpdate();
      }
      return null;
    });
  }

  /** One unit of work on a connection inside a transaction. */
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> CompletableFuture<T> inTransaction(Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = database.getConnection()) {
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        throw new CacheException(ErrorReason.CONFIG_UNAVAILABLE,
            "the config database did not take the change: " + e.getMessage());
      }
    }, executor);
  }

  private static String rowJson(Connection c, String sql, String key) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, key);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getString(1) : null;
      }
    }
  }

  private static String single(PreparedStatement s) throws SQLException {
    try (ResultSet r = s.executeQuery()) {
      r.next();
      return r.getString(1);
    }
  }

  private static void history(Connection c, String actor, String entity, String key, String oldJson, String newJson)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO config_history (actor, entity, entity_key, old_value,"
        + " new_value) VALUES (?, ?, ?, ?::jsonb, ?::jsonb)")) {
      s.setString(1, actor);
      s.setString(2, entity);
      s.setString(3, key);
      s.setString(4, oldJson);
      s.setString(5, newJson);
      s.executeUpdate();
    }
  }

  private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.BIGINT);
    } else {
      s.setLong(index, value);
    }
  }

  private static void setBoolean(PreparedStatement s, int index, Boolean value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.BOOLEAN);
    } else {
      s.setBoolean(index, value);
    }
  }
}
