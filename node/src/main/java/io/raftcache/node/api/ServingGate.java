package io.raftcache.node.api;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.raftcache.proto.v1.ErrorReason;
import java.util.function.Supplier;

/**
 * Turns cache calls away with NODE_NOT_READY while the node must not serve them (it was removed from its
 * cluster, so its replicas no longer receive writes): callers get a clear, retryable-elsewhere answer instead of
 * stale data.
 */
public final class ServingGate implements ServerInterceptor {
  private final Supplier<String> refusal;

  /** @param refusal why calls are refused right now, or null while the node serves */
  public ServingGate(Supplier<String> refusal) {
    this.refusal = refusal;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String why = refusal.get();
    if (why == null) {
      return next.startCall(call, headers);
    }
    StatusRuntimeException e = GrpcErrors.withReason(ErrorReason.NODE_NOT_READY, why);
    call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
    return new ServerCall.Listener<>() {};
  }
}
