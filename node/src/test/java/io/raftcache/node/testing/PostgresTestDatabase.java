package io.raftcache.node.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, uniquely named PostgreSQL database for one test class, dropped afterwards.
 *
 * <p>The server comes from {@code RAFTCACHE_TEST_POSTGRES_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/
 * postgres}, user {@code RAFTCACHE_TEST_POSTGRES_USER} or {@code postgres}). If it cannot be reached, tests are
 * skipped with the reason printed, except under {@code CI=true}, where they fail.
 */
public final class PostgresTestDatabase implements AutoCloseable {
  private final String adminUrl;
  private final String user;
  private final String name;

  private PostgresTestDatabase(String adminUrl, String user, String name) {
    this.adminUrl = adminUrl;
    this.user = user;
    this.name = name;
  }

  public static PostgresTestDatabase create() {
    String adminUrl = System.getenv().getOrDefault("RAFTCACHE_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    String user = System.getenv().getOrDefault("RAFTCACHE_TEST_POSTGRES_USER", "postgres");
    String name = "raftcache_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(adminUrl + "?connectTimeout=5", user, "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      String reason = "PostgreSQL at " + adminUrl + " is not reachable (" + e.getMessage()
          + "); set RAFTCACHE_TEST_POSTGRES_URL to run these tests";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(reason);
      }
      System.err.println("SKIPPED: " + reason);
      Assumptions.abort(reason);
    }
    return new PostgresTestDatabase(adminUrl, user, name);
  }

  /** The JDBC URL of the fresh database. */
  public String url() {
    return adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name;
  }

  public String user() {
    return user;
  }

  /** The first column of every row {@code sql} returns, as text. */
  public java.util.List<String> rows(String sql) throws SQLException {
    java.util.List<String> out = new java.util.ArrayList<>();
    try (Connection c = DriverManager.getConnection(url(), user, ""); Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl, user, ""); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
