package io.raftcache.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftcache.node.config.TlsSettings;
import io.raftcache.node.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad TLS files fail with the flag's name; the script's files make both contexts. */
class TlsContextsTest {
  @TempDir static Path dir;
  static TestCertificates certs;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.create(dir.resolve("certs"));
  }

  @Test
  void theDevScriptsFilesMakeAServerAndAPeerContext() {
    assertThat(TlsContexts.forServer(certs.settings()).isServer()).isTrue();
    assertThat(TlsContexts.forPeers(certs.settings()).isClient()).isTrue();
  }

  @Test
  void aMissingFileIsNamedByItsFlag() {
    TlsSettings missingKey = new TlsSettings(certs.certificate(), dir.resolve("nope.key"), certs.ca());
    assertThatThrownBy(() -> TlsContexts.forServer(missingKey)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--tls-key").hasMessageContaining("nope.key").hasMessageContaining("no such file");
    TlsSettings missingCa = new TlsSettings(certs.certificate(), certs.privateKey(), dir.resolve("nope-ca.pem"));
    assertThatThrownBy(() -> TlsContexts.forPeers(missingCa)).hasMessageContaining("--tls-ca");
  }

  @Test
  void aFileThatIsNotPemFailsWithTheFilesNamed() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.key"), "not a key");
    TlsSettings bad = new TlsSettings(certs.certificate(), garbage, certs.ca());
    assertThatThrownBy(() -> TlsContexts.forServer(bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot use the TLS files").hasMessageContaining("garbage.key");
  }
}
