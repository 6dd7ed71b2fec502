package io.raftcache.node.security;

import com.google.gson.JsonObject;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.StatusRuntimeException;
import io.raftcache.node.api.GrpcErrors;
import io.raftcache.node.audit.AuditEvent;
import io.raftcache.node.audit.AuditSink;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.ErrorReason;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Refuses calls with a stable reason and records the refusals in the audit trail, one row each up to a rate per
 * actor and reason, beyond it one summary row a second with the count ({@link RefusalCoalescer}).
 */
public final class Denials {
  /** Refusals per actor and reason a second that get a row each; beyond it they are counted into a summary row. */
  public static final int INDIVIDUAL_REFUSALS_PER_SECOND = 100;
  /** Longest request id copied into the audit trail. */
  private static final int MAX_REQUEST_ID = 128;
  private final AuditSink audit;
  private final Clock clock;
  private final String nodeId;
  private final RefusalCoalescer coalescer;

  public Denials(AuditSink audit, Clock clock, String nodeId) {
    this.audit = audit;
    this.clock = clock;
    this.nodeId = nodeId;
    this.coalescer = new RefusalCoalescer(clock);
  }

  /**
   * Closes {@code call} with {@code reason} and audits it as {@code action} (e.g. "auth.denied"): on its own
   * while this actor's refusals for this reason stay within {@code individualPerSecond}, else in a summary row.
   *
   * @param extraTrailers added to the status trailers (e.g. retry-after-ms), or null
   */
  public void refuse(ServerCall<?, ?> call, Metadata headers, String action, String actor, String namespace,
      ErrorReason reason, String message, Metadata extraTrailers, JsonObject detail, int individualPerSecond) {
    String method = call.getMethodDescriptor().getFullMethodName();
    List<RefusalCoalescer.Summary> closed = new ArrayList<>(1);
    boolean alone = coalescer.admit(action + "\u0000" + actor + "\u0000" + reason.name(), individualPerSecond,
        new RefusalCoalescer.Summary(action, actor, namespace, method, reason.name(), 1), closed);
    closed.forEach(this::recordSummary);
    if (alone) {
      JsonObject json = detail == null ? new JsonObject() : detail;
      json.addProperty("reason", reason.name());
      json.addProperty("method", method);
      record(action, actor, namespace, method, "DENIED", requestId(headers), json);
    }
    close(call, reason, message, extraTrailers);
  }

  /** Audits the refusals counted in windows that have closed; the node calls it every second. */
  public void flushCounted() {
    coalescer.drainClosedWindows().forEach(this::recordSummary);
  }

  private void recordSummary(RefusalCoalescer.Summary s) {
    JsonObject json = new JsonObject();
    json.addProperty("reason", s.reason());
    json.addProperty("method", s.method());
    json.addProperty("coalesced", s.count());
    json.addProperty("window_ms", 1000);
    record(s.action(), s.actor(), s.namespace(), s.method(), "DENIED", null, json);
  }

  /** Closes {@code call} with {@code reason} without auditing it. */
  private void close(ServerCall<?, ?> call, ErrorReason reason, String message, Metadata extraTrailers) {
    StatusRuntimeException e = GrpcErrors.withReason(reason, message);
    Metadata trailers = e.getTrailers() == null ? new Metadata() : e.getTrailers();
    if (extraTrailers != null) {
      trailers.merge(extraTrailers);
    }
    call.close(e.getStatus(), trailers);
  }

  /** Records an audit event of this node. */
  public void record(String action, String actor, String namespace, String target, String outcome, String requestId,
      JsonObject detail) {
    audit.record(new AuditEvent(UUID.randomUUID(), clock.instant(), actor, action,
        namespace == null || namespace.isEmpty() ? null : namespace, target, outcome, nodeId, requestId,
        detail.toString()));
  }

  /** The caller's x-request-id, cut to a bounded length, or null. */
  public static String requestId(Metadata headers) {
    String id = headers.get(RaftCacheMetadata.REQUEST_ID);
    return id == null ? null : id.length() > MAX_REQUEST_ID ? id.substring(0, MAX_REQUEST_ID) : id;
  }
}
