package io.raftcache.node.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcache.node.audit.AuditEvent;
import io.raftcache.node.audit.AuditSpool;
import io.raftcache.node.testing.PostgresTestDatabase;
import io.raftcache.node.testing.TcpProxy;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The audit pipeline against a real PostgreSQL that becomes unreachable mid-run (a proxy cuts it off). */
@Timeout(120)
class PostgresAuditWriterTest {
  static PostgresTestDatabase fresh;
  static TcpProxy proxy;
  static PostgresDatabase db;

  @TempDir Path dir;

  @BeforeAll
  static void open() throws Exception {
    fresh = PostgresTestDatabase.create();
    URI direct = URI.create(fresh.url().substring("jdbc:".length()));
    proxy = new TcpProxy(direct.getPort());
    db = PostgresDatabase.open("jdbc:postgresql://127.0.0.1:" + proxy.port() + direct.getPath(), fresh.user(), "");
  }

  @AfterAll
  static void close() throws Exception {
    if (db != null) {
      db.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (fresh != null) {
      fresh.close();
    }
  }

  static AuditEvent event(int i) {
    return new AuditEvent(UUID.randomUUID(), Instant.now(), "test", "namespace.flush", "app", "t" + i, "OK", "n1",
        "req-" + i, "{\"i\": " + i + "}");
  }

  static long count(String sql) throws SQLException {
    try (Connection c = java.sql.DriverManager.getConnection(fresh.url(), fresh.user(), ""); // straight, not via the proxy
        Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void eventsRecordedWhilePostgresIsUnreachableArriveOnceEachWhenItReturns() throws Exception {
    AuditSpool spool = new AuditSpool(dir.resolve("audit.spool"));
    try (PostgresAuditWriter writer = new PostgresAuditWriter(db.dataSource(), spool)) {
      for (int i = 0; i < 100; i++) {
        writer.record(event(i));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> writer.written() == 100);

      proxy.cut();
      long started = System.nanoTime();
      for (int i = 100; i < 1100; i++) {
        writer.record(event(i)); // never waits on the database
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("recording 1000 events").isLessThan(Duration.ofSeconds(2));
      await().atMost(Duration.ofSeconds(30)).until(() -> writer.spoolBytes() > 0 && writer.queueDepth() == 0);
      assertThat(writer.writeFailures()).isPositive();

      proxy.restore();
      await().atMost(Duration.ofSeconds(60)).until(() -> writer.spoolBytes() == 0 && writer.queueDepth() == 0);
    }
    assertThat(count("SELECT count(*) FROM audit_events")).isEqualTo(1100);
    assertThat(count("SELECT count(DISTINCT event_id) FROM audit_events")).isEqualTo(1100);
    assertThat(count("SELECT count(*) FROM audit_events WHERE request_id = 'req-777' AND detail->>'i' = '777'")).isEqualTo(1);
  }

  @Test
  void theSpoolKeepsEventsAcrossRestartsAndSkipsATornTail() throws Exception {
    Path file = dir.resolve("torn.spool");
    AuditSpool spool = new AuditSpool(file);
    spool.append(java.util.List.of(event(1), event(2), event(3)));
    long intact = java.nio.file.Files.size(file);
    java.nio.file.Files.write(file, new byte[] {0, 0, 0, 50, 1, 2}, java.nio.file.StandardOpenOption.APPEND);
    AuditSpool reopened = new AuditSpool(file); // a restart after a crash mid-append
    assertThat(java.nio.file.Files.size(file)).as("the torn tail is cut off").isEqualTo(intact);
    AuditSpool.Contents contents = reopened.read();
    assertThat(contents.events()).extracting(AuditEvent::target).containsExactly("t1", "t2", "t3");
    reopened.append(java.util.List.of(event(4))); // appended after the read: survives the trim
    reopened.removeFirst(contents.bytes());
    assertThat(reopened.readAll()).extracting(AuditEvent::target).containsExactly("t4");
  }
}
