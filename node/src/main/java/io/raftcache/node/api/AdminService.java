package io.raftcache.node.api;

import io.grpc.stub.StreamObserver;
import io.raftcache.node.audit.AuditSink;
import io.raftcache.node.common.CacheException;
import io.raftcache.node.common.Limits;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.metrics.NodeMetrics;
import io.raftcache.node.metrics.StoreStats;
import io.raftcache.node.partition.CacheOperations;
import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.FlushRequest;
import io.raftcache.proto.v1.FlushResponse;
import io.raftcache.proto.v1.RemoveNodeRequest;
import io.raftcache.proto.v1.SetNamespaceRequest;
import io.raftcache.proto.v1.RemoveNodeResponse;
import io.raftcache.proto.v1.GetStatsRequest;
import io.raftcache.proto.v1.ListNamespacesRequest;
import io.raftcache.proto.v1.ListNamespacesResponse;
import io.raftcache.proto.v1.NamespaceInfo;
import io.raftcache.proto.v1.NodeStats;
import io.raftcache.node.security.ApiToken;
import io.raftcache.node.security.Principal;
import io.raftcache.node.security.Role;
import io.raftcache.node.security.TokenSecrets;
import io.raftcache.node.security.TokenTable;
import io.raftcache.proto.v1.CreateTokenRequest;
import io.raftcache.proto.v1.CreateTokenResponse;
import io.raftcache.proto.v1.EraseTagRequest;
import io.raftcache.proto.v1.EraseTagResponse;
import io.raftcache.proto.v1.Grant;
import io.raftcache.proto.v1.ListTokensRequest;
import io.raftcache.proto.v1.ListTokensResponse;
import io.raftcache.proto.v1.RevokeTokenRequest;
import io.raftcache.proto.v1.RevokeTokenResponse;
import io.raftcache.proto.v1.SetQuotaRequest;
import io.raftcache.proto.v1.SetQuotaResponse;
import io.raftcache.proto.v1.TokenInfo;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The {@code raftcache.v1.Admin} service: stats, namespaces and their quotas, tokens, flush, erasure by tag, and
 * removing cluster members. Every change is audited with the caller's token name.
 */
public final class AdminService extends AdminGrpc.AdminImplBase {
  /** Most grants one token may carry. */
  static final int MAX_GRANTS = 100;
  private final RequestValidator validator;
  private final CacheOperations operations;
  private final java.util.function.Supplier<NamespaceDefaults> namespaces;
  private final Supplier<StoreStats> stats;
  private final NodeMetrics metrics;
  private final Clock clock;
  private final String nodeId;
  private final long startedAtMillis;
  private final MembershipAdmin membership;
  private final AuditedCalls audit;
  private final ConfigAdmin configAdmin;
  private final Supplier<TokenTable> tokens;
  private final TokenSecrets secrets;

  public AdminService(
      RequestValidator validator,
      CacheOperations operations,
      java.util.function.Supplier<NamespaceDefaults> namespaces,
      Supplier<StoreStats> stats,
      NodeMetrics metrics,
      Clock clock,
      String nodeId,
      MembershipAdmin membership,
      AuditSink audit,
      ConfigAdmin configAdmin,
      Supplier<TokenTable> tokens,
      TokenSecrets secrets) {
    this.validator = validator;
    this.operations = operations;
    this.namespaces = namespaces;
    this.stats = stats;
    this.metrics = metrics;
    this.clock = clock;
    this.nodeId = nodeId;
    this.startedAtMillis = clock.millis();
    this.membership = membership;
    this.audit = new AuditedCalls(audit, clock, nodeId);
    this.configAdmin = configAdmin;
    this.tokens = tokens;
    this.secrets = secrets;
  }

