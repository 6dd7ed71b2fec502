package io.raftcache.node.crypto;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The AES-256 keys a node can encrypt and decrypt cache values with: the first key encrypts new values, every
 * key decrypts. Rotation is adding a new first key while the old ones stay to read what they wrote.
 */
public final class Keyring {
  /** No keys: encrypted namespaces are refused, plaintext ones work as before. */
  public static final Keyring EMPTY = new Keyring(List.of());

  private final List<EncryptionKey> keys;
  private final Map<String, EncryptionKey> byId;

  /** A keyring of {@code keys}, the first one current; ids must be distinct. */
  public Keyring(List<EncryptionKey> keys) {
    this.keys = List.copyOf(keys);
    Map<String, EncryptionKey> ids = new LinkedHashMap<>();
    for (EncryptionKey key : this.keys) {
      if (ids.putIfAbsent(key.id(), key) != null) {
        throw new IllegalArgumentException("key id '" + key.id() + "' appears twice in the keyring");
      }
    }
    this.byId = Map.copyOf(ids);
  }

  /** True if the keyring holds no key. */
  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** The key new values are encrypted with; fails on an empty keyring. */
  public EncryptionKey current() {
    if (keys.isEmpty()) {
      throw new IllegalStateException("the keyring is empty");
    }
    return keys.get(0);
  }

  /** The key named {@code id}, if the keyring holds it. */
  public Optional<EncryptionKey> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The key ids, current first. */
  public List<String> ids() {
    return keys.stream().map(EncryptionKey::id).toList();
  }

  @Override
  public String toString() {
    return keys.isEmpty() ? "Keyring[no keys]" : "Keyring[current " + keys.get(0).id() + ", ids " + ids() + "]";
  }
}
