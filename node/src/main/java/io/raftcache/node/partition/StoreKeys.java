package io.raftcache.node.partition;

import io.raftcache.proto.KeyHashing;
import java.nio.charset.StandardCharsets;

/** Builds and takes apart store keys: {@code namespace (UTF-8) ‖ 0x00 ‖ key}, the same bytes routing hashes. */
public final class StoreKeys {
  private StoreKeys() {}

  /** The store key of {@code key} in {@code namespace}. */
  public static byte[] of(String namespace, byte[] key) {
    return KeyHashing.routingBytes(namespace, key);
  }

  /** The namespace part of a store key. */
  public static String namespaceOf(byte[] storeKey) {
    int end = 0;
    while (end < storeKey.length && storeKey[end] != 0) {
      end++;
    }
    return new String(storeKey, 0, end, StandardCharsets.UTF_8);
  }

  /** True if {@code storeKey} belongs to the namespace whose UTF-8 bytes are {@code namespace}. */
  public static boolean inNamespace(byte[] storeKey, byte[] namespace) {
    if (storeKey.length <= namespace.length || storeKey[namespace.length] != 0) {
      return false;
    }
    for (int i = 0; i < namespace.length; i++) {
      if (storeKey[i] != namespace[i]) {
        return false;
      }
    }
    return true;
  }
}