  @Override
  public void setNamespace(SetNamespaceRequest request, StreamObserver<NamespaceInfo> response) {
    Replies.unary(response, () -> audit.run("namespace.set", request.getName(), null, () -> {
      String ns = validator.namespace(request.getName());
      Long ttl = request.hasDefaultTtlMs() ? request.getDefaultTtlMs() : null;
      if (ttl != null && (ttl < 0 || ttl > Limits.MAX_TTL_MILLIS)) {
        throw new CacheException(ErrorReason.INVALID_TTL, "default_ttl_ms must be 0 (never expire) to 10 years");
      }
      Boolean encrypted = request.hasEncrypted() ? request.getEncrypted() : null;
      return config().setNamespace(actor(), ns, ttl == null ? null : java.time.Duration.ofMillis(ttl), encrypted)
          .thenApply(done -> NamespaceInfo.newBuilder().setName(ns).setDefaultTtlMs(ttl == null ? 0 : ttl)
              .setEncrypted(encrypted != null && encrypted).build());
    }, info -> {
      com.google.gson.JsonObject detail = new com.google.gson.JsonObject();
      if (request.hasDefaultTtlMs()) {
        detail.addProperty("default_ttl_ms", request.getDefaultTtlMs());
      }
      if (request.hasEncrypted()) {
        detail.addProperty("encrypted", request.getEncrypted());
      }
      return detail.toString();
    }));
  }

  @Override
  public void setQuota(SetQuotaRequest request, StreamObserver<SetQuotaResponse> response) {
    String target = request.hasToken() ? "token:" + request.getToken() : null;
    Replies.unary(response, () -> audit.run("quota.set", request.hasNamespace() ? request.getNamespace() : null, target,
        () -> {
          Long maxEntries = request.hasMaxEntries() ? nonNegative(request.getMaxEntries(), "max_entries") : null;
          Long maxBytes = request.hasMaxBytes() ? nonNegative(request.getMaxBytes(), "max_bytes") : null;
          Integer ops = request.hasOpsPerSecond()
              ? (int) nonNegative(request.getOpsPerSecond(), "ops_per_second") : null;
          return switch (request.getTargetCase()) {
            case NAMESPACE -> config().setNamespaceQuota(actor(), validator.namespace(request.getNamespace()),
                maxEntries, maxBytes, ops).thenApply(done -> SetQuotaResponse.getDefaultInstance());
            case TOKEN -> {
              if (maxEntries != null || maxBytes != null || ops == null) {
                throw validator.conflicting("a token's quota is ops_per_second only");
              }
              yield config().setTokenQuota(actor(), tokenName(request.getToken()), ops).thenApply(found -> {
                if (!found) {
                  throw new CacheException(ErrorReason.NO_SUCH_OBJECT, "no token named '" + request.getToken() + "'");
                }
                return SetQuotaResponse.getDefaultInstance();
              });
            }
            case TARGET_NOT_SET -> throw validator.conflicting("set either namespace or token");
          };
        }, done -> {
          com.google.gson.JsonObject detail = new com.google.gson.JsonObject();
          if (request.hasMaxEntries()) {
            detail.addProperty("max_entries", request.getMaxEntries());
          }
          if (request.hasMaxBytes()) {
            detail.addProperty("max_bytes", request.getMaxBytes());
          }
          if (request.hasOpsPerSecond()) {
            detail.addProperty("ops_per_second", request.getOpsPerSecond());
          }
          return detail.toString();
        }));
  }

  @Override
  public void createToken(CreateTokenRequest request, StreamObserver<CreateTokenResponse> response) {
    Replies.unary(response, () -> audit.run("token.create", null, request.getName(), () -> {
      String name = tokenName(request.getName());
      if (request.getGrantsCount() == 0 || request.getGrantsCount() > MAX_GRANTS) {
        throw validator.conflicting("a token needs 1.." + MAX_GRANTS + " grants");
      }
      Map<String, Role> grants = new java.util.HashMap<>();
      for (Grant grant : request.getGrantsList()) {
        String ns = grant.getNamespace().equals(ApiToken.EVERY_NAMESPACE)
            ? ApiToken.EVERY_NAMESPACE : validator.namespace(grant.getNamespace());
        Role role;
        try {
          role = Role.parse(grant.getRole());
        } catch (IllegalArgumentException e) {
          throw validator.conflicting(e.getMessage());
        }
        if (grants.put(ns, role) != null) {
          throw validator.conflicting("namespace '" + ns + "' is granted twice");
        }
      }
      long expiresIn = nonNegative(request.getExpiresInMs(), "expires_in_ms");
      java.time.Instant expiresAt = expiresIn == 0 ? null : clock.instant().plusMillis(expiresIn);
      int ops = (int) nonNegative(request.getOpsPerSecond(), "ops_per_second");
      String secret = secrets.newSecret();
      return config().createToken(actor(), name, TokenSecrets.sha256(secret), grants, expiresAt, ops)
          .thenApply(done -> CreateTokenResponse.newBuilder().setName(name).setToken(secret)
              .setExpiresAtMs(expiresAt == null ? 0 : expiresAt.toEpochMilli()).build());
    }, created -> AuditedCalls.json("expires_at_ms", Long.toString(created.getExpiresAtMs()))));
  }

