package io.raftcache.proto;

import io.grpc.Status;
import io.raftcache.proto.v1.ErrorReason;

/** The gRPC status code that goes with each stable {@link ErrorReason}, and reading the reason off a failure. */
public final class ErrorReasons {
  private ErrorReasons() {}

  /** Returns the status code a server uses for {@code reason}. */
  public static Status.Code statusCode(ErrorReason reason) {
    return switch (reason) {
      case INVALID_NAMESPACE, EMPTY_KEY, KEY_TOO_LARGE, VALUE_TOO_LARGE, BATCH_TOO_LARGE, DUPLICATE_KEY,
          INVALID_TTL, INVALID_TAG, CONFLICTING_OPTIONS -> Status.Code.INVALID_ARGUMENT;
      case NOT_AN_INTEGER, CONFIRMATION_REQUIRED, EPOCH_MISMATCH, MEMBERSHIP_REJECTED, CONFIG_UNAVAILABLE,
          UNSUPPORTED_ON_ENCRYPTED, ENCRYPTION_KEY_MISSING -> Status.Code.FAILED_PRECONDITION;
      case DECRYPTION_FAILED -> Status.Code.DATA_LOSS;
      case INTEGER_OVERFLOW -> Status.Code.OUT_OF_RANGE;
      case TOKEN_REQUIRED, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED, NOT_A_MEMBER -> Status.Code.UNAUTHENTICATED;
      case ROLE_REQUIRED -> Status.Code.PERMISSION_DENIED;
      case NAME_TAKEN -> Status.Code.ALREADY_EXISTS;
      case NO_SUCH_OBJECT -> Status.Code.NOT_FOUND;
      case NODE_NOT_READY, NOT_LEADER, OUTCOME_UNKNOWN, PARTITION_BUSY -> Status.Code.UNAVAILABLE;
      case QUOTA_EXCEEDED, STORE_FULL -> Status.Code.RESOURCE_EXHAUSTED;
      case INTERNAL_ERROR, ERROR_REASON_UNSPECIFIED, UNRECOGNIZED -> Status.Code.INTERNAL;
    };
  }

  /**
   * The reason a raftcache server attached to a failed call (its {@code google.rpc.ErrorInfo} in the status
   * details, domain {@link RaftCacheMetadata#ERROR_DOMAIN}), or ERROR_REASON_UNSPECIFIED if there is none.
   */
  public static ErrorReason reasonOf(Throwable failure) {
    com.google.rpc.Status details = io.grpc.protobuf.StatusProto.fromThrowable(failure);
    if (details == null) {
      return ErrorReason.ERROR_REASON_UNSPECIFIED;
    }
    for (com.google.protobuf.Any any : details.getDetailsList()) {
      if (any.is(com.google.rpc.ErrorInfo.class)) {
        try {
          com.google.rpc.ErrorInfo info = any.unpack(com.google.rpc.ErrorInfo.class);
          if (RaftCacheMetadata.ERROR_DOMAIN.equals(info.getDomain())) {
            ErrorReason reason = ErrorReason.valueOf(info.getReason());
            return reason;
          }
        } catch (com.google.protobuf.InvalidProtocolBufferException | IllegalArgumentException unknown) {
          return ErrorReason.ERROR_REASON_UNSPECIFIED;
        }
      }
    }
    return ErrorReason.ERROR_REASON_UNSPECIFIED;
  }
}
