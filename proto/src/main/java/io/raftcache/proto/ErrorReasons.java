package io.raftcache.proto;

import io.grpc.Status;
import io.raftcache.proto.v1.ErrorReason;

/** The gRPC status code that goes with each stable {@link ErrorReason}. */
public final class ErrorReasons {
  private ErrorReasons() {}

  /** Returns the status code a server uses for {@code reason}. */
  public static Status.Code statusCode(ErrorReason reason) {
    return switch (reason) {
      case INVALID_NAMESPACE, EMPTY_KEY, KEY_TOO_LARGE, VALUE_TOO_LARGE, BATCH_TOO_LARGE, DUPLICATE_KEY,
          INVALID_TTL, INVALID_TAG, CONFLICTING_OPTIONS -> Status.Code.INVALID_ARGUMENT;
      case NOT_AN_INTEGER, CONFIRMATION_REQUIRED, EPOCH_MISMATCH, MEMBERSHIP_REJECTED -> Status.Code.FAILED_PRECONDITION;
      case INTEGER_OVERFLOW -> Status.Code.OUT_OF_RANGE;
      case NODE_NOT_READY, NOT_LEADER, OUTCOME_UNKNOWN -> Status.Code.UNAVAILABLE;
      case QUOTA_EXCEEDED, STORE_FULL -> Status.Code.RESOURCE_EXHAUSTED;
      case INTERNAL_ERROR, ERROR_REASON_UNSPECIFIED, UNRECOGNIZED -> Status.Code.INTERNAL;
    };
  }
}
