package io.raftcache.node.common;

import io.raftcache.proto.v1.ErrorReason;

/** A request failure with a stable reason; the API maps it to a gRPC status carrying that reason. */
public final class CacheException extends RuntimeException {
  private final ErrorReason reason;

  /** Creates a failure with {@code reason} and a message for the caller. */
  public CacheException(ErrorReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** The stable reason. */
  public ErrorReason reason() {
    return reason;
  }
}
