package io.raftcache.node.api;

import io.grpc.stub.StreamObserver;
import io.raftcache.node.audit.AuditEvent;
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
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** The {@code raftcache.v1.Admin} service: stats, namespace listing, flush, and removing cluster members. */
public final class AdminService extends AdminGrpc.AdminImplBase {
  private final RequestValidator validator;
  private final CacheOperations operations;
  private final java.util.function.Supplier<NamespaceDefaults> namespaces;
  private final Supplier<StoreStats> stats;
  private final NodeMetrics metrics;
  private final Clock clock;
  private final String nodeId;
  private final long startedAtMillis;
  private final MembershipAdmin membership;
  private final AuditSink audit;
  private final ConfigAdmin configAdmin;

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
      ConfigAdmin configAdmin) {
    this.validator = validator;
    this.operations = operations;
    this.namespaces = namespaces;
    this.stats = stats;
    this.metrics = metrics;
    this.clock = clock;
    this.nodeId = nodeId;
    this.startedAtMillis = clock.millis();
    this.membership = membership;
    this.audit = audit;
    this.configAdmin = configAdmin;
  }

  @Override
  public void setNamespace(SetNamespaceRequest request, StreamObserver<NamespaceInfo> response) {
    Replies.unary(response, () -> audited("namespace.set", request.getName(), null, () -> {
      String ns = validator.namespace(request.getName());
      long ttl = request.getDefaultTtlMs();
      if (ttl < 0 || ttl > Limits.MAX_TTL_MILLIS) {
        throw new CacheException(ErrorReason.INVALID_TTL, "default_ttl_ms must be 0 (never expire) to 10 years");
      }
      if (configAdmin == null) {
        throw new CacheException(ErrorReason.CONFIG_UNAVAILABLE,
            "this node has no PostgreSQL (--postgres-url): namespace settings come from --namespace-ttl");
      }
      return configAdmin.setNamespace("anonymous", ns, java.time.Duration.ofMillis(ttl))
          .thenApply(done -> NamespaceInfo.newBuilder().setName(ns).setDefaultTtlMs(ttl).build());
    }, info -> "{\"default_ttl_ms\": " + info.getDefaultTtlMs() + "}"));
  }

  /**
   * Runs an admin operation and records it in the audit trail with its outcome: OK (with {@code detail}),
   * REFUSED (bad input, a missing confirmation) or FAILED. Until authentication exists the actor is "anonymous".
   */
  private <T> CompletableFuture<T> audited(String action, String namespace, String target,
      java.util.function.Supplier<CompletableFuture<T>> operation, java.util.function.Function<T, String> detail) {
    CompletableFuture<T> result;
    try {
      result = operation.get();
    } catch (RuntimeException e) {
      record(action, namespace, target, "REFUSED", json("error", e.getMessage()));
      throw e;
    }
    return result.whenComplete((value, failure) -> record(action, namespace, target,
        failure == null ? "OK" : "FAILED",
        failure == null ? detail.apply(value) : json("error", String.valueOf(failure.getMessage()))));
  }

  private void record(String action, String namespace, String target, String outcome, String detailJson) {
    audit.record(new AuditEvent(java.util.UUID.randomUUID(), clock.instant(), "anonymous", action, namespace, target,
        outcome, nodeId, null, detailJson));
  }

  private static String json(String key, String value) {
    com.google.gson.JsonObject detail = new com.google.gson.JsonObject();
    detail.addProperty(key, value);
    return detail.toString();
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> response) {
    Replies.unary(response, () -> audited("member.remove", null, request.getNodeId(), () -> {
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
      namespaces.get().sorted().forEach((name, ttl) -> byName.put(name,
          NamespaceInfo.newBuilder().setName(name).setDefaultTtlMs(ttl.toMillis()).build()));
      counts.forEach((name, entries) -> byName.merge(name,
          NamespaceInfo.newBuilder().setName(name).setEntries(entries).build(),
          (configured, seen) -> configured.toBuilder().setEntries(entries).build()));
      return CompletableFuture.completedFuture(
          ListNamespacesResponse.newBuilder().addAllNamespaces(byName.values()).build());
    });
  }

  @Override
  public void flush(FlushRequest request, StreamObserver<FlushResponse> response) {
    Replies.unary(response, () -> audited("namespace.flush", request.getNamespace(), null, () -> {
      String ns = validator.namespace(request.getNamespace());
      if (!ns.equals(request.getConfirm())) {
        throw new CacheException(ErrorReason.CONFIRMATION_REQUIRED,
            "flushing removes every entry of '" + ns + "': set confirm to the namespace name to proceed");
      }
      return operations.flush(ns).thenApply(count -> FlushResponse.newBuilder().setDeletedCount(count).build());
    }, r -> "{\"deleted\": " + r.getDeletedCount() + "}"));
  }
}
