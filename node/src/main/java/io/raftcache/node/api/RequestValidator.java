package io.raftcache.node.api;

import com.google.protobuf.ByteString;
import io.raftcache.node.common.CacheException;
import io.raftcache.node.common.Limits;
import io.raftcache.proto.v1.ErrorReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks request fields against the protocol's limits, before anything reaches a partition. */
public final class RequestValidator {
  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

  private final Limits limits;

  public RequestValidator(Limits limits) {
    this.limits = limits;
  }

  /** The limits in force. */
  public Limits limits() {
    return limits;
  }

  /** Returns a valid namespace or fails with INVALID_NAMESPACE. */
  public String namespace(String namespace) {
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw invalid(ErrorReason.INVALID_NAMESPACE,
          "namespace '" + abbreviate(namespace) + "' must match " + NAMESPACE.pattern());
    }
    return namespace;
  }

  /** Returns the key's bytes or fails with EMPTY_KEY / KEY_TOO_LARGE. */
  public byte[] key(ByteString key) {
    if (key.isEmpty()) {
      throw invalid(ErrorReason.EMPTY_KEY, "key must not be empty");
    }
    if (key.size() > limits.maxKeyBytes()) {
      throw invalid(ErrorReason.KEY_TOO_LARGE,
          "key is " + key.size() + " bytes, more than the limit of " + limits.maxKeyBytes());
    }
    return key.toByteArray();
  }

  /** Returns the value's bytes or fails with VALUE_TOO_LARGE. */
  public byte[] value(ByteString value) {
    if (value.size() > limits.maxValueBytes()) {
      throw invalid(ErrorReason.VALUE_TOO_LARGE,
          "value is " + value.size() + " bytes, more than the limit of " + limits.maxValueBytes());
    }
    return value.toByteArray();
  }

  /** Returns a valid TTL in millis or fails with INVALID_TTL. */
  public long ttl(long ttlMillis) {
    if (ttlMillis < 0 || ttlMillis > limits.maxTtlMillis()) {
      throw invalid(ErrorReason.INVALID_TTL,
          "ttl_ms must be between 0 and " + limits.maxTtlMillis() + ", got " + ttlMillis);
    }
    return ttlMillis;
  }

  /** Returns the tags or fails with INVALID_TAG. */
  public List<String> tags(List<String> tags) {
    if (tags.size() > limits.maxTags()) {
      throw invalid(ErrorReason.INVALID_TAG, "at most " + limits.maxTags() + " tags, got " + tags.size());
    }
    for (String tag : tags) {
      tag(tag);
    }
    return List.copyOf(tags);
  }

  /** Returns one tag or fails with INVALID_TAG. */
  public String tag(String tag) {
    int bytes = tag.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > limits.maxTagBytes()) {
      throw invalid(ErrorReason.INVALID_TAG,
          "a tag must be 1.." + limits.maxTagBytes() + " bytes of UTF-8, got " + bytes);
    }
    return tag;
  }

  /** Checks a batch's size: 1..maxBatchKeys. */
  public void batchSize(int size) {
    if (size == 0 || size > limits.maxBatchKeys()) {
      throw invalid(ErrorReason.BATCH_TOO_LARGE,
          "a batch holds 1.." + limits.maxBatchKeys() + " keys, got " + size);
    }
  }

  /** Returns a batch's keys, each valid and all distinct, or fails. */
  public List<byte[]> keys(List<ByteString> keys) {
    batchSize(keys.size());
    Set<ByteString> seen = new HashSet<>();
    List<byte[]> out = new ArrayList<>(keys.size());
    for (ByteString key : keys) {
      out.add(key(key));
      if (!seen.add(key)) {
        throw invalid(ErrorReason.DUPLICATE_KEY, "the batch names a key more than once");
      }
    }
    return out;
  }

  /** Fails with CONFLICTING_OPTIONS. */
  public CacheException conflicting(String message) {
    return invalid(ErrorReason.CONFLICTING_OPTIONS, message);
  }

  private static CacheException invalid(ErrorReason reason, String message) {
    return new CacheException(reason, message);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
