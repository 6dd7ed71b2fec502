package io.raftcache.node.security;

import io.raftcache.node.security.MethodRule.Scope;
import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.ClusterGrpc;
import java.util.HashMap;
import java.util.Map;

/**
 * The rule for every RPC a node serves: who may call it, with which role. A method without a rule is refused,
 * so a new RPC cannot be served unprotected by accident.
 */
public final class AccessPolicy {
  private static final String INTERNAL_PACKAGE = "raftcache.internal.";
  private static final MethodRule MEMBERS_ONLY = new MethodRule(Scope.MEMBER, null, null, false);
  private static final MethodRule PUBLIC = new MethodRule(Scope.PUBLIC, null, null, false);
  private final Map<String, MethodRule> rules = new HashMap<>();

  /** The policy of the raftcache services (public, admin and internal ones). */
  public AccessPolicy() {
    MethodRule read = new MethodRule(Scope.NAMESPACE, Role.READ, "namespace", false);
    MethodRule write = new MethodRule(Scope.NAMESPACE, Role.WRITE, "namespace", false);
    MethodRule grow = new MethodRule(Scope.NAMESPACE, Role.WRITE, "namespace", true);
    MethodRule namespaceAdmin = new MethodRule(Scope.NAMESPACE, Role.ADMIN, "namespace", false);
    MethodRule clusterRead = new MethodRule(Scope.CLUSTER, Role.READ, null, false);
    MethodRule clusterAdmin = new MethodRule(Scope.CLUSTER, Role.ADMIN, null, false);
    MethodRule authenticated = new MethodRule(Scope.AUTHENTICATED, null, null, false);

    put(CacheGrpc.getGetMethod().getFullMethodName(), read);
    put(CacheGrpc.getGetMultiMethod().getFullMethodName(), read);
    put(CacheGrpc.getSetMethod().getFullMethodName(), grow);
    put(CacheGrpc.getSetMultiMethod().getFullMethodName(), grow);
    put(CacheGrpc.getIncrementMethod().getFullMethodName(), grow);
    put(CacheGrpc.getCompareAndSetMethod().getFullMethodName(), grow);
    put(CacheGrpc.getDeleteMethod().getFullMethodName(), write);
    put(CacheGrpc.getDeleteMultiMethod().getFullMethodName(), write);
    put(CacheGrpc.getTouchMethod().getFullMethodName(), write);
    put(CacheGrpc.getInvalidateTagMethod().getFullMethodName(), write);

    put(AdminGrpc.getGetStatsMethod().getFullMethodName(), clusterRead);
    put(AdminGrpc.getListNamespacesMethod().getFullMethodName(), clusterRead);
    put(AdminGrpc.getFlushMethod().getFullMethodName(), namespaceAdmin);
    put(AdminGrpc.getEraseTagMethod().getFullMethodName(), namespaceAdmin);
    put(AdminGrpc.getRemoveNodeMethod().getFullMethodName(), clusterAdmin);
    put(AdminGrpc.getSetNamespaceMethod().getFullMethodName(), clusterAdmin);
    put(AdminGrpc.getSetQuotaMethod().getFullMethodName(), clusterAdmin);
    put(AdminGrpc.getCreateTokenMethod().getFullMethodName(), clusterAdmin);
    put(AdminGrpc.getRevokeTokenMethod().getFullMethodName(), clusterAdmin);
    put(AdminGrpc.getListTokensMethod().getFullMethodName(), clusterAdmin);

    put(ClusterGrpc.getGetTopologyMethod().getFullMethodName(), authenticated);
    put(ClusterGrpc.getWatchTopologyMethod().getFullMethodName(), authenticated);
  }

  private void put(String method, MethodRule rule) {
    rules.put(method, rule);
  }

  /**
   * The rule for {@code fullMethodName} ("package.Service/Method"), or null if it has none: every internal
   * service needs membership, health checks and reflection are public.
   */
  public MethodRule ruleFor(String fullMethodName) {
    MethodRule rule = rules.get(fullMethodName);
    if (rule != null) {
      return rule;
    }
    if (fullMethodName.startsWith(INTERNAL_PACKAGE)) {
      return MEMBERS_ONLY;
    }
    if (fullMethodName.startsWith("grpc.health.v1.") || fullMethodName.startsWith("grpc.reflection.")) {
      return PUBLIC;
    }
    return null;
  }
}
