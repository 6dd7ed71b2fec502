package io.raftcache.node.security;

import io.grpc.Context;

/**
 * Who a call acts as, once authenticated: a token, a member of the cluster, or anyone (open mode).
 *
 * @param actor the name recorded in the audit trail (token name, "member", or "anonymous")
 * @param token the token, or null for a member or open mode
 */
public record Principal(String actor, ApiToken token) {
  /** In open mode every caller is this one. */
  public static final Principal OPEN = new Principal("anonymous", null);
  /** A node of this cluster, proven by the cluster secret. */
  public static final Principal MEMBER = new Principal("member", null);
  /** The principal of the current call, set by {@link AuthInterceptor}. */
  public static final Context.Key<Principal> CURRENT = Context.keyWithDefault("raftcache-principal", OPEN);

  /** The current call's principal. */
  public static Principal current() {
    return CURRENT.get();
  }
}
