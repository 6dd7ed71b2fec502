package io.raftcache.node.security;

import java.util.Map;

/**
 * The tokens a node accepts, by the SHA-256 of their secrets.
 *
 * @param bySha256Hex tokens keyed by the lower-case hex SHA-256 of their secret
 */
public record TokenTable(Map<String, ApiToken> bySha256Hex) {
  public TokenTable {
    bySha256Hex = Map.copyOf(bySha256Hex);
  }

  /** A table that accepts no token. */
  public static TokenTable empty() {
    return new TokenTable(Map.of());
  }

  /** The token whose secret is {@code secret}, or null. */
  public ApiToken find(String secret) {
    return bySha256Hex.get(TokenSecrets.sha256Hex(secret));
  }

  /** How many tokens it holds. */
  public int size() {
    return bySha256Hex.size();
  }
}
