package io.raftcache.node.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.raftcache.node.common.RequestContext;
import io.raftcache.node.config.AuthMode;
import io.raftcache.node.security.MethodRule.Scope;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.ErrorReason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Authenticates every call by its bearer token (or, on internal services, the cluster secret) and authorizes it
 * by the {@link AccessPolicy}: UNAUTHENTICATED without a valid token, PERMISSION_DENIED without the role. Each
 * refusal is audited. The namespace of a call is in its request message, so namespace roles are checked when
 * the message arrives, before the service sees it.
 */
public final class AuthInterceptor implements ServerInterceptor {
  private static final String BEARER = "Bearer ";
  private final AuthMode mode;
  private final Supplier<TokenTable> tokens;
  private final byte[] clusterSecret;
  private final AccessPolicy policy;
  private final Denials denials;
  private final Clock clock;

  /** @param clusterSecret what members present on internal calls; null refuses every internal call in token mode */
  public AuthInterceptor(AuthMode mode, Supplier<TokenTable> tokens, String clusterSecret, AccessPolicy policy,
      Denials denials, Clock clock) {
    this.mode = mode;
    this.tokens = tokens;
    this.clusterSecret = clusterSecret == null ? null : clusterSecret.getBytes(StandardCharsets.UTF_8);
    this.policy = policy;
    this.denials = denials;
    this.clock = clock;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    MethodRule rule = policy.ruleFor(call.getMethodDescriptor().getFullMethodName());
    if (mode == AuthMode.OPEN) {
      return withPrincipal(Principal.OPEN, call, headers, next);
    }
    if (rule == null) {
      return refuse(call, headers, "anonymous", "", ErrorReason.ROLE_REQUIRED, "no access rule covers this method");
    }
    if (rule.scope() == Scope.PUBLIC) {
      return next.startCall(call, headers);
    }
    if (rule.scope() == Scope.MEMBER) {
      String presented = headers.get(RaftCacheMetadata.CLUSTER_SECRET);
      if (clusterSecret == null || presented == null
          || !MessageDigest.isEqual(clusterSecret, presented.getBytes(StandardCharsets.UTF_8))) {
        return refuse(call, headers, "anonymous", "", ErrorReason.NOT_A_MEMBER,
            "internal services answer only members of this cluster (cluster secret missing or wrong)");
      }
      return withPrincipal(Principal.MEMBER, call, headers, next);
    }
    String authorization = headers.get(RaftCacheMetadata.AUTHORIZATION);
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return refuse(call, headers, "anonymous", "", ErrorReason.TOKEN_REQUIRED,
          "this node requires 'authorization: Bearer <token>'");
    }
    ApiToken token = tokens.get().find(authorization.substring(BEARER.length()).trim());
    if (token == null) {
      return refuse(call, headers, "unknown-token", "", ErrorReason.TOKEN_INVALID, "the token is not known");
    }
    if (token.revokedAt() != null) {
      return refuse(call, headers, token.name(), "", ErrorReason.TOKEN_REVOKED,
          "token '" + token.name() + "' was revoked");
    }
    if (token.expiresAt() != null && !clock.instant().isBefore(token.expiresAt())) {
      return refuse(call, headers, token.name(), "", ErrorReason.TOKEN_EXPIRED,
          "token '" + token.name() + "' expired at " + token.expiresAt());
    }
    Principal principal = new Principal(token.name(), token);
    return switch (rule.scope()) {
      case AUTHENTICATED -> withPrincipal(principal, call, headers, next);
      case CLUSTER -> {
        Role held = token.grants().get(ApiToken.EVERY_NAMESPACE);
        if (held == null || !held.includes(rule.role())) {
          yield refuse(call, headers, token.name(), "", ErrorReason.ROLE_REQUIRED, "this operation needs the "
              + rule.role().label() + " role on every namespace (\"*\"); token '" + token.name() + "' has "
              + (held == null ? "none" : held.label()));
        }
        yield withPrincipal(principal, call, headers, next);
      }
      case NAMESPACE -> new NamespaceCheck<>(withPrincipal(principal, call, headers, next), call, headers, rule,
          token);
      default -> throw new IllegalStateException("unhandled scope " + rule.scope());
    };
  }

  private <Q, R> ServerCall.Listener<Q> withPrincipal(Principal principal, ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Context context = Context.current().withValues(Principal.CURRENT, principal,
        RequestContext.REQUEST_ID, Denials.requestId(headers));
    return Contexts.interceptCall(context, call, headers, next);
  }

  private <Q> ServerCall.Listener<Q> refuse(ServerCall<Q, ?> call, Metadata headers, String actor, String namespace,
      ErrorReason reason, String message) {
    String action = reason == ErrorReason.ROLE_REQUIRED ? "access.denied" : "auth.denied";
    denials.refuse(call, headers, action, actor, namespace, reason, message, null, null,
        Denials.INDIVIDUAL_REFUSALS_PER_SECOND);
    return new ServerCall.Listener<>() {};
  }

  /** Checks the token's role on the request's namespace before the service sees the request. */
  private final class NamespaceCheck<Q> extends AdmissionListener<Q> {
    private final ServerCall<Q, ?> call;
    private final Metadata headers;
    private final MethodRule rule;
    private final ApiToken token;

    NamespaceCheck(ServerCall.Listener<Q> delegate, ServerCall<Q, ?> call, Metadata headers, MethodRule rule,
        ApiToken token) {
      super(delegate);
      this.call = call;
      this.headers = headers;
      this.rule = rule;
      this.token = token;
    }

    @Override
    boolean admit(Q message) {
      String namespace = rule.namespaceOf(message);
      Role held = token.roleOn(namespace);
      if (held == null || !held.includes(rule.role())) {
        refuse(call, headers, token.name(), namespace, ErrorReason.ROLE_REQUIRED, "this call needs the "
            + rule.role().label() + " role on namespace '" + namespace + "'; token '" + token.name() + "' has "
            + (held == null ? "none" : held.label()));
        return false;
      }
      return true;
    }
  }
}
