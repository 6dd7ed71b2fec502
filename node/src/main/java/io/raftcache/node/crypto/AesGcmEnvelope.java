package io.raftcache.node.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals cache values into AES-256-GCM envelopes bound to the namespace and key they are stored under, and opens
 * them again with any key of a {@link Keyring}.
 */
public final class AesGcmEnvelope {
  /*
   * Implementation notes
   *
   * Layout: [0x00 'R' 'C' 'E'][version 0x01][idLength:1][id ASCII][nonce:12][ciphertext][tag:16].
   * The magic starts with a zero byte, so no UTF-8 text value can carry it by accident.
   *
   * Associated data: the header (magic .. id) ‖ UTF-8 namespace ‖ 0x00 ‖ key. The header is self-delimiting and a
   * namespace never contains 0x00, so two different (namespace, key) pairs never give the same bytes: a value
   * copied to another key or namespace fails authentication instead of decrypting there.
   *
   * Nonces are 12 random bytes per value. With random nonces one key should encrypt well under 2^32 values
   * (NIST SP 800-38D); operations.md tells operators to rotate long before that.
   */

  /** Bytes before the key id. */
  private static final byte[] MAGIC = {0x00, 'R', 'C', 'E'};
  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int TAG_BYTES = TAG_BITS / 8;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  /** The most bytes an envelope adds to a value: header with the longest id, nonce and tag. */
  public static final int MAX_OVERHEAD_BYTES =
      MAGIC.length + 2 + EncryptionKey.MAX_ID_LENGTH + NONCE_BYTES + TAG_BYTES;

  private final SecureRandom random;

  public AesGcmEnvelope(SecureRandom random) {
    this.random = random;
  }

  /** What opening a stored value found. */
  public sealed interface Opened {
    /** The value is not an envelope: it was stored in plaintext. */
    record Plain(byte[] value) implements Opened {}

    /** The envelope was authentic; {@code value} is the plaintext. */
    record Decrypted(byte[] value, String keyId) implements Opened {}

    /** The envelope names a key the keyring does not hold. */
    record UnknownKey(String keyId) implements Opened {}

    /** The envelope failed authentication: damaged, or not written for this namespace and key. */
    record Forged(String keyId) implements Opened {}
  }

  /** Encrypts {@code plaintext} with {@code key} for the entry {@code namespace}/{@code cacheKey}. */
  public byte[] seal(EncryptionKey key, String namespace, byte[] cacheKey, byte[] plaintext) {
    byte[] id = key.id().getBytes(StandardCharsets.US_ASCII);
    int headerBytes = MAGIC.length + 2 + id.length;
    byte[] out = new byte[headerBytes + NONCE_BYTES + plaintext.length + TAG_BYTES];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    out[MAGIC.length] = VERSION;
    out[MAGIC.length + 1] = (byte) id.length;
    System.arraycopy(id, 0, out, MAGIC.length + 2, id.length);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, headerBytes, NONCE_BYTES);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(out, headerBytes, namespace, cacheKey));
      cipher.doFinal(plaintext, 0, plaintext.length, out, headerBytes + NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
    return out;
  }

  /** True if {@code stored} has the shape of an envelope (magic, version, a plausible key id and room for a tag). */
  public static boolean isEnvelope(byte[] stored) {
    return headerBytes(stored) > 0;
  }

  /** Opens {@code stored}, found under {@code namespace}/{@code cacheKey}, with the key it names. */
  public Opened open(Keyring keyring, String namespace, byte[] cacheKey, byte[] stored) {
    int headerBytes = headerBytes(stored);
    if (headerBytes < 0) {
      return new Opened.Plain(stored);
    }
    String id = new String(stored, MAGIC.length + 2, stored[MAGIC.length + 1], StandardCharsets.US_ASCII);
    EncryptionKey key = keyring.byId(id).orElse(null);
    if (key == null) {
      return new Opened.UnknownKey(id);
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key.secret(),
          new GCMParameterSpec(TAG_BITS, stored, headerBytes, NONCE_BYTES));
      cipher.updateAAD(associatedData(stored, headerBytes, namespace, cacheKey));
      int offset = headerBytes + NONCE_BYTES;
      return new Opened.Decrypted(cipher.doFinal(stored, offset, stored.length - offset), id);
    } catch (AEADBadTagException e) {
      return new Opened.Forged(id);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  /** The header length of an envelope, or -1 if {@code stored} is not one. */
  private static int headerBytes(byte[] stored) {
    if (stored.length < MAGIC.length + 2) {
      return -1;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (stored[i] != MAGIC[i]) {
        return -1;
      }
    }
    int idLength = stored[MAGIC.length + 1];
    if (stored[MAGIC.length] != VERSION || idLength < 1 || idLength > EncryptionKey.MAX_ID_LENGTH) {
      return -1;
    }
    int headerBytes = MAGIC.length + 2 + idLength;
    return stored.length >= headerBytes + NONCE_BYTES + TAG_BYTES ? headerBytes : -1;
  }

  private static byte[] associatedData(byte[] envelope, int headerBytes, String namespace, byte[] cacheKey) {
    byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
    byte[] aad = new byte[headerBytes + ns.length + 1 + cacheKey.length];
    System.arraycopy(envelope, 0, aad, 0, headerBytes);
    System.arraycopy(ns, 0, aad, headerBytes, ns.length);
    // aad[headerBytes + ns.length] stays 0x00: the separator the store key uses too.
    System.arraycopy(cacheKey, 0, aad, headerBytes + ns.length + 1, cacheKey.length);
    return aad;
  }
}
