package io.raftcache.node.config;

import java.nio.file.Path;

/**
 * Certificate files for TLS on the client port and mutual TLS between nodes.
 *
 * @param certificate PEM certificate chain this node presents (as a server, and as a client to its peers)
 * @param privateKey PEM PKCS#8 private key of {@code certificate}
 * @param trustedCa PEM certificates of the CA that signs the nodes' certificates; peers must present one
 */
public record TlsSettings(Path certificate, Path privateKey, Path trustedCa) {
  public TlsSettings {
    if (certificate == null || privateKey == null || trustedCa == null) {
      throw new IllegalArgumentException("TLS needs a certificate, its private key and the trusted CA (--tls-cert,"
          + " --tls-key, --tls-ca)");
    }
  }
}
