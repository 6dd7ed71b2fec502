package io.raftcache.node.security;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Refuses a call with {@code UNAUTHENTICATED} unless its connection presented a client certificate that the TLS
 * handshake verified against the cluster's CA: what makes an internal service (forwarding, membership) callable
 * by members only when TLS is on.
 *
 * <p>The server asks for client certificates without requiring them (external clients have none), and the
 * handshake already rejects a certificate from another CA, so a certificate in the session is a verified one.
 */
public final class PeerCertificateInterceptor implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String refusal = refusal(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    if (refusal != null) {
      call.close(Status.UNAUTHENTICATED.withDescription(refusal), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  /** Why a call on {@code session} is refused, or null if its peer presented a verified certificate. */
  private static String refusal(SSLSession session) {
    if (session == null) {
      return "internal method: only cluster members may call it, over TLS with a client certificate";
    }
    try {
      return session.getPeerCertificates().length > 0 ? null : "internal method: no client certificate";
    } catch (SSLPeerUnverifiedException e) {
      return "internal method: only cluster members may call it, with a client certificate signed by the cluster CA";
    }
  }
}
