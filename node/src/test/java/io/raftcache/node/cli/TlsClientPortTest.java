package io.raftcache.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.config.AuthMode;
import io.raftcache.node.security.TlsContexts;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.TestCertificates;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.SetRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** One node serving TLS on a real port: who can talk to it, through stubs and through the client commands. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TlsClientPortTest {
  @TempDir static Path dir;
  static TestCertificates certs;
  static TestCertificates otherCa;
  static RaftCacheNode node;
  static String target;
  ManagedChannel channel;

  @BeforeAll
  static void startTlsNode() throws Exception {
    certs = TestCertificates.create(dir.resolve("certs"));
    otherCa = TestCertificates.create(dir.resolve("other-ca"));
    SecuritySettings security = new SecuritySettings(AuthMode.OPEN, null, certs.settings());
    NodeConfig config = new NodeConfig("tls-node", "127.0.0.1", 0, -1, dir.resolve("data"), 64L << 20, 1 << 20, 1024,
        4, NamespaceDefaults.none(), Duration.ofHours(1), Duration.ofSeconds(1), false, "local", List.of(), true,
        Duration.ofMinutes(5), List.of(), 1, "local", "local", null, security);
    node = RaftCacheNode.start(config, Clock.systemUTC(), PartitionStoreFactory.inMemory(),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .sslContext(TlsContexts.forServer(security.tls())));
    target = "localhost:" + node.port(); // a SAN of the dev certificate
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @AfterEach
  void closeChannel() {
    if (channel != null) {
      channel.shutdownNow();
    }
  }

  CacheGrpc.CacheBlockingStub cache(NettyChannelBuilder builder) {
    channel = builder.build();
    return CacheGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static SetRequest set(String key, String value) {
    return SetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build();
  }

  static GetRequest get(String key) {
    return GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8(key)).build();
  }

  @Test
  void aClientTrustingTheClusterCaGetsAnswersWithoutACertificateOfItsOwn() throws Exception {
    CacheGrpc.CacheBlockingStub cache = cache(NettyChannelBuilder.forTarget(target)
        .sslContext(GrpcSslContexts.forClient().trustManager(certs.ca().toFile()).build()));
    cache.set(set("greeting", "hello over tls"));
    assertThat(cache.get(get("greeting")).getValue().toStringUtf8()).isEqualTo("hello over tls");
  }

  @Test
  void aPlaintextClientGetsNoAnswer() {
    CacheGrpc.CacheBlockingStub cache = cache(NettyChannelBuilder.forTarget(target).usePlaintext());
    assertThatThrownBy(() -> cache.get(get("greeting"))).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void aClientTrustingAnotherCaRefusesTheNode() throws Exception {
    CacheGrpc.CacheBlockingStub cache = cache(NettyChannelBuilder.forTarget(target)
        .sslContext(GrpcSslContexts.forClient().trustManager(otherCa.ca().toFile()).build()));
    assertThatThrownBy(() -> cache.get(get("greeting"))).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasStackTraceContaining("SSLHandshakeException");
  }

  @Test
  void theClientCommandsTalkTlsWithTlsCa() {
    assertThat(run("set", "-t", target, "-n", "app", "--tls-ca", certs.ca().toString(), "cli", "via tls").code())
        .isZero();
    CommandLineTest.Result get = run("get", "-t", target, "-n", "app", "--tls-ca", certs.ca().toString(), "cli");
    assertThat(get.code()).isZero();
    assertThat(get.out()).contains("via tls");
    assertThat(run("get", "-t", target, "-n", "app", "--deadline", "2s", "cli").code())
        .as("plaintext to a TLS port").isNotZero();
    assertThat(run("get", "-t", target, "--tls-ca", dir.resolve("missing.pem").toString(), "cli").err())
        .contains("--tls-ca").contains("missing.pem");
  }

  static CommandLineTest.Result run(String... args) {
    return CommandLineTest.run(args);
  }
}
