package io.raftcache.node.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.config.PostgresSettings;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.PostgresTestDatabase;
import io.raftcache.node.testing.TestNodes;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.SetRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Namespace settings changed in PostgreSQL reach a running node, and survive a restart with PostgreSQL down. */
@Timeout(90)
class ConfigFollowTest {
  static final long THIRTY_MINUTES = 30 * 60_000L;

  @TempDir Path dataDir;

  NodeConfig config(String url, String user) {
    return new NodeConfig("configured", "127.0.0.1", 0, -1, dataDir, 64L << 20, 1 << 20, 1024, 4,
        NamespaceDefaults.none(), Duration.ofSeconds(1), Duration.ofSeconds(10), false, "local", List.of(), true,
        Duration.ofMinutes(5), List.of(), 1, "local", "local", new PostgresSettings(url, user, ""), SecuritySettings.OPEN_PLAINTEXT);
  }

  static long ttlOfAPlainSet(String server) {
    return CacheGrpc.newBlockingStub(TestNodes.channel(server)).set(SetRequest.newBuilder().setNamespace("sessions")
        .setKey(ByteString.copyFromUtf8("s-" + UUID.randomUUID())).setValue(ByteString.copyFromUtf8("v")).build())
        .getTtlRemainingMs();
  }

  @Test
  void withoutPostgresANamespaceChangeIsRefusedClearly() throws Exception {
    String name = "no-config-" + UUID.randomUUID();
    try (RaftCacheNode node = TestNodes.inProcess(name, TestNodes.config(dataDir), Clock.systemUTC(),
        PartitionStoreFactory.chronicle(dataDir.resolve("partitions")))) {
      io.raftcache.node.testing.GrpcAssertions.assertFails(() -> io.raftcache.proto.v1.AdminGrpc.newBlockingStub(
              TestNodes.channel(name)).setNamespace(io.raftcache.proto.v1.SetNamespaceRequest.newBuilder()
              .setName("sessions").setDefaultTtlMs(1000).build()),
          io.grpc.Status.Code.FAILED_PRECONDITION, io.raftcache.proto.v1.ErrorReason.CONFIG_UNAVAILABLE);
    }
  }

  @Test
  void aNamespaceTtlSetInPostgresReachesTheNodeAndIsRememberedWhilePostgresIsDown() throws Exception {
    try (PostgresTestDatabase fresh = PostgresTestDatabase.create()) {
      String name = "config-" + UUID.randomUUID();
      try (RaftCacheNode node = TestNodes.inProcess(name, config(fresh.url(), fresh.user()), Clock.systemUTC(),
          PartitionStoreFactory.chronicle(dataDir.resolve("partitions")))) {
        assertThat(ttlOfAPlainSet(name)).as("no default TTL yet").isEqualTo(-1);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
          try (Connection c = DriverManager.getConnection(fresh.url(), fresh.user(), "");
              Statement s = c.createStatement()) {
            // Not flyway_schema_history: Flyway creates it before the migration's own transaction commits.
            return s.executeQuery("SELECT count(*) FROM namespaces").next();
          }
        });
        try (Connection c = DriverManager.getConnection(fresh.url(), fresh.user(), ""); Statement s = c.createStatement()) {
          s.execute("INSERT INTO namespaces (name, default_ttl_ms) VALUES ('sessions', " + THIRTY_MINUTES + ")");
        }
        long changedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(20)).until(() -> ttlOfAPlainSet(name) > THIRTY_MINUTES - 60_000);
        System.out.printf("a namespace TTL set in PostgreSQL reached the node in %d ms%n",
            (System.nanoTime() - changedAt) / 1_000_000);
        // The same through the Admin API: stored with its history, audited, and followed by the node.
        io.raftcache.proto.v1.AdminGrpc.newBlockingStub(TestNodes.channel(name)).setNamespace(
            io.raftcache.proto.v1.SetNamespaceRequest.newBuilder().setName("sessions").setDefaultTtlMs(60_000).build());
        await().atMost(Duration.ofSeconds(20)).until(() -> ttlOfAPlainSet(name) <= 60_000);
        assertThat(fresh.rows("SELECT actor || ' ' || coalesce(old_value->>'default_ttl_ms', '-') || ' -> '"
            + " || (new_value->>'default_ttl_ms') FROM config_history WHERE entity = 'namespace' AND entity_key = 'sessions'"))
            .containsExactly("anonymous " + THIRTY_MINUTES + " -> 60000");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> !fresh.rows("SELECT outcome FROM audit_events WHERE action = 'namespace.set' AND outcome = 'OK'").isEmpty());
        // Put the 30 minutes back for the restart below.
        io.raftcache.proto.v1.AdminGrpc.newBlockingStub(TestNodes.channel(name)).setNamespace(
            io.raftcache.proto.v1.SetNamespaceRequest.newBuilder().setName("sessions").setDefaultTtlMs(THIRTY_MINUTES).build());
        await().atMost(Duration.ofSeconds(20)).until(() -> ttlOfAPlainSet(name) > THIRTY_MINUTES - 60_000);
      }
      // Restart with PostgreSQL unreachable: the node starts, serves, and uses the last known configuration.
      String again = "config-" + UUID.randomUUID();
      try (RaftCacheNode node = TestNodes.inProcess(again, config("jdbc:postgresql://127.0.0.1:1/nowhere", "nobody"),
          Clock.systemUTC(), PartitionStoreFactory.chronicle(dataDir.resolve("partitions")))) {
        assertThat(ttlOfAPlainSet(again)).isGreaterThan(THIRTY_MINUTES - 60_000);
      }
    }
  }
}
