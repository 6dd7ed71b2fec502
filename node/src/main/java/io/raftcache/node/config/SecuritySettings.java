package io.raftcache.node.config;

import io.raftcache.node.crypto.Keyring;

/**
 * Who may call a node and how its connections are protected.
 *
 * @param auth token checking, or open for local development
 * @param clusterSecret shared by the members of a cluster, sent on inter-node calls and required on internal
 *     services in {@link AuthMode#TOKENS} mode; null in open mode
 * @param tls certificate files, or null for plaintext
 * @param encryptionKeys keys for namespaces that encrypt their values at rest; {@link Keyring#EMPTY} for none
 */
public record SecuritySettings(AuthMode auth, String clusterSecret, TlsSettings tls, Keyring encryptionKeys) {
  /** Open, plaintext, no encryption keys: what tests and the local dev cluster use. */
  public static final SecuritySettings OPEN_PLAINTEXT = new SecuritySettings(AuthMode.OPEN, null, null);

  /** Settings without encryption keys. */
  public SecuritySettings(AuthMode auth, String clusterSecret, TlsSettings tls) {
    this(auth, clusterSecret, tls, Keyring.EMPTY);
  }

  public SecuritySettings {
    if (encryptionKeys == null) {
      encryptionKeys = Keyring.EMPTY;
    }
    if (auth == null) {
      throw new IllegalArgumentException("choose --auth tokens or --auth open");
    }
    if (clusterSecret != null && clusterSecret.length() < 16) {
      throw new IllegalArgumentException("the cluster secret must be at least 16 characters");
    }
  }

  @Override
  public String toString() {
    // Never the secret or key material: this record is logged at start-up.
    return "SecuritySettings[" + auth + (clusterSecret == null ? "" : ", cluster secret set") + ", tls " + tls
        + ", encryption " + encryptionKeys + "]";
  }
}
