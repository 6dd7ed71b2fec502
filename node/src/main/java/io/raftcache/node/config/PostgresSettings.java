package io.raftcache.node.config;

/**
 * Where the node's PostgreSQL is (config and audit trail).
 *
 * @param jdbcUrl e.g. {@code jdbc:postgresql://db:5432/raftcache}
 * @param user the role to connect as
 * @param password its password (empty for trust or peer authentication)
 */
public record PostgresSettings(String jdbcUrl, String user, String password) {
  public PostgresSettings {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("the PostgreSQL URL must start with jdbc:postgresql:, got " + jdbcUrl);
    }
    user = user == null ? "" : user;
    password = password == null ? "" : password;
  }

  @Override
  public String toString() {
    return "PostgresSettings[" + jdbcUrl + ", user " + user + "]"; // never the password
  }
}
