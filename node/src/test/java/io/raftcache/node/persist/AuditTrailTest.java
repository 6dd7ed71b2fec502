package io.raftcache.node.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.config.PostgresSettings;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.GrpcAssertions;
import io.raftcache.node.testing.PostgresTestDatabase;
import io.raftcache.node.testing.TestNodes;
import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.FlushRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node configured with PostgreSQL migrates the schema itself and records admin operations in audit_events. */
@Timeout(60)
class AuditTrailTest {
  @TempDir Path dataDir;

  @Test
  void adminOperationsBecomeAuditRowsWithTheirOutcome() throws Exception {
    try (PostgresTestDatabase fresh = PostgresTestDatabase.create()) {
      NodeConfig config = new NodeConfig("audited", "127.0.0.1", 0, -1, dataDir, 64L << 20, 1 << 20, 1024, 4,
          NamespaceDefaults.none(), Duration.ofSeconds(1), Duration.ofSeconds(10), true, "local", List.of(), true,
          Duration.ofMinutes(5), List.of(), 1, "local", "local", new PostgresSettings(fresh.url(), fresh.user(), ""),
          SecuritySettings.OPEN_PLAINTEXT);
      String name = "audit-" + UUID.randomUUID();
      try (RaftCacheNode node = TestNodes.inProcess(name, config, Clock.systemUTC(),
          PartitionStoreFactory.chronicle(dataDir.resolve("partitions")))) {
        AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(TestNodes.channel(name));
        GrpcAssertions.assertFails(() -> admin.flush(FlushRequest.newBuilder().setNamespace("app").build()),
            io.grpc.Status.Code.FAILED_PRECONDITION, ErrorReason.CONFIRMATION_REQUIRED);
        admin.flush(FlushRequest.newBuilder().setNamespace("app").setConfirm("app").build());

        // The node migrates the schema in the background: until then the table does not exist.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(fresh.rows("SELECT outcome || ' ' || detail::text FROM audit_events WHERE action = 'namespace.flush'"
                + " AND namespace = 'app' AND node_id = 'audited' ORDER BY occurred_at"))
            .hasSize(2)
            .satisfies(r -> assertThat(r.get(0)).startsWith("REFUSED").contains("confirm"))
            .satisfies(r -> assertThat(r.get(1)).isEqualTo("OK {\"deleted\": 0}")));
        assertThat(node.metrics().registry().getSampleValue("raftcache_audit_spool_bytes")).isZero();
      }
    }
  }
}
