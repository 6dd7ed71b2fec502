package io.raftcache.node.persist;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * raftcache's PostgreSQL database: a small HikariCP pool over a schema that Flyway brings up to date on open
 * ({@code db/migration}). Config tables, the month-partitioned audit trail and erasure requests live there.
 */
public final class PostgresDatabase implements AutoCloseable {
  /** The most connections a node holds: config reads, the audit writer and LISTEN need no more. */
  static final int MAX_POOL_SIZE = 4;

  private final HikariDataSource pool;
  private final String url;

  private PostgresDatabase(HikariDataSource pool, String url) {
    this.pool = pool;
    this.url = url;
  }

  /**
   * Connects to {@code jdbcUrl} and migrates the schema.
   *
   * @throws IllegalStateException if the database cannot be reached or migrated (the message says which)
   */
  public static PostgresDatabase open(String jdbcUrl, String user, String password) {
    PostgresDatabase db = connect(jdbcUrl, user, password);
    try {
      db.migrate();
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  /**
   * Builds the pool without touching the database, so a node starts while PostgreSQL is down; call
   * {@link #migrate} (again) until it succeeds before relying on the schema.
   */
  public static PostgresDatabase connect(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(MAX_POOL_SIZE);
    config.setPoolName("raftcache-postgres");
    config.setConnectionTimeout(5_000);
    config.setInitializationFailTimeout(-1); // do not fail (or wait) at start when the database is down
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    return new PostgresDatabase(new HikariDataSource(config), jdbcUrl);
  }

  /** Brings the schema up to date (Flyway); safe to call again. */
  public void migrate() {
    try {
      Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot migrate the raftcache schema at " + url + ": " + e.getMessage(), e);
    }
  }

  public DataSource dataSource() {
    return pool;
  }

  /** Creates the audit partitions for the month of {@code now} and the next {@code monthsAhead}; returns how many. */
  public int ensureAuditPartitions(Instant now, int monthsAhead) throws SQLException {
    return callInt("SELECT raftcache_ensure_audit_partitions(?, ?)", now, monthsAhead);
  }

  /** Drops the audit partitions that end on or before {@code cutoff} (retention); returns how many. */
  public int dropAuditPartitionsBefore(Instant cutoff) throws SQLException {
    return callInt("SELECT raftcache_drop_audit_partitions_before(?)", cutoff, null);
  }

  private int callInt(String sql, Instant time, Integer arg) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setTimestamp(1, Timestamp.from(time));
      if (arg != null) {
        s.setInt(2, arg);
      }
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  /** The audit retention in days: {@code cluster_settings['audit.retention_days']}, else {@code fallback}. */
  public int auditRetentionDays(int fallback) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(
        "SELECT (value #>> '{}')::int FROM cluster_settings WHERE key = 'audit.retention_days'");
        ResultSet r = s.executeQuery()) {
      return r.next() && r.getInt(1) > 0 ? r.getInt(1) : fallback;
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