  @Override
  public void revokeToken(RevokeTokenRequest request, StreamObserver<RevokeTokenResponse> response) {
    Replies.unary(response, () -> audit.run("token.revoke", null, request.getName(), () ->
        config().revokeToken(actor(), tokenName(request.getName())).thenApply(found -> {
          if (!found) {
            throw new CacheException(ErrorReason.NO_SUCH_OBJECT, "no unrevoked token named '" + request.getName() + "'");
          }
          return RevokeTokenResponse.getDefaultInstance();
        }), done -> "{}"));
  }

  @Override
  public void listTokens(ListTokensRequest request, StreamObserver<ListTokensResponse> response) {
    Replies.unary(response, () -> {
      Map<String, TokenInfo> byName = new TreeMap<>();
      for (ApiToken token : tokens.get().bySha256Hex().values()) {
        TokenInfo.Builder info = TokenInfo.newBuilder().setName(token.name()).setOpsPerSecond(token.opsPerSecond())
            .setExpiresAtMs(token.expiresAt() == null ? 0 : token.expiresAt().toEpochMilli())
            .setRevokedAtMs(token.revokedAt() == null ? 0 : token.revokedAt().toEpochMilli());
        new TreeMap<>(token.grants()).forEach((ns, role) ->
            info.addGrants(Grant.newBuilder().setNamespace(ns).setRole(role.label())));
        byName.put(token.name(), info.build());
      }
      return CompletableFuture.completedFuture(ListTokensResponse.newBuilder().addAllTokens(byName.values()).build());
    });
  }

  @Override
  public void eraseTag(EraseTagRequest request, StreamObserver<EraseTagResponse> response) {
    String requestId = io.raftcache.node.common.RequestContext.REQUEST_ID.get();
    Replies.unary(response, () -> audit.run("erasure", request.getNamespace(), request.getTag(), () -> {
      String ns = validator.namespace(request.getNamespace());
      String tag = validator.tag(request.getTag());
      if (!tag.equals(request.getConfirm())) {
        throw new CacheException(ErrorReason.CONFIRMATION_REQUIRED,
            "erasing removes every entry tagged '" + tag + "': set confirm to the tag to proceed");
      }
      String actor = actor();
      CompletableFuture<Long> recorded = configAdmin == null
          ? CompletableFuture.completedFuture(0L) : configAdmin.startErasure(actor, ns, tag, requestId);
      return recorded.thenCompose(id -> operations.invalidateTag(ns, tag)
          .thenCompose(count -> finishErasure(id, true, count)
              .thenApply(done -> EraseTagResponse.newBuilder().setRequestId(id).setDeletedCount(count).build()))
          .exceptionallyCompose(failure -> finishErasure(id, false, 0)
              .thenCompose(done -> CompletableFuture.<EraseTagResponse>failedFuture(failure))));
    }, erased -> "{\"request_id\": " + erased.getRequestId() + ", \"deleted\": " + erased.getDeletedCount() + "}"));
  }

  /** Records the end of erasure request {@code id} (none to record when it is 0: no PostgreSQL). */
  private CompletableFuture<Void> finishErasure(long id, boolean done, long count) {
    return id == 0 ? CompletableFuture.completedFuture(null) : configAdmin.finishErasure(id, done, count);
  }

