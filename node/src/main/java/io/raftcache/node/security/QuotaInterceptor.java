package io.raftcache.node.security;

import com.google.gson.JsonObject;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NamespaceSettings;
import io.raftcache.node.partition.NamespaceUsage;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.ErrorReason;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Enforces quotas on cache calls: the ops-per-second limits of the namespace and of the calling token, and the
 * namespace's entry and byte limits on calls that add data. A call over a limit gets RESOURCE_EXHAUSTED with
 * reason QUOTA_EXCEEDED and {@code retry-after-ms}. Each rejection is audited, up to a rate per token beyond which
 * one summary row a second counts the rest ({@link Denials}), so an overload cannot flood the trail.
 */
public final class QuotaInterceptor implements ServerInterceptor {
  private final AccessPolicy policy;
  private final Supplier<NamespaceDefaults> namespaces;
  private final RateLimits rates;
  private final Function<String, NamespaceUsage.Usage> usage;
  private final Duration usageInterval;
  private final Denials denials;

  /** @param usageInterval how often usage is measured: the retry-after of a capacity rejection */
  public QuotaInterceptor(AccessPolicy policy, Supplier<NamespaceDefaults> namespaces, RateLimits rates,
      Function<String, NamespaceUsage.Usage> usage, Duration usageInterval, Denials denials) {
    this.policy = policy;
    this.namespaces = namespaces;
    this.rates = rates;
    this.usage = usage;
    this.usageInterval = usageInterval;
    this.denials = denials;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    MethodRule rule = policy.ruleFor(call.getMethodDescriptor().getFullMethodName());
    if (rule == null || rule.scope() != MethodRule.Scope.NAMESPACE) {
      return next.startCall(call, headers);
    }
    Principal principal = Principal.current(); // set by the AuthInterceptor, which runs first
    return new AdmissionListener<>(next.startCall(call, headers)) {
      @Override
      boolean admit(Q message) {
        String namespace = rule.namespaceOf(message);
        Violation why = check(namespace, principal, rule.addsData());
        if (why != null) {
          reject(call, headers, principal, namespace, why);
          return false;
        }
        return true;
      }
    };
  }

  /** A limit a call hit, and when a retry may succeed. */
  private record Violation(long retryAfterMillis, String message) {}

  /** The limit the call hits, or null if it may proceed. */
  private Violation check(String namespace, Principal principal, boolean addsData) {
    NamespaceSettings settings = namespaces.get().settings(namespace);
    if (addsData && settings.hasCapacityLimit()) {
      NamespaceUsage.Usage used = usage.apply(namespace);
      if (settings.maxEntries() > 0 && used.entries() >= settings.maxEntries()) {
        return new Violation(usageInterval.toMillis(), "namespace '" + namespace + "' holds " + used.entries()
            + " entries, its limit is " + settings.maxEntries() + "; delete entries or raise the quota");
      }
      if (settings.maxBytes() > 0 && used.bytes() >= settings.maxBytes()) {
        return new Violation(usageInterval.toMillis(), "namespace '" + namespace + "' holds " + used.bytes()
            + " bytes, its limit is " + settings.maxBytes() + "; delete entries or raise the quota");
      }
    }
    // Unlimited names (most calls) skip the bucket map and the key string altogether.
    long wait = settings.opsPerSecond() == 0 ? 0 : rates.acquire("ns:" + namespace, settings.opsPerSecond());
    if (wait > 0) {
      return new Violation(wait, "namespace '" + namespace + "' is limited to " + settings.opsPerSecond() + " calls/s per node");
    }
    ApiToken token = principal.token();
    if (token != null && token.opsPerSecond() > 0) {
      wait = rates.acquire("token:" + token.name(), token.opsPerSecond());
      if (wait > 0) {
        return new Violation(wait, "token '" + token.name() + "' is limited to " + token.opsPerSecond() + " calls/s per node");
      }
    }
    return null;
  }

  private void reject(ServerCall<?, ?> call, Metadata headers, Principal principal, String namespace, Violation why) {
    String message = why.message();
    Metadata trailers = new Metadata();
    trailers.put(RaftCacheMetadata.RETRY_AFTER_MS, Long.toString(why.retryAfterMillis()));
    JsonObject detail = new JsonObject();
    detail.addProperty("limit", message);
    // A row each, up to a rate per token; beyond it the rest are counted: an overload must not flood the trail.
    denials.refuse(call, headers, "quota.rejected", principal.actor(), namespace, ErrorReason.QUOTA_EXCEEDED, message,
        trailers, detail, Denials.INDIVIDUAL_REFUSALS_PER_SECOND);
  }
}
