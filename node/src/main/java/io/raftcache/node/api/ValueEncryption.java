package io.raftcache.node.api;

import io.raftcache.node.common.CacheException;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.crypto.AesGcmEnvelope;
import io.raftcache.node.crypto.Keyring;
import io.raftcache.node.partition.ReadResult;
import io.raftcache.node.partition.WriteResult;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.proto.v1.ErrorReason;
import java.util.function.Supplier;

/**
 * Encryption at rest as the Cache API applies it: values of namespaces marked {@code encrypted} are sealed before
 * they are proposed, so only ciphertext enters the raft log, the snapshots and every replica's store; values read
 * back are opened; operations that would have to compare or compute on stored bytes are refused.
 */
public final class ValueEncryption {
  /*
   * Implementation notes
   *
   * Opening depends on the stored bytes, not on today's flag: a value that is an envelope is decrypted even if the
   * namespace has since turned encryption off, and a value without one is returned as it is even if the namespace
   * has since turned it on (it was written in plaintext before). An envelope that cannot be opened (unknown key
   * id, failed authentication) fails the read: handing out ciphertext as if it were the value would be silently
   * wrong. The 5-byte prefix [0x00 'R' 'C' 'E' 0x01] is therefore reserved at the start of plaintext values.
   */
  private final Keyring keyring;
  private final Supplier<NamespaceDefaults> namespaces;
  private final AesGcmEnvelope envelope;

  public ValueEncryption(Keyring keyring, Supplier<NamespaceDefaults> namespaces, AesGcmEnvelope envelope) {
    this.keyring = keyring;
    this.namespaces = namespaces;
    this.envelope = envelope;
  }

  /** True if {@code namespace} encrypts new values. */
  public boolean encrypts(String namespace) {
    return namespaces.get().settings(namespace).encrypted();
  }

  /** The bytes to store for {@code value}: an envelope under the current key if the namespace encrypts. */
  public byte[] seal(String namespace, byte[] key, byte[] value) {
    if (!encrypts(namespace)) {
      return value;
    }
    if (keyring.isEmpty()) {
      throw new CacheException(ErrorReason.ENCRYPTION_KEY_MISSING, "namespace '" + namespace + "' is encrypted but"
          + " this node has no encryption keys (--encryption-key-file or RAFTCACHE_ENCRYPTION_KEYS)");
    }
    return envelope.seal(keyring.current(), namespace, key, value);
  }

  /** Refuses {@code operation} on an encrypted namespace: it needs the node to read stored bytes as plaintext. */
  public void refuseIfEncrypted(String namespace, String operation) {
    if (encrypts(namespace)) {
      throw new CacheException(ErrorReason.UNSUPPORTED_ON_ENCRYPTED, operation + " is not possible in namespace '"
          + namespace + "': its values are encrypted at rest, and the replicas compare stored (encrypted) bytes");
    }
  }

  /** {@code read} with its value decrypted if it was stored encrypted. */
  public ReadResult open(String namespace, byte[] key, ReadResult read) {
    if (!read.found() || !AesGcmEnvelope.isEnvelope(read.value())) {
      return read;
    }
    return new ReadResult(read.partition(), true, plaintext(namespace, key, read.value()), read.version(),
        read.ttlRemainingMillis(), read.tags(), read.servedBy());
  }

  /**
   * A CompareAndSet result with the current value decrypted. A CompareAndSet that compared a plaintext expected
   * value with an encrypted current one (the namespace stopped encrypting, its old values did not) cannot have
   * been decided right, so it fails instead of reporting a mismatch the caller cannot see.
   */
  public WriteResult openCurrentValue(String namespace, byte[] key, boolean compared, WriteResult write) {
    if (!(write.outcome() instanceof Outcome.Unchanged unchanged) || unchanged.currentValue() == null
        || !AesGcmEnvelope.isEnvelope(unchanged.currentValue())) {
      return write;
    }
    byte[] current = plaintext(namespace, key, unchanged.currentValue());
    if (compared) {
      throw new CacheException(ErrorReason.UNSUPPORTED_ON_ENCRYPTED, "the current value in namespace '" + namespace
          + "' is stored encrypted, so CompareAndSet cannot compare it; rewrite it with Set first");
    }
    return new WriteResult(write.partition(),
        new Outcome.Unchanged(unchanged.version(), unchanged.expireAtMillis(), current), write.proposedAtMillis());
  }

  private byte[] plaintext(String namespace, byte[] key, byte[] stored) {
    AesGcmEnvelope.Opened opened = envelope.open(keyring, namespace, key, stored);
    if (opened instanceof AesGcmEnvelope.Opened.Decrypted decrypted) {
      return decrypted.value();
    }
    if (opened instanceof AesGcmEnvelope.Opened.UnknownKey unknown) {
      throw new CacheException(ErrorReason.ENCRYPTION_KEY_MISSING, "the value was encrypted with key id '"
          + unknown.keyId() + "', which this node's keyring does not hold (it has " + keyring.ids() + ")");
    }
    if (opened instanceof AesGcmEnvelope.Opened.Forged forged) {
      throw new CacheException(ErrorReason.DECRYPTION_FAILED, "the stored value (key id '" + forged.keyId()
          + "') failed authentication: it is damaged or was not written for this namespace and key");
    }
    return stored;
  }
}
