package io.raftcache.node.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftcache.node.testing.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The Flyway schema against a real PostgreSQL, migrated from empty in a fresh database. */
class PostgresSchemaTest {
  static PostgresTestDatabase fresh;
  static PostgresDatabase db;

  @BeforeAll
  static void migrateFromEmpty() {
    fresh = PostgresTestDatabase.create();
    db = PostgresDatabase.open(fresh.url(), fresh.user(), "");
  }

  @AfterAll
  static void drop() throws SQLException {
    if (db != null) {
      db.close();
    }
    if (fresh != null) {
      fresh.close();
    }
  }

  static List<String> strings(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  @Test
  void theSchemaHasEveryTableAndTheAuditPartitionsOfThisAndTheNextTwoMonths() throws SQLException {
    assertThat(strings("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).contains("namespaces",
        "api_tokens", "token_grants", "cluster_settings", "config_history", "audit_events", "erasure_requests",
        "flyway_schema_history");
    assertThat(strings("SELECT version FROM flyway_schema_history WHERE success")).contains("1");
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    List<String> partitions = strings("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        + " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'audit_events'");
    for (int m = 0; m <= 2; m++) {
      ZonedDateTime month = now.plusMonths(m);
      assertThat(partitions).contains(String.format("audit_events_%04d%02d", month.getYear(), month.getMonthValue()));
    }
    assertThat(db.ensureAuditPartitions(Instant.now(), 2)).as("idempotent").isZero();
  }

  @Test
  void retentionDropsWholeOldMonthsAndKeepsTheRest() throws SQLException {
    Instant sixMonthsAgo = ZonedDateTime.now(ZoneOffset.UTC).minusMonths(6).toInstant();
    assertThat(db.ensureAuditPartitions(sixMonthsAgo, 3)).isEqualTo(4);
    insertAudit(sixMonthsAgo, UUID.randomUUID());
    Instant cutoff = ZonedDateTime.now(ZoneOffset.UTC).minusMonths(1).toInstant();
    assertThat(db.dropAuditPartitionsBefore(cutoff)).isGreaterThanOrEqualTo(3);
    assertThat(strings("SELECT count(*) FROM audit_events WHERE occurred_at < now() - interval '5 months'"))
        .containsExactly("0");
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    assertThat(strings("SELECT relname FROM pg_class WHERE relname = 'audit_events_"
        + String.format("%04d%02d", now.getYear(), now.getMonthValue()) + "'")).hasSize(1);
  }

  @Test
  void retentionDaysComeFromClusterSettings() throws SQLException {
    assertThat(db.auditRetentionDays(400)).isEqualTo(400);
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO cluster_settings (key, value) VALUES ('audit.retention_days', '30')");
    }
    assertThat(db.auditRetentionDays(400)).isEqualTo(30);
  }

  @Test
  void anAuditEventReplayedFromTheSpoolIsStoredOnce() throws SQLException {
    Instant at = Instant.now();
    UUID id = UUID.randomUUID();
    assertThat(insertAudit(at, id)).isEqualTo(1);
    assertThat(insertAudit(at, id)).isZero();
    assertThat(strings("SELECT count(*) FROM audit_events WHERE event_id = '" + id + "'")).containsExactly("1");
  }

  @Test
  void tokensStoreOnlyA32ByteHash() throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO api_tokens (name, token_sha256) VALUES (?, ?)")) {
      s.setString(1, "short");
      s.setBytes(2, new byte[31]);
      assertThatThrownBy(s::executeUpdate).isInstanceOf(SQLException.class).hasMessageContaining("token_sha256");
    }
  }

  @Test
  void aConfigChangeIsAnnouncedToListeners() throws Exception {
    try (Connection listener = db.dataSource().getConnection(); Connection writer = db.dataSource().getConnection()) {
      try (Statement s = listener.createStatement()) {
        s.execute("LISTEN raftcache_config");
      }
      try (Statement s = writer.createStatement()) {
        s.execute("INSERT INTO namespaces (name, default_ttl_ms) VALUES ('sessions', 1800000)");
      }
      PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(5_000);
      assertThat(received).isNotNull().extracting(PGNotification::getParameter).contains("namespaces");
    }
  }

  static int insertAudit(Instant at, UUID id) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO audit_events (occurred_at, event_id, actor, action, outcome, node_id) VALUES (?, ?, 'test',"
            + " 'flush', 'OK', 'n1') ON CONFLICT DO NOTHING")) {
      s.setTimestamp(1, Timestamp.from(at));
      s.setObject(2, id);
      return s.executeUpdate();
    }
  }
}
