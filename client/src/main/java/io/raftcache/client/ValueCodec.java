package io.raftcache.client;

import java.nio.charset.StandardCharsets;

/** Turns application values into the bytes the cache stores, and back. */
public interface ValueCodec<T> {
  byte[] encode(T value);

  T decode(byte[] bytes);

  /** Bytes as they are. */
  ValueCodec<byte[]> BYTES = new ValueCodec<>() {
    @Override
    public byte[] encode(byte[] value) {
      return value;
    }

    @Override
    public byte[] decode(byte[] bytes) {
      return bytes;
    }
  };

  /** UTF-8 strings. */
  ValueCodec<String> UTF8 = new ValueCodec<>() {
    @Override
    public byte[] encode(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  };
}
