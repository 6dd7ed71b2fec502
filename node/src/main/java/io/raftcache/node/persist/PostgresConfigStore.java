package io.raftcache.node.persist;

import com.google.gson.JsonObject;
import io.raftcache.node.api.ConfigAdmin;
import io.raftcache.node.common.CacheException;
import io.raftcache.proto.v1.ErrorReason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Writes configuration changes to PostgreSQL, each in one transaction with its {@code config_history} row (who,
 * what, old and new value). The tables' triggers then notify every node, which follows the change.
 */
public final class PostgresConfigStore implements ConfigAdmin {
  private final DataSource database;
  private final Executor executor;

  /** @param executor where the blocking JDBC work runs (never a gRPC or raft thread) */
  public PostgresConfigStore(DataSource database, Executor executor) {
    this.database = database;
    this.executor = executor;
  }

  @Override
  public CompletableFuture<Void> setNamespace(String actor, String namespace, Duration defaultTtl) {
    return CompletableFuture.runAsync(() -> {
      try (Connection c = database.getConnection()) {
        c.setAutoCommit(false);
        try {
          Long old = null;
          try (PreparedStatement s = c.prepareStatement(
              "SELECT default_ttl_ms FROM namespaces WHERE name = ? FOR UPDATE")) {
            s.setString(1, namespace);
            try (ResultSet r = s.executeQuery()) {
              if (r.next()) {
                old = r.getLong(1);
              }
            }
          }
          try (PreparedStatement s = c.prepareStatement("INSERT INTO namespaces (name, default_ttl_ms) VALUES (?, ?)"
              + " ON CONFLICT (name) DO UPDATE SET default_ttl_ms = excluded.default_ttl_ms, updated_at = now()")) {
            s.setString(1, namespace);
            s.setLong(2, defaultTtl.toMillis());
            s.executeUpdate();
          }
          try (PreparedStatement s = c.prepareStatement("INSERT INTO config_history (actor, entity, entity_key,"
              + " old_value, new_value) VALUES (?, 'namespace', ?, ?::jsonb, ?::jsonb)")) {
            s.setString(1, actor);
            s.setString(2, namespace);
            s.setString(3, old == null ? null : ttlJson(old));
            s.setString(4, ttlJson(defaultTtl.toMillis()));
            s.executeUpdate();
          }
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        throw new CacheException(ErrorReason.CONFIG_UNAVAILABLE,
            "the config database did not take the change: " + e.getMessage());
      }
    }, executor);
  }

  private static String ttlJson(long millis) {
    JsonObject json = new JsonObject();
    json.addProperty("default_ttl_ms", millis);
    return json.toString();
  }
}
