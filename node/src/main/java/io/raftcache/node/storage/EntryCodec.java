package io.raftcache.node.storage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes entries into the byte layout stored as Chronicle Map values, and decodes them back.
 *
 * <pre>
 * [version:8][expireAtMillis:8][access:4][flags:1][tagCount:1]{[tagLength:1][tag UTF-8]}*[payload]
 * </pre>
 *
 * All integers are big-endian. The fixed header is {@value #HEADER_BYTES} bytes, so the version, expiry and
 * access tick can be read or patched in place without decoding tags or copying the payload.
 */
public final class EntryCodec {
  /** Bytes before the tag section. */
  public static final int HEADER_BYTES = 22;
  /** Offset of the 4-byte access tick. */
  public static final int ACCESS_OFFSET = 16;
  /** The longest tag, in UTF-8 bytes, the layout can hold. */
  public static final int MAX_TAG_BYTES = 255;
  /** The most tags the layout can hold. */
  public static final int MAX_TAGS = 255;

  private EntryCodec() {}

  /** Encodes an entry; tags must already be within {@link #MAX_TAGS} and {@link #MAX_TAG_BYTES}. */
  public static byte[] encode(StoredEntry entry) {
    EntryMeta meta = entry.meta();
    List<byte[]> tags = new ArrayList<>(meta.tags().size());
    int tagBytes = 0;
    for (String tag : meta.tags()) {
      byte[] utf8 = tag.getBytes(StandardCharsets.UTF_8);
      if (utf8.length > MAX_TAG_BYTES) {
        throw new IllegalArgumentException("tag longer than " + MAX_TAG_BYTES + " bytes");
      }
      tags.add(utf8);
      tagBytes += 1 + utf8.length;
    }
    if (tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException("more than " + MAX_TAGS + " tags");
    }
    byte[] payload = entry.payload();
    byte[] out = new byte[HEADER_BYTES + tagBytes + payload.length];
    putLong(out, 0, meta.version());
    putLong(out, 8, meta.expireAtMillis());
    putInt(out, ACCESS_OFFSET, meta.accessTick());
    out[20] = 0; // flags: reserved for per-entry options (e.g. encrypted) in later versions
    out[21] = (byte) tags.size();
    int pos = HEADER_BYTES;
    for (byte[] tag : tags) {
      out[pos++] = (byte) tag.length;
      System.arraycopy(tag, 0, out, pos, tag.length);
      pos += tag.length;
    }
    System.arraycopy(payload, 0, out, pos, payload.length);
    return out;
  }

  /** Decodes a whole entry. */
  public static StoredEntry decode(byte[] bytes) {
    EntryMeta meta = decodeMeta(bytes);
    int start = payloadOffset(bytes);
    byte[] payload = new byte[bytes.length - start];
    System.arraycopy(bytes, start, payload, 0, payload.length);
    return new StoredEntry(meta, payload);
  }

  /** Decodes the header and tags, skipping the payload. */
  public static EntryMeta decodeMeta(byte[] bytes) {
    int tagCount = bytes[21] & 0xff;
    List<String> tags = tagCount == 0 ? List.of() : new ArrayList<>(tagCount);
    int pos = HEADER_BYTES;
    for (int i = 0; i < tagCount; i++) {
      int len = bytes[pos++] & 0xff;
      tags.add(new String(bytes, pos, len, StandardCharsets.UTF_8));
      pos += len;
    }
    return new EntryMeta(getLong(bytes, 0), getLong(bytes, 8), getInt(bytes, ACCESS_OFFSET), tags);
  }

  /** Offset of the payload: the header plus the tag section. */
  public static int payloadOffset(byte[] bytes) {
    int tagCount = bytes[21] & 0xff;
    int pos = HEADER_BYTES;
    for (int i = 0; i < tagCount; i++) {
      pos += 1 + (bytes[pos] & 0xff);
    }
    return pos;
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static void putInt(byte[] b, int off, int v) {
    for (int i = 3; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xffL);
    }
    return v;
  }

  static int getInt(byte[] b, int off) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }
}
