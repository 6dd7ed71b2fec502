package io.raftcache.node.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The text form of a keyring: entries {@code ID=BASE64_OF_32_BYTES}, one per line or separated by {@code ;}
 * (for an environment variable), the first entry current, blank entries and {@code #} comment lines ignored.
 *
 * <p>Errors name the source, the entry number and the key id, never the material.
 */
public final class KeyringFormat {
  private KeyringFormat() {}

  /** Reads a key file. */
  public static Keyring read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the encryption key file " + file, e);
    }
    return parse(text, "encryption key file " + file);
  }

  /**
   * Parses {@code text}; {@code source} says where it came from in error messages. Empty text is an error: a
   * node that was told to load keys and found none should not start as if it had not been told.
   */
  public static Keyring parse(String text, String source) {
    List<EncryptionKey> keys = new ArrayList<>();
    String[] entries = text.split("[;\\r\\n]");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      String where = source + ", entry " + (i + 1);
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(where + ": expected ID=BASE64_OF_32_BYTES");
      }
      String id = entry.substring(0, eq).strip();
      // Base64 itself ends in '=' padding, so only the first '=' separates the id.
      String encoded = entry.substring(eq + 1).strip();
      byte[] material;
      try {
        material = Base64.getDecoder().decode(encoded);
      } catch (IllegalArgumentException notBase64) {
        throw new IllegalArgumentException(where + ": key '" + id + "' is not valid base64");
      }
      try {
        keys.add(EncryptionKey.of(id, material));
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(where + ": " + bad.getMessage());
      } finally {
        java.util.Arrays.fill(material, (byte) 0);
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(source + " holds no key (expected lines ID=BASE64_OF_32_BYTES)");
    }
    try {
      return new Keyring(keys);
    } catch (IllegalArgumentException duplicate) {
      throw new IllegalArgumentException(source + ": " + duplicate.getMessage());
    }
  }
}
