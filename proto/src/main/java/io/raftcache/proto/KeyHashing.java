package io.raftcache.proto;

import java.nio.charset.StandardCharsets;
import net.openhft.hashing.LongHashFunction;

/**
 * The frozen key hash: xxHash64 (seed 0) of the namespace's UTF-8 bytes, one 0x00 byte, then the key bytes.
 *
 * <p>Every client and node must agree on it forever; {@code proto/ROUTING.md} publishes golden vectors that a
 * test checks.
 */
public final class KeyHashing {
  private static final LongHashFunction XX64 = LongHashFunction.xx(0);

  private KeyHashing() {}

  /** Returns the 64-bit routing hash of a key in a namespace. */
  public static long hash(String namespace, byte[] key) {
    return hashRoutingBytes(routingBytes(namespace, key));
  }

  /** Returns the routing hash of bytes already laid out as {@link #routingBytes}. */
  public static long hashRoutingBytes(byte[] routingBytes) {
    return XX64.hashBytes(routingBytes);
  }

  /** Returns the bytes that are hashed: namespace (UTF-8) ‖ 0x00 ‖ key. */
  public static byte[] routingBytes(String namespace, byte[] key) {
    byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
    byte[] joined = new byte[ns.length + 1 + key.length];
    System.arraycopy(ns, 0, joined, 0, ns.length);
    System.arraycopy(key, 0, joined, ns.length + 1, key.length);
    return joined;
  }
}
