package io.raftcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.AuthMode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.config.TlsSettings;
import io.raftcache.node.security.TlsContexts;
import io.raftcache.node.storage.PartitionStoreFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The smart client over TLS to a node whose certificate comes from a private CA. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TrustedCertificatesTest {
  @TempDir static Path dir;
  static RaftCacheNode node;
  static Path certs;

  @BeforeAll
  static void startTlsNode() throws Exception {
    certs = devCertificates(dir.resolve("certs"));
    TlsSettings tls = new TlsSettings(certs.resolve("node.pem"), certs.resolve("node.key"), certs.resolve("ca.pem"));
    NodeConfig config = new NodeConfig("tls-node", "127.0.0.1", 0, -1, dir.resolve("data"), 64L << 20, 1 << 20, 1024,
        4, NamespaceDefaults.none(), Duration.ofHours(1), Duration.ofSeconds(1), false, "local", List.of(), true,
        Duration.ofMinutes(5), List.of(), 1, "local", "local", null, new SecuritySettings(AuthMode.OPEN, null, tls));
    node = RaftCacheNode.start(config, Clock.systemUTC(), PartitionStoreFactory.inMemory(),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).sslContext(TlsContexts.forServer(tls)));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** Runs deploy/dev-certs.sh (needs bash and openssl) and returns the directory it wrote. */
  static Path devCertificates(Path out) throws Exception {
    Path script = Path.of("").toAbsolutePath();
    while (script != null && !Files.isRegularFile(script.resolve("deploy/dev-certs.sh"))) {
      script = script.getParent();
    }
    assertThat(script).as("deploy/dev-certs.sh above the module directory").isNotNull();
    Process p = new ProcessBuilder("bash", script.resolve("deploy/dev-certs.sh").toString(), out.toString(), "localhost")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("dev-certs.sh failed; these tests need bash and openssl on the PATH: %s", output).isTrue();
    return out;
  }

  @Test
  void trustingTheClusterCaTheClientReadsAndWritesOverTls() {
    try (RaftCacheClient client = RaftCacheClient.newBuilder().seeds("127.0.0.1:" + node.port()).namespace("app")
        .trustedCertificates(certs.resolve("ca.pem")).build()) {
      client.sync().setString("greeting", "hello", SetOptions.DEFAULT);
      assertThat(client.sync().getString("greeting")).contains("hello");
    }
  }

  @Test
  void aMissingCaFileFailsTheBuild() {
    assertThatThrownBy(() -> RaftCacheClient.newBuilder().seeds("127.0.0.1:" + node.port())
        .trustedCertificates(dir.resolve("missing.pem")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
  }
}
