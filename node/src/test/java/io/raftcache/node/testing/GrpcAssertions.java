package io.raftcache.node.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.ErrorReason;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on gRPC failures and the ErrorInfo reason they carry. */
public final class GrpcAssertions {
  private GrpcAssertions() {}

  /** Asserts that {@code call} fails with {@code code} and an ErrorInfo whose reason is {@code reason}. */
  public static StatusRuntimeException assertFails(ThrowingCallable call, Status.Code code, ErrorReason reason) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("expected %s %s", code, reason).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(code);
    assertThat(reasonOf(e)).isEqualTo(reason.name());
    assertThat(e.getStatus().getDescription()).isNotBlank();
    return e;
  }

  /** The ErrorInfo reason of a failure, or null. */
  public static String reasonOf(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return null;
    }
    for (com.google.protobuf.Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          assertThat(info.getDomain()).isEqualTo(RaftCacheMetadata.ERROR_DOMAIN);
          return info.getReason();
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      }
    }
    return null;
  }
}
