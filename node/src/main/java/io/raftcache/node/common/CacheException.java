package io.raftcache.node.common;

import io.raftcache.proto.v1.ErrorReason;

/** A request failure with a stable reason; the API maps it to a gRPC status carrying that reason. */
public final class CacheException extends RuntimeException {
  private final ErrorReason reason;
  private final String leaderHint;

  /** Creates a failure with {@code reason} and a message for the caller. */
  public CacheException(ErrorReason reason, String message) {
    this(reason, message, null);
  }

  /** Creates a NOT_LEADER-style failure that names the client address of the believed leader. */
  public CacheException(ErrorReason reason, String message, String leaderHint) {
    super(message, null, false, false);
    this.reason = reason;
    this.leaderHint = leaderHint;
  }

  /** host:port of the believed partition leader, or null. */
  public String leaderHint() {
    return leaderHint;
  }

  /** The stable reason. */
  public ErrorReason reason() {
    return reason;
  }
}
