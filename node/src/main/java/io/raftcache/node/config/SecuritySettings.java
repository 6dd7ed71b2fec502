package io.raftcache.node.config;

/**
 * Who may call a node and how its connections are protected.
 *
 * @param auth token checking, or open for local development
 * @param clusterSecret shared by the members of a cluster, sent on inter-node calls and required on internal
 *     services in {@link AuthMode#TOKENS} mode; null in open mode
 * @param tls certificate files, or null for plaintext
 */
public record SecuritySettings(AuthMode auth, String clusterSecret, TlsSettings tls) {
  /** Open, plaintext: what tests and the local dev cluster use. */
  public static final SecuritySettings OPEN_PLAINTEXT = new SecuritySettings(AuthMode.OPEN, null, null);

  public SecuritySettings {
    if (auth == null) {
      throw new IllegalArgumentException("choose --auth tokens or --auth open");
    }
    if (clusterSecret != null && clusterSecret.length() < 16) {
      throw new IllegalArgumentException("the cluster secret must be at least 16 characters");
    }
  }

  @Override
  public String toString() {
    return "SecuritySettings[" + auth + (clusterSecret == null ? "" : ", cluster secret set") + ", tls " + tls + "]";
  }
}
