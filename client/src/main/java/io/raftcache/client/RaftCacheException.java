package io.raftcache.client;

import io.grpc.Status;
import io.raftcache.proto.v1.ErrorReason;

/** A call that failed with an answer from the cluster (or none before its deadline): the status and the reason. */
public class RaftCacheException extends RuntimeException {
  private final Status.Code code;
  private final ErrorReason reason;

  public RaftCacheException(Status.Code code, ErrorReason reason, String message, Throwable cause) {
    super(code + (reason == ErrorReason.ERROR_REASON_UNSPECIFIED ? "" : " " + reason) + ": " + message, cause);
    this.code = code;
    this.reason = reason;
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** The stable reason from the status details, or ERROR_REASON_UNSPECIFIED when the server sent none. */
  public ErrorReason reason() {
    return reason;
  }
}
