package io.raftcache.node.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The envelope format: round trip, binding to namespace and key, key ids, tampering. */
class AesGcmEnvelopeTest {
  final EncryptionKey a = EncryptionKey.of("a", KeyringFormatTest.filled(1));
  final EncryptionKey b = EncryptionKey.of("b", KeyringFormatTest.filled(2));
  final AesGcmEnvelope envelope = new AesGcmEnvelope(new SecureRandom());
  final byte[] key = bytes("user:1");
  final byte[] plaintext = bytes("secret value");

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void sealsAndOpensWithTheKeyItNames() {
    byte[] sealed = envelope.seal(a, "ns", key, plaintext);

    assertThat(AesGcmEnvelope.isEnvelope(sealed)).isTrue();
    assertThat(sealed.length).isEqualTo(plaintext.length + 4 + 2 + 1 + 12 + 16)
        .isLessThanOrEqualTo(plaintext.length + AesGcmEnvelope.MAX_OVERHEAD_BYTES);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("secret");
    AesGcmEnvelope.Opened opened = envelope.open(new Keyring(List.of(b, a)), "ns", key, sealed);
    assertThat(opened).isInstanceOfSatisfying(AesGcmEnvelope.Opened.Decrypted.class, d -> {
      assertThat(d.value()).isEqualTo(plaintext);
      assertThat(d.keyId()).isEqualTo("a");
    });
  }

  @Test
  void anEmptyValueRoundTrips() {
    byte[] sealed = envelope.seal(a, "ns", key, new byte[0]);

    assertThat(envelope.open(new Keyring(List.of(a)), "ns", key, sealed))
        .isInstanceOfSatisfying(AesGcmEnvelope.Opened.Decrypted.class, d -> assertThat(d.value()).isEmpty());
  }

  @Test
  void twoSealsOfTheSameValueDiffer() {
    assertThat(envelope.seal(a, "ns", key, plaintext)).isNotEqualTo(envelope.seal(a, "ns", key, plaintext));
  }

  @Test
  void aValueMovedToAnotherKeyOrNamespaceFailsAuthentication() {
    byte[] sealed = envelope.seal(a, "ns", key, plaintext);
    Keyring keyring = new Keyring(List.of(a));

    assertThat(envelope.open(keyring, "ns", bytes("user:2"), sealed)).isEqualTo(new AesGcmEnvelope.Opened.Forged("a"));
    assertThat(envelope.open(keyring, "other", key, sealed)).isEqualTo(new AesGcmEnvelope.Opened.Forged("a"));
    // The separator keeps (namespace "n", key "s\0user:1") apart from (namespace "ns", key "user:1").
    assertThat(envelope.open(keyring, "n", bytes("s\0user:1"), sealed)).isInstanceOf(AesGcmEnvelope.Opened.Forged.class);
  }

  @Test
  void aTamperedByteFailsAuthentication() {
    byte[] sealed = envelope.seal(a, "ns", key, plaintext);
    sealed[sealed.length - 20] ^= 1;

    assertThat(envelope.open(new Keyring(List.of(a)), "ns", key, sealed)).isInstanceOf(AesGcmEnvelope.Opened.Forged.class);
  }

  @Test
  void anotherKeyUnderTheSameIdFailsAuthentication() {
    byte[] sealed = envelope.seal(a, "ns", key, plaintext);
    EncryptionKey impostor = EncryptionKey.of("a", KeyringFormatTest.filled(9));

    assertThat(envelope.open(new Keyring(List.of(impostor)), "ns", key, sealed))
        .isInstanceOf(AesGcmEnvelope.Opened.Forged.class);
  }

  @Test
  void anUnknownKeyIdIsReportedNotGuessed() {
    byte[] sealed = envelope.seal(a, "ns", key, plaintext);

    assertThat(envelope.open(new Keyring(List.of(b)), "ns", key, sealed))
        .isEqualTo(new AesGcmEnvelope.Opened.UnknownKey("a"));
    assertThat(envelope.open(Keyring.EMPTY, "ns", key, sealed)).isEqualTo(new AesGcmEnvelope.Opened.UnknownKey("a"));
  }

  @Test
  void plaintextIsNotMistakenForAnEnvelope() {
    for (String value : List.of("", "RCE", "hello", "\0RCE", "\0RCE\1\1a")) {
      assertThat(AesGcmEnvelope.isEnvelope(bytes(value))).as(value).isFalse();
      assertThat(envelope.open(new Keyring(List.of(a)), "ns", key, bytes(value)))
          .isInstanceOf(AesGcmEnvelope.Opened.Plain.class);
    }
  }
}
