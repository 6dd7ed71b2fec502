package io.raftcache.node.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.raftcache.node.common.RequestContext;
import io.raftcache.proto.RaftCacheMetadata;

/** Puts the caller's {@code raftcache-no-forward} header into the request context for the partition layer. */
public final class NoForwardInterceptor implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!"true".equalsIgnoreCase(headers.get(RaftCacheMetadata.NO_FORWARD))) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(RequestContext.NO_FORWARD, true), call, headers, next);
  }
}
