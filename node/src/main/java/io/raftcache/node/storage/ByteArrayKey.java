package io.raftcache.node.storage;

import java.util.Arrays;

/** A byte array with value equality, for keying on-heap maps. */
record ByteArrayKey(byte[] bytes) {
  @Override
  public boolean equals(Object o) {
    return o instanceof ByteArrayKey other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
