package io.raftcache.node.raft;

import io.raftcache.node.config.TlsSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Mutual TLS on the raft port: makes SOFAJRaft's bolt transport present this node's certificate and require one
 * signed by the cluster's CA, in both directions, from the same PEM files as the gRPC port.
 *
 * <p>sofa-bolt reads its TLS settings from system properties (jraft 1.3.15 builds its raft clients through one
 * JVM-wide factory, so there is no per-node place to put them) and only from a password-protected keystore that is
 * also its trust store. This class writes such a PKCS#12 file (node key and chain, plus the CA as a trusted
 * entry; owner-only, random password) into the raft directory and points the properties at it. A process runs one
 * node, so process-wide settings are that node's; nodes sharing a JVM in tests use the same files.
 */
final class RaftTransportTls implements AutoCloseable {
  private static final List<String> PROPERTIES = List.of("bolt.server.ssl.enable", "bolt.server.ssl.clientAuth",
      "bolt.server.ssl.keystore", "bolt.server.ssl.keystore.password", "bolt.server.ssl.keystore.type",
      "bolt.client.ssl.enable", "bolt.client.ssl.keystore", "bolt.client.ssl.keystore.password",
      "bolt.client.ssl.keystore.type");
  private final Path keystore;

  private RaftTransportTls(Path keystore) {
    this.keystore = keystore;
  }

  /** Turns on mutual TLS for the bolt transport with {@code tls}'s files, writing the keystore into {@code dir}. */
  static RaftTransportTls enable(TlsSettings tls, Path dir, SecureRandom random) {
    byte[] secret = new byte[24];
    random.nextBytes(secret);
    String password = Base64.getEncoder().encodeToString(secret);
    Path keystore = dir.resolve("raft-tls.p12");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      Collection<? extends Certificate> chain = certificates(tls.certificate());
      store.setKeyEntry("node", privateKey(tls.privateKey()), password.toCharArray(),
          chain.toArray(new Certificate[0]));
      int i = 0;
      for (Certificate ca : certificates(tls.trustedCa())) {
        store.setCertificateEntry("ca-" + i++, ca);
      }
      Files.createDirectories(dir);
      Files.deleteIfExists(keystore);
      Files.createFile(keystore, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = Files.newOutputStream(keystore, StandardOpenOption.TRUNCATE_EXISTING)) {
        store.store(out, password.toCharArray());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the raft port's keystore " + keystore, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the TLS files for the raft port: " + e.getMessage(), e);
    }
    Map<String, String> values = Map.of("bolt.server.ssl.enable", "true", "bolt.server.ssl.clientAuth", "true",
        "bolt.server.ssl.keystore", keystore.toString(), "bolt.server.ssl.keystore.password", password,
        "bolt.server.ssl.keystore.type", "PKCS12", "bolt.client.ssl.enable", "true",
        "bolt.client.ssl.keystore", keystore.toString(), "bolt.client.ssl.keystore.password", password,
        "bolt.client.ssl.keystore.type", "PKCS12");
    values.forEach(System::setProperty);
    return new RaftTransportTls(keystore);
  }

  /** Makes sure the bolt transport is plaintext (a node without TLS, after a TLS one in the same test JVM). */
  static void disable() {
    PROPERTIES.forEach(System::clearProperty);
  }

  private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new GeneralSecurityException(pem + " holds no certificate");
      }
      return certificates;
    }
  }

  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException(pem + " is not a PKCS#8 PEM private key");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException(pem + ": not an EC, RSA or Ed25519 key", last);
  }

  /** Clears the properties if they still point at this node's keystore (the last node of a test JVM). */
  @Override
  public void close() {
    if (keystore.toString().equals(System.getProperty("bolt.server.ssl.keystore"))) {
      disable();
    }
  }
}
