package io.raftcache.node.common;

import io.grpc.Context;

/** Per-request facts that travel in the gRPC {@link Context} from interceptors to the partition layer. */
public final class RequestContext {
  /** True when the caller asked for NOT_LEADER instead of forwarding. */
  public static final Context.Key<Boolean> NO_FORWARD = Context.keyWithDefault("raftcache-no-forward", false);

  /** The caller's x-request-id (bounded length), or null. */
  public static final Context.Key<String> REQUEST_ID = Context.key("raftcache-request-id");

  private RequestContext() {}
}
