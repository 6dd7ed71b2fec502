package io.raftcache.client;

import io.grpc.Status;
import io.raftcache.proto.v1.ErrorReason;

/**
 * A non-idempotent write (Increment, CompareAndSet, a conditional Set or Delete) failed in a way that does not say
 * whether it was applied, so the client did not retry it: read the key before deciding what to do.
 */
public final class AmbiguousOutcomeException extends RaftCacheException {
  public AmbiguousOutcomeException(Status.Code code, ErrorReason reason, String message, Throwable cause) {
    super(code, reason, message, cause);
  }
}
