package io.raftcache.node.cluster;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.security.TlsContexts;
import io.raftcache.proto.RaftCacheMetadata;

/**
 * Builds the channels a node opens to other members: they present the cluster secret on every call, so the
 * receiving node's internal services can tell a member from a client. With TLS on they use mutual TLS: this
 * node's certificate as the client certificate, and the cluster's CA to verify the peer and its host name.
 */
public final class PeerChannelFactory {
  private final SecuritySettings security;
  /** Null for plaintext. Built once, so bad TLS files fail the node's start rather than its first forward. */
  private final SslContext tls;

  public PeerChannelFactory(SecuritySettings security) {
    this.security = security;
    this.tls = security.tls() == null ? null : TlsContexts.forPeers(security.tls());
  }

  /** A channel to {@code target} (host:port of a member's client endpoint). */
  public ManagedChannel open(String target, int maxInboundMessageBytes) {
    NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target).maxInboundMessageSize(maxInboundMessageBytes);
    if (tls != null) {
      builder.sslContext(tls);
    } else {
      builder.usePlaintext();
    }
    if (security.clusterSecret() != null) {
      builder.intercept(new ClusterSecretInterceptor(security.clusterSecret()));
    }
    return builder.build();
  }

  /** Adds {@code raftcache-cluster-secret} to each outgoing call. */
  private static final class ClusterSecretInterceptor implements ClientInterceptor {
    private final String secret;

    ClusterSecretInterceptor(String secret) {
      this.secret = secret;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          headers.put(RaftCacheMetadata.CLUSTER_SECRET, secret);
          super.start(listener, headers);
        }
      };
    }
  }
}
