package io.raftcache.node.security;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.raftcache.node.config.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the node's TLS contexts from its {@link TlsSettings}: one for the gRPC server, one for the channels it
 * opens to other members. Both present the node's own certificate and trust only the cluster's CA.
 *
 * <p>Files are checked first so that a wrong path fails the start with the flag's name, not a Netty stack trace.
 */
public final class TlsContexts {
  private TlsContexts() {}

  /**
   * The server side: serves the node's certificate and asks for a client certificate without requiring one
   * (external clients have none; members present theirs, and {@link PeerCertificateInterceptor} requires it on
   * the internal services). A presented certificate must chain to the trusted CA or the handshake fails.
   */
  public static SslContext forServer(TlsSettings tls) {
    checkFiles(tls);
    try {
      return GrpcSslContexts.configure(SslContextBuilder.forServer(tls.certificate().toFile(), tls.privateKey().toFile()))
          .trustManager(tls.trustedCa().toFile())
          .clientAuth(ClientAuth.OPTIONAL)
          .build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(unusable(tls, e), e);
    }
  }

  /**
   * The client side of node-to-node calls: presents the node's certificate and verifies the peer against the CA
   * and the host name it was reached by (so certificates need SANs for the hosts in {@code --peers}).
   */
  public static SslContext forPeers(TlsSettings tls) {
    checkFiles(tls);
    try {
      return GrpcSslContexts.forClient()
          .keyManager(tls.certificate().toFile(), tls.privateKey().toFile())
          .trustManager(tls.trustedCa().toFile())
          .build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(unusable(tls, e), e);
    }
  }

  private static void checkFiles(TlsSettings tls) {
    check(tls.certificate(), "--tls-cert");
    check(tls.privateKey(), "--tls-key");
    check(tls.trustedCa(), "--tls-ca");
  }

  /** Fails with the flag's name when {@code file} is not a readable regular file. */
  static void check(Path file, String flag) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(flag + " " + file + ": no such file");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(flag + " " + file + ": not readable by this process");
    }
  }

  private static String unusable(TlsSettings tls, Exception e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return "cannot use the TLS files (--tls-cert " + tls.certificate() + ", --tls-key " + tls.privateKey()
        + " (PEM PKCS#8), --tls-ca " + tls.trustedCa() + "): " + root;
  }
}
