package io.raftcache.node.api;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.raftcache.node.common.CacheException;
import io.raftcache.node.common.Failures;
import io.raftcache.proto.ErrorReasons;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.ErrorReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns failures into gRPC statuses that carry a stable {@code google.rpc.ErrorInfo} reason. */
public final class GrpcErrors {
  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  /** The status exception to send for {@code failure}. */
  public static StatusRuntimeException toStatus(Throwable failure) {
    Throwable cause = Failures.unwrap(failure);
    if (cause instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (cause instanceof CacheException ce) {
      StatusRuntimeException e = withReason(ce.reason(), ce.getMessage());
      if (ce.leaderHint() != null) {
        e.getTrailers().put(RaftCacheMetadata.LEADER_HINT, ce.leaderHint());
      }
      return e;
    }
    log.error("unexpected failure serving a request", cause);
    return withReason(ErrorReason.INTERNAL_ERROR, "internal error: " + cause.getClass().getSimpleName());
  }

  /** A status exception with {@code reason}'s code and an ErrorInfo carrying the reason. */
  public static StatusRuntimeException withReason(ErrorReason reason, String message) {
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(ErrorReasons.statusCode(reason).value())
        .setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder()
            .setReason(reason.name())
            .setDomain(RaftCacheMetadata.ERROR_DOMAIN)
            .build()))
        .build();
    return StatusProto.toStatusRuntimeException(status);
  }
}
