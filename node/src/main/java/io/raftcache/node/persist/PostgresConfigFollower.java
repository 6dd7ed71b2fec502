package io.raftcache.node.persist;

import io.raftcache.node.config.LiveConfig;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NamespaceSettings;
import io.raftcache.node.security.ApiToken;
import io.raftcache.node.security.Role;
import io.raftcache.node.security.TokenTable;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the configuration in PostgreSQL: loads the namespaces' settings and the API tokens, then waits on
 * {@code LISTEN raftcache_config} (with a periodic re-read in case a notification was missed) and publishes
 * every change. Each configuration it loads is also written to a file in the data directory, which is read at
 * start-up, so a node starts with the last known configuration while PostgreSQL is down.
 *
 * <p>Settings from PostgreSQL override those given by flags for the same namespace. Tokens come only from
 * PostgreSQL (by the SHA-256 of their secrets).
 */
public final class PostgresConfigFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresConfigFollower.class);
  /** How long to wait for a notification before re-reading anyway. */
  static final Duration POLL = Duration.ofSeconds(30);
  private static final Duration RETRY = Duration.ofSeconds(5);

  private final DataSource database;
  private final ConfigCacheFile cache;
  private final NamespaceDefaults fromFlags;
  private final Consumer<LiveConfig> publish;
  private final Thread thread;
  private volatile boolean closed;
  private volatile LiveConfig last;

  /**
   * Publishes the cached configuration (if any) at once, then starts following the database.
   *
   * @param cacheFile where the last loaded configuration is kept
   * @param publish receives each new configuration (flags merged with the database)
   */
  public PostgresConfigFollower(DataSource database, Path cacheFile, NamespaceDefaults fromFlags,
      Consumer<LiveConfig> publish) {
    this.database = database;
    this.cache = new ConfigCacheFile(cacheFile);
    this.fromFlags = fromFlags;
    this.publish = publish;
    try {
      LiveConfig cached = cache.read();
      if (cached != null) {
        apply(cached);
        log.info("config: started with the last known configuration from {} ({} namespaces, {} tokens)", cacheFile,
            cached.namespaces().byName().size(), cached.tokens().size());
      }
    } catch (IOException | RuntimeException e) {
      log.warn("config: ignoring unreadable config cache {} ({})", cacheFile, e.getMessage());
    }
    this.thread = new Thread(this::follow, "raftcache-config-follower");
    thread.setDaemon(true);
    thread.start();
  }

  private void follow() {
    while (!closed) {
      try (Connection listen = database.getConnection()) {
        try (Statement s = listen.createStatement()) {
          s.execute("LISTEN raftcache_config");
        }
        reload(); // after LISTEN, so no change between the read and the subscription is missed
        PGConnection pg = listen.unwrap(PGConnection.class);
        while (!closed) {
          pg.getNotifications((int) POLL.toMillis()); // a notification, or the poll interval: re-read either way
          reload();
        }
      } catch (SQLException e) {
        if (!closed) {
          log.warn("config: PostgreSQL unavailable ({}); keeping the last known configuration, retrying in {} s",
              e.getMessage(), RETRY.toSeconds());
          sleepQuietly();
        }
      }
    }
  }

  private void reload() throws SQLException {
    LiveConfig loaded;
    try (Connection c = database.getConnection()) {
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // tokens and grants from one snapshot
      c.setAutoCommit(false);
      try {
        loaded = new LiveConfig(loadNamespaces(c), loadTokens(c));
      } finally {
        c.rollback();
        c.setAutoCommit(true);
        c.setReadOnly(false);
      }
    }
    if (apply(loaded)) {
      try {
        cache.write(loaded);
      } catch (IOException e) {
        log.warn("config: cannot write the config cache {} ({})", cache.path(), e.getMessage());
      }
      log.info("config: {} namespaces and {} tokens from PostgreSQL", loaded.namespaces().byName().size(),
          loaded.tokens().size());
    }
  }

  private static NamespaceDefaults loadNamespaces(Connection c) throws SQLException {
    Map<String, NamespaceSettings> namespaces = new HashMap<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT name, default_ttl_ms, max_entries, max_bytes, ops_per_second, encrypted FROM namespaces")) {
      while (r.next()) {
        namespaces.put(r.getString(1), new NamespaceSettings(Duration.ofMillis(r.getLong(2)), r.getLong(3),
            r.getLong(4), r.getInt(5), r.getBoolean(6)));
      }
    }
    return new NamespaceDefaults(namespaces);
  }

  private static TokenTable loadTokens(Connection c) throws SQLException {
    Map<Long, Map<String, Role>> grants = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT token_id, namespace, role FROM token_grants")) {
      while (r.next()) {
        grants.computeIfAbsent(r.getLong(1), id -> new HashMap<>()).put(r.getString(2), Role.parse(r.getString(3)));
      }
    }
    Map<String, ApiToken> tokens = new HashMap<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT id, name, token_sha256, expires_at, revoked_at, ops_per_second FROM api_tokens")) {
      while (r.next()) {
        tokens.put(HexFormat.of().formatHex(r.getBytes(3)), new ApiToken(r.getString(2),
            grants.getOrDefault(r.getLong(1), Map.of()), instant(r.getTimestamp(4)), instant(r.getTimestamp(5)),
            r.getInt(6)));
      }
    }
    return new TokenTable(tokens);
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  /** Publishes flags merged with {@code fromDatabase} if that differs from what was published; true if it did. */
  private boolean apply(LiveConfig fromDatabase) {
    LiveConfig next = new LiveConfig(fromFlags.overlaidBy(fromDatabase.namespaces()), fromDatabase.tokens());
    if (next.equals(last)) {
      return false;
    }
    last = next;
    publish.accept(next);
    return true;
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(RETRY.toMillis()); // back off before reconnecting to the database
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
