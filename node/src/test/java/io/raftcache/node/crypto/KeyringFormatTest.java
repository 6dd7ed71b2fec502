package io.raftcache.node.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing key files and the environment form, and the errors a misconfigured node starts with. */
class KeyringFormatTest {
  static final String A = Base64.getEncoder().encodeToString(filled(1));
  static final String B = Base64.getEncoder().encodeToString(filled(2));

  static byte[] filled(int b) {
    byte[] bytes = new byte[32];
    java.util.Arrays.fill(bytes, (byte) b);
    return bytes;
  }

  @Test
  void theFirstKeyIsCurrentAndCommentsAndBlankLinesAreSkipped(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "# rotated 2026-11\n\nk2=" + B + "\r\n  k1 = " + A + "  \n");

    Keyring keyring = KeyringFormat.read(file);

    assertThat(keyring.current().id()).isEqualTo("k2");
    assertThat(keyring.ids()).containsExactly("k2", "k1");
    assertThat(keyring.byId("k1").orElseThrow().secret().getEncoded()).isEqualTo(filled(1));
    assertThat(keyring.byId("k3")).isEmpty();
  }

  @Test
  void theEnvironmentFormSeparatesKeysWithSemicolons() {
    Keyring keyring = KeyringFormat.parse("k2=" + B + ";k1=" + A + ";", "RAFTCACHE_ENCRYPTION_KEYS");

    assertThat(keyring.ids()).containsExactly("k2", "k1");
  }

  @Test
  void aKeyOfTheWrongLengthIsRefusedWithItsIdButNotItsMaterial() {
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);

    assertThatThrownBy(() -> KeyringFormat.parse("ok=" + A + "\nweak=" + short16, "keys.txt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keys.txt, entry 2")
        .hasMessageContaining("'weak' has 16 bytes")
        .hasMessageContaining("openssl rand -base64 32")
        .hasMessageNotContaining(short16);
  }

  @Test
  void badBase64IsRefused() {
    assertThatThrownBy(() -> KeyringFormat.parse("k1=not*base64!", "env"))
        .hasMessageContaining("'k1' is not valid base64")
        .hasMessageNotContaining("not*base64!");
  }

  @Test
  void duplicateIdsAreRefused() {
    assertThatThrownBy(() -> KeyringFormat.parse("k1=" + A + "\nk1=" + B, "keys.txt"))
        .hasMessageContaining("keys.txt")
        .hasMessageContaining("'k1' appears twice");
  }

  @Test
  void anEntryWithoutAnIdOrAnIllegalIdIsRefused() {
    assertThatThrownBy(() -> KeyringFormat.parse("no-separator", "env")).hasMessageContaining("expected ID=BASE64");
    assertThatThrownBy(() -> KeyringFormat.parse("=" + A, "env")).hasMessageContaining("expected ID=BASE64");
    assertThatThrownBy(() -> KeyringFormat.parse("bad id=" + A, "env")).hasMessageContaining("key id must be");
  }

  @Test
  void aSourceWithNoKeysIsAnError() {
    assertThatThrownBy(() -> KeyringFormat.parse("# nothing yet\n", "keys.txt")).hasMessageContaining("holds no key");
  }

  @Test
  void toStringNamesIdsOnly() {
    Keyring keyring = KeyringFormat.parse("k2=" + B + ";k1=" + A, "env");

    assertThat(keyring.toString()).isEqualTo("Keyring[current k2, ids [k2, k1]]").doesNotContain(A, B);
    assertThat(keyring.current().toString()).isEqualTo("EncryptionKey[k2]");
    assertThat(Keyring.EMPTY.toString()).isEqualTo("Keyring[no keys]");
  }
}
