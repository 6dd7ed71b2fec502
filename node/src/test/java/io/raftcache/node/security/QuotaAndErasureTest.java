package io.raftcache.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.AuthMode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.PostgresSettings;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.persist.PostgresConfigStore;
import io.raftcache.node.persist.PostgresDatabase;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.GrpcAssertions;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.node.testing.PostgresTestDatabase;
import io.raftcache.node.testing.TestNodes;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.CreateTokenRequest;
import io.raftcache.proto.v1.CreateTokenResponse;
import io.raftcache.proto.v1.DeleteRequest;
import io.raftcache.proto.v1.EraseTagRequest;
import io.raftcache.proto.v1.EraseTagResponse;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.Grant;
import io.raftcache.proto.v1.ListTokensRequest;
import io.raftcache.proto.v1.RevokeTokenRequest;
import io.raftcache.proto.v1.SetQuotaRequest;
import io.raftcache.proto.v1.SetRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quotas, token lifecycle and erasure on a node in token mode with a real PostgreSQL. The node's clock is
 * frozen, so token buckets refill only when the test advances it.
 */
@Timeout(120)
class QuotaAndErasureTest {
  @TempDir Path dataDir;

  @Test
  void quotasRejectWithRetryAfterTokensAreManagedAndErasureIsRecorded() throws Exception {
    try (PostgresTestDatabase fresh = PostgresTestDatabase.create()) {
      String adminSecret = bootstrapAdmin(fresh);
      MutableClock clock = MutableClock.atStart();
      NodeConfig config = new NodeConfig("quota", "127.0.0.1", 0, -1, dataDir, 64L << 20, 1 << 20, 1024, 4,
          NamespaceDefaults.none(), Duration.ofHours(1), Duration.ofSeconds(10), false, "local", List.of(), true,
          Duration.ofMinutes(5), List.of(), 1, "local", "local", new PostgresSettings(fresh.url(), fresh.user(), ""),
          new SecuritySettings(AuthMode.TOKENS, null, null));
      String name = "quota-" + UUID.randomUUID();
      try (RaftCacheNode node = TestNodes.inProcess(name, config, clock,
          PartitionStoreFactory.chronicle(dataDir.resolve("partitions")))) {
        AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(TestNodes.channel(name))
            .withInterceptors(bearer(adminSecret));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
            .until(() -> admin.listTokens(ListTokensRequest.getDefaultInstance()).getTokensCount() == 1);

        // A token made through the Admin service: its secret is returned once and never listed.
        CreateTokenResponse etl = admin.createToken(CreateTokenRequest.newBuilder().setName("etl")
            .addGrants(Grant.newBuilder().setNamespace("orders").setRole("write")).build());
        assertThat(etl.getToken()).startsWith(TokenSecrets.PREFIX);
        CacheGrpc.CacheBlockingStub etlCache = CacheGrpc.newBlockingStub(TestNodes.channel(name))
            .withInterceptors(bearer(etl.getToken()));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> etlCache.set(set("orders", "a", "1"))
            .getApplied());
        assertThat(admin.listTokens(ListTokensRequest.getDefaultInstance()).toString())
            .contains("etl").doesNotContain(etl.getToken());

        // Namespace ops/s: 5 calls a second, then QUOTA_EXCEEDED with a retry-after until the clock moves.
        admin.setQuota(SetQuotaRequest.newBuilder().setNamespace("orders").setOpsPerSecond(5).build());
        StatusRuntimeException limited = await().atMost(Duration.ofSeconds(30)).until(
            () -> failureOf(() -> etlCache.get(get("orders", "a"))), f -> f != null);
        assertThat(limited.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(GrpcAssertions.reasonOf(limited)).isEqualTo(ErrorReason.QUOTA_EXCEEDED.name());
        assertThat(Long.parseLong(limited.getTrailers().get(RaftCacheMetadata.RETRY_AFTER_MS))).isBetween(1L, 1000L);
        clock.advance(Duration.ofSeconds(1));
        List<Boolean> afterRefill = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          afterRefill.add(failureOf(() -> etlCache.get(get("orders", "a"))) == null);
        }
        assertThat(afterRefill).containsExactly(true, true, true, true, true, false);
        admin.setQuota(SetQuotaRequest.newBuilder().setNamespace("orders").setOpsPerSecond(0).build());

        // A token's own ops/s limit applies whatever the namespace.
        admin.setQuota(SetQuotaRequest.newBuilder().setToken("etl").setOpsPerSecond(2).build());
        clock.advance(Duration.ofSeconds(1));
        StatusRuntimeException tokenLimited = await().atMost(Duration.ofSeconds(30)).until(
            () -> failureOf(() -> etlCache.get(get("orders", "a"))), f -> f != null);
        assertThat(tokenLimited.getStatus().getDescription()).contains("token 'etl'");
        // Within one second the first 100 rejections of a token get a row each; the rest are counted in a summary.
        for (int i = 0; i < Denials.INDIVIDUAL_REFUSALS_PER_SECOND + 2; i++) {
          assertThat(failureOf(() -> etlCache.get(get("orders", "a")))).isNotNull();
        }
        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(fresh.rows("SELECT detail->>'coalesced' FROM audit_events WHERE action = 'quota.rejected' AND detail ? 'coalesced'"))
            .contains("3"));
        admin.setQuota(SetQuotaRequest.newBuilder().setToken("etl").setOpsPerSecond(0).build());

        // Entry limit: once measured full, writes that add data are refused; deletes still work.
        admin.setQuota(SetQuotaRequest.newBuilder().setNamespace("capped").setMaxEntries(10).build());
        CacheGrpc.CacheBlockingStub adminCache = CacheGrpc.newBlockingStub(TestNodes.channel(name))
            .withInterceptors(bearer(adminSecret));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          adminCache.set(set("capped", "k" + UUID.randomUUID(), "v"));
          node.measureUsage();
          return failureOf(() -> adminCache.set(set("capped", "more", "v"))) != null;
        });
        GrpcAssertions.assertFails(() -> adminCache.set(set("capped", "more", "v")),
            Status.Code.RESOURCE_EXHAUSTED, ErrorReason.QUOTA_EXCEEDED);
        assertThat(adminCache.delete(DeleteRequest.newBuilder().setNamespace("capped")
            .setKey(ByteString.copyFromUtf8("nothing-here")).build()).getDeleted()).isFalse();

        // Erasure by tag: every tagged entry goes, the others stay, and the request is recorded with its count.
        for (int i = 0; i < 5; i++) {
          adminCache.set(set("orders", "subject-" + i, "x").toBuilder().addTags("user:42").build());
        }
        adminCache.set(set("orders", "bystander", "y"));
        EraseTagResponse erased = admin.eraseTag(EraseTagRequest.newBuilder().setNamespace("orders").setTag("user:42")
            .setConfirm("user:42").build());
        assertThat(erased.getDeletedCount()).isEqualTo(5);
        assertThat(adminCache.get(get("orders", "subject-3")).getFound()).isFalse();
        assertThat(adminCache.get(get("orders", "bystander")).getFound()).isTrue();
        assertThat(fresh.rows("SELECT status || ' ' || deleted_count || ' ' || actor FROM erasure_requests WHERE id = "
            + erased.getRequestId())).containsExactly("DONE 5 admin");

        // Revocation reaches the running node.
        admin.revokeToken(RevokeTokenRequest.newBuilder().setName("etl").build());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          StatusRuntimeException f = failureOf(() -> etlCache.get(get("orders", "a")));
          return f != null && ErrorReason.TOKEN_REVOKED.name().equals(GrpcAssertions.reasonOf(f));
        });

        // The trail: quota rejections (coalesced, with counts), token changes and the erasure.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(fresh.rows("SELECT DISTINCT action || ' ' || actor || ' ' || outcome FROM audit_events"
                + " WHERE action IN ('quota.rejected', 'token.create', 'token.revoke', 'erasure', 'quota.set')"))
            .contains("quota.rejected etl DENIED", "token.create admin OK", "token.revoke admin OK",
                "erasure admin OK", "quota.set admin OK"));
        assertThat(fresh.rows("SELECT count(*) FROM config_history WHERE entity = 'token' AND entity_key = 'etl'"
            + " AND new_value ? 'token_sha256'")).containsExactly("0");
      }
    }
  }

  private static String bootstrapAdmin(PostgresTestDatabase fresh) {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (PostgresDatabase db = PostgresDatabase.open(fresh.url(), fresh.user(), "")) {
      String secret = new TokenSecrets(new java.security.SecureRandom()).newSecret();
      new PostgresConfigStore(db.dataSource(), executor)
          .createToken("bootstrap", "admin", TokenSecrets.sha256(secret), Map.of("*", Role.ADMIN), null, 0).join();
      return secret;
    } finally {
      executor.shutdownNow();
    }
  }

  private static io.grpc.ClientInterceptor bearer(String secret) {
    Metadata headers = new Metadata();
    headers.put(RaftCacheMetadata.AUTHORIZATION, "Bearer " + secret);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  private static SetRequest set(String ns, String key, String value) {
    return SetRequest.newBuilder().setNamespace(ns).setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build();
  }

  private static GetRequest get(String ns, String key) {
    return GetRequest.newBuilder().setNamespace(ns).setKey(ByteString.copyFromUtf8(key)).build();
  }

  private static StatusRuntimeException failureOf(Runnable call) {
    try {
      call.run();
      return null;
    } catch (StatusRuntimeException e) {
      return e;
    }
  }

}
