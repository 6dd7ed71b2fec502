package io.raftcache.node.api;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.raftcache.node.metrics.NodeMetrics;

/** Records every call's method, status code and latency in {@link NodeMetrics}. */
public final class MetricsInterceptor implements ServerInterceptor {
  private final NodeMetrics metrics;

  public MetricsInterceptor(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    long start = System.nanoTime(); // a duration, not a point in time: nanoTime is the right clock
    String op = call.getMethodDescriptor().getBareMethodName();
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        metrics.request(op, status.getCode().name(), (System.nanoTime() - start) / 1e9);
        super.close(status, trailers);
      }
    }, headers);
  }
}
