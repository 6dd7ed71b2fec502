package io.raftcache.node.persist;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.raftcache.node.config.NamespaceDefaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the configuration in PostgreSQL: loads the namespaces' settings, then waits on
 * {@code LISTEN raftcache_config} (with a periodic re-read in case a notification was missed) and publishes
 * every change. Each configuration it loads is also written to a file in the data directory, which is read at
 * start-up, so a node starts with the last known configuration while PostgreSQL is down.
 *
 * <p>Settings from PostgreSQL override those given by flags for the same namespace.
 */
public final class PostgresConfigFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresConfigFollower.class);
  /** How long to wait for a notification before re-reading anyway. */
  static final Duration POLL = Duration.ofSeconds(30);
  private static final Duration RETRY = Duration.ofSeconds(5);

  private final DataSource database;
  private final Path cacheFile;
  private final NamespaceDefaults fromFlags;
  private final Consumer<NamespaceDefaults> publish;
  private final Thread thread;
  private volatile boolean closed;
  private volatile NamespaceDefaults last;

  /**
   * Publishes the cached configuration (if any) at once, then starts following the database.
   *
   * @param cacheFile where the last loaded configuration is kept
   * @param publish receives each new configuration (flags merged with the database)
   */
  public PostgresConfigFollower(DataSource database, Path cacheFile, NamespaceDefaults fromFlags,
      Consumer<NamespaceDefaults> publish) {
    this.database = database;
    this.cacheFile = cacheFile;
    this.fromFlags = fromFlags;
    this.publish = publish;
    Map<String, Duration> cached = readCache();
    if (cached != null) {
      apply(cached);
      log.info("config: started with the last known configuration from {} ({} namespaces)", cacheFile, cached.size());
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
    Map<String, Duration> ttls = new HashMap<>();
    try (Connection c = database.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT name, default_ttl_ms FROM namespaces")) {
      while (r.next()) {
        if (r.getLong(2) > 0) {
          ttls.put(r.getString(1), Duration.ofMillis(r.getLong(2)));
        }
      }
    }
    if (apply(ttls)) {
      writeCache(ttls);
      log.info("config: {} namespaces with default TTLs from PostgreSQL", ttls.size());
    }
  }

  /** Publishes flags merged with {@code fromDatabase} if that differs from what was published; true if it did. */
  private boolean apply(Map<String, Duration> fromDatabase) {
    Map<String, Duration> merged = new HashMap<>(fromFlags.defaultTtls());
    merged.putAll(fromDatabase);
    NamespaceDefaults next = new NamespaceDefaults(merged);
    if (next.equals(last)) {
      return false;
    }
    last = next;
    publish.accept(next);
    return true;
  }

  private Map<String, Duration> readCache() {
    if (!Files.exists(cacheFile)) {
      return null;
    }
    try {
      JsonObject json = JsonParser.parseString(Files.readString(cacheFile, StandardCharsets.UTF_8)).getAsJsonObject();
      Map<String, Duration> ttls = new HashMap<>();
      json.getAsJsonObject("defaultTtlMs").entrySet()
          .forEach(e -> ttls.put(e.getKey(), Duration.ofMillis(e.getValue().getAsLong())));
      return ttls;
    } catch (IOException | RuntimeException e) {
      log.warn("config: ignoring unreadable config cache {} ({})", cacheFile, e.getMessage());
      return null;
    }
  }

  private void writeCache(Map<String, Duration> ttls) {
    JsonObject ttlJson = new JsonObject();
    ttls.forEach((name, ttl) -> ttlJson.addProperty(name, ttl.toMillis()));
    JsonObject json = new JsonObject();
    json.add("defaultTtlMs", ttlJson);
    Path temp = cacheFile.resolveSibling(cacheFile.getFileName() + ".tmp");
    try {
      Files.writeString(temp, json.toString(), StandardCharsets.UTF_8);
      Files.move(temp, cacheFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("config: cannot write the config cache {} ({})", cacheFile, e.getMessage());
    }
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
