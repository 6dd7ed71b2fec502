package io.raftcache.node.crypto;

import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One AES-256 key of a {@link Keyring}, named by the id that is stored with every value it encrypts.
 *
 * <p>{@link #toString()} shows the id only: key material must never reach a log line.
 *
 * @param id 1 to 32 characters of {@code [A-Za-z0-9_.-]}, written in clear into each envelope
 * @param secret the 32-byte AES key
 */
public record EncryptionKey(String id, SecretKey secret) {
  /** AES-256 needs exactly this many bytes of key material. */
  public static final int BYTES = 32;
  /** The longest key id; an envelope stores its length in one byte, and short ids keep the overhead small. */
  public static final int MAX_ID_LENGTH = 32;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_ID_LENGTH + "}");

  public EncryptionKey {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a key id must be 1.." + MAX_ID_LENGTH + " characters of A-Z a-z 0-9 _ . -");
    }
    if (secret == null || !"AES".equals(secret.getAlgorithm()) || secret.getEncoded() == null
        || secret.getEncoded().length != BYTES) {
      throw new IllegalArgumentException("key '" + id + "' must be " + BYTES + " bytes of AES key material");
    }
  }

  /** A key from raw material; the array is copied. */
  public static EncryptionKey of(String id, byte[] material) {
    if (material == null || material.length != BYTES) {
      throw new IllegalArgumentException("key '" + id + "' has " + (material == null ? 0 : material.length)
          + " bytes; AES-256 needs " + BYTES + " (make one with `openssl rand -base64 32`)");
    }
    return new EncryptionKey(id, new SecretKeySpec(material, "AES"));
  }

  @Override
  public String toString() {
    return "EncryptionKey[" + id + "]";
  }
}
