package io.raftcache.node.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Makes token secrets and the SHA-256 digests the cluster stores instead of them. */
public final class TokenSecrets {
  /** Prefix of every secret, so a leaked one is recognisable (e.g. by secret scanners). */
  public static final String PREFIX = "rct_";
  private final SecureRandom random;

  public TokenSecrets(SecureRandom random) {
    this.random = random;
  }

  /** A new secret: the prefix and 32 random bytes, base64url. */
  public String newSecret() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The SHA-256 of {@code secret}'s UTF-8 bytes. */
  public static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The SHA-256 of {@code secret} in lower-case hex, the key tokens are looked up by. */
  public static String sha256Hex(String secret) {
    return HexFormat.of().formatHex(sha256(secret));
  }
}
