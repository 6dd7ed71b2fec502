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
import java.util.UUID;

/** Refuses a call with a stable reason and records the refusal in the audit trail. */
public final class Denials {
  /** Longest request id copied into the audit trail. */
  private static final int MAX_REQUEST_ID = 128;
  private final AuditSink audit;
  private final Clock clock;
  private final String nodeId;

  public Denials(AuditSink audit, Clock clock, String nodeId) {
    this.audit = audit;
    this.clock = clock;
    this.nodeId = nodeId;
  }

  /**
   * Closes {@code call} with {@code reason} and audits it as {@code action} (e.g. "auth.denied").
   *
   * @param extraTrailers added to the status trailers (e.g. retry-after-ms), or null
   */
  public void refuse(ServerCall<?, ?> call, Metadata headers, String action, String actor, String namespace,
      ErrorReason reason, String message, Metadata extraTrailers, JsonObject detail) {
    JsonObject json = detail == null ? new JsonObject() : detail;
    json.addProperty("reason", reason.name());
    json.addProperty("method", call.getMethodDescriptor().getFullMethodName());
    record(action, actor, namespace, call.getMethodDescriptor().getFullMethodName(), "DENIED", requestId(headers), json);
    close(call, reason, message, extraTrailers);
  }

  /** Closes {@code call} with {@code reason} without auditing it (the caller audits in aggregate). */
  public void close(ServerCall<?, ?> call, ErrorReason reason, String message, Metadata extraTrailers) {
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
