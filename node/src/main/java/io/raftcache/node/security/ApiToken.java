package io.raftcache.node.security;

import java.time.Instant;
import java.util.Map;

/**
 * An API token as the nodes know it (never its secret): its name, grants, expiry and revocation.
 *
 * @param name unique name, used as the actor in the audit trail
 * @param grants role by namespace; {@link #EVERY_NAMESPACE} grants on all of them
 * @param expiresAt when it stops working, or null for never
 * @param revokedAt when it was revoked, or null
 * @param opsPerSecond calls per second a node accepts from it; 0 means no limit
 */
public record ApiToken(String name, Map<String, Role> grants, Instant expiresAt, Instant revokedAt, int opsPerSecond) {
  /** The namespace name in a grant that means every namespace. */
  public static final String EVERY_NAMESPACE = "*";

  public ApiToken {
    grants = Map.copyOf(grants);
  }

  /** The role this token holds on {@code namespace} (the higher of its grant there and on "*"), or null. */
  public Role roleOn(String namespace) {
    Role specific = grants.get(namespace);
    Role everywhere = grants.get(EVERY_NAMESPACE);
    if (specific == null) {
      return everywhere;
    }
    return everywhere == null || specific.includes(everywhere) ? specific : everywhere;
  }
}