  /** The config store, or a CONFIG_UNAVAILABLE failure when the node has no PostgreSQL. */
  private ConfigAdmin config() {
    if (configAdmin == null) {
      throw new CacheException(ErrorReason.CONFIG_UNAVAILABLE, "this node has no PostgreSQL (--postgres-url):"
          + " namespaces come from --namespace-ttl, and tokens and quotas need PostgreSQL");
    }
    return configAdmin;
  }

  private String tokenName(String name) {
    if (name.isBlank() || name.length() > 128 || name.chars().anyMatch(Character::isISOControl)) {
      throw validator.conflicting("a token name is 1..128 printable characters");
    }
    return name;
  }

  private long nonNegative(long value, String field) {
    if (value < 0) {
      throw validator.conflicting(field + " must be zero or positive");
    }
    return value;
  }

  /** Who the current call acts as, for the audit trail and config_history. */
  private static String actor() {
    return Principal.current().actor();
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> response) {
    Replies.unary(response, () -> audit.run("member.remove", null, request.getNodeId(), () -> {
      String id = request.getNodeId();
      if (id.isBlank() || id.length() > 256) {
        throw new CacheException(ErrorReason.MEMBERSHIP_REJECTED, "node_id must name a member (1..256 characters)");
      }
      if (!id.equals(request.getConfirm())) {
        throw new CacheException(ErrorReason.CONFIRMATION_REQUIRED,
            "removing a node drops its replicas: set confirm to the node id to proceed");
      }
      if (membership == null) {
        throw new CacheException(ErrorReason.MEMBERSHIP_REJECTED, "a single node has no cluster members to remove");
      }
      return membership.removeNode(id);
    }, r -> "{\"epoch\": " + r.getEpoch() + "}"));
  }

  @Override
  public void getStats(GetStatsRequest request, StreamObserver<NodeStats> response) {
    Replies.unary(response, () -> {
      StoreStats s = stats.get();
      return CompletableFuture.completedFuture(NodeStats.newBuilder()
          .setNodeId(nodeId)
          .setEntries(s.entries())
          .setStoredBytes(s.storedBytes())
          .setOffheapBytes(s.offHeapBytes())
          .setMaxMemoryBytes(s.budgetBytes())
          .setPartitions(s.partitions())
          .setHits(metrics.hits())
          .setMisses(metrics.misses())
          .setEvictions(metrics.evictions())
          .setExpirations(metrics.expirations())
          .setUptimeMs(clock.millis() - startedAtMillis)
          .build());
    });
  }

  @Override
  public void listNamespaces(ListNamespacesRequest request, StreamObserver<ListNamespacesResponse> response) {
    Replies.unary(response, () -> {
      Map<String, Long> counts = operations.namespaceEntryCounts();
      Map<String, NamespaceInfo> byName = new TreeMap<>();
      namespaces.get().sorted().forEach((name, settings) -> byName.put(name, NamespaceInfo.newBuilder().setName(name)
          .setDefaultTtlMs(settings.defaultTtl().toMillis()).setMaxEntries(settings.maxEntries())
          .setMaxBytes(settings.maxBytes()).setOpsPerSecond(settings.opsPerSecond())
          .setEncrypted(settings.encrypted()).build()));
      counts.forEach((name, entries) -> byName.merge(name,
          NamespaceInfo.newBuilder().setName(name).setEntries(entries).build(),
          (configured, seen) -> configured.toBuilder().setEntries(entries).build()));
      return CompletableFuture.completedFuture(
          ListNamespacesResponse.newBuilder().addAllNamespaces(byName.values()).build());
    });
  }

  @Override
  public void flush(FlushRequest request, StreamObserver<FlushResponse> response) {
    Replies.unary(response, () -> audit.run("namespace.flush", request.getNamespace(), null, () -> {
      String ns = validator.namespace(request.getNamespace());
      if (!ns.equals(request.getConfirm())) {
        throw new CacheException(ErrorReason.CONFIRMATION_REQUIRED,
            "flushing removes every entry of '" + ns + "': set confirm to the namespace name to proceed");
      }
      return operations.flush(ns).thenApply(count -> FlushResponse.newBuilder().setDeletedCount(count).build());
    }, r -> "{\"deleted\": " + r.getDeletedCount() + "}"));
  }
}
