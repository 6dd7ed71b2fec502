package io.raftcache.node.api;

import com.google.gson.JsonObject;
import io.raftcache.node.audit.AuditEvent;
import io.raftcache.node.audit.AuditSink;
import io.raftcache.node.common.RequestContext;
import io.raftcache.node.security.Principal;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs admin operations so that each leaves one audit event with its outcome: OK (with a detail made from the
 * result), REFUSED (it threw before starting: bad input, a missing confirmation) or FAILED, with the calling
 * token's name as the actor and the caller's request id.
 */
final class AuditedCalls {
  private final AuditSink sink;
  private final Clock clock;
  private final String nodeId;

  AuditedCalls(AuditSink sink, Clock clock, String nodeId) {
    this.sink = sink;
    this.clock = clock;
    this.nodeId = nodeId;
  }

  /** Starts {@code operation} and audits it as {@code action} on {@code namespace}/{@code target} (either null). */
  <T> CompletableFuture<T> run(String action, String namespace, String target, Supplier<CompletableFuture<T>> operation,
      Function<T, String> detail) {
    String actor = Principal.current().actor(); // read on the gRPC thread, where the call's context is attached
    String requestId = RequestContext.REQUEST_ID.get();
    CompletableFuture<T> result;
    try {
      result = operation.get();
    } catch (RuntimeException e) {
      record(actor, requestId, action, namespace, target, "REFUSED", json("error", e.getMessage()));
      throw e;
    }
    return result.whenComplete((value, failure) -> record(actor, requestId, action, namespace, target,
        failure == null ? "OK" : "FAILED",
        failure == null ? detail.apply(value) : json("error", String.valueOf(failure.getMessage()))));
  }

  private void record(String actor, String requestId, String action, String namespace, String target, String outcome,
      String detailJson) {
    sink.record(new AuditEvent(UUID.randomUUID(), clock.instant(), actor, action, namespace, target, outcome, nodeId,
        requestId, detailJson));
  }

  /** A JSON object with one string member. */
  static String json(String key, String value) {
    JsonObject detail = new JsonObject();
    detail.addProperty(key, value);
    return detail.toString();
  }
}
