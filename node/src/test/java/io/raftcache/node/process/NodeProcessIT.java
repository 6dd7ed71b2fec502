package io.raftcache.node.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.SetResponse;
import io.raftcache.node.testing.FreePorts;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real node process, started from the packaged jar with jvm.options, killed and restarted. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NodeProcessIT {
  @TempDir Path dataDir;
  final List<Process> processes = new ArrayList<>();

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  Process startNode(int port, Path log) throws IOException {
    String jar = System.getProperty("raftcache.nodeJar");
    String jvmOptions = System.getProperty("raftcache.jvmOptionsFile");
    assertThat(jar).as("failsafe passes the packaged jar").isNotNull();
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "@" + jvmOptions, "-Xmx256m", "-jar", jar, "node", "--port", String.valueOf(port), "--metrics-port", "-1",
        "--data-dir", dataDir.toString(), "--max-memory", "64MiB", "--max-value-bytes", "1MiB", "--partitions", "8",
        "--access-resolution", "1s", "--auth", "open")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  static void awaitServing(ManagedChannel channel, Process process, Path log) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .untilAsserted(() -> {
          assertThat(process.isAlive()).as("node process alive; log:%n%s", Files.readString(log)).isTrue();
          assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        });
  }

  @Test
  void acknowledgedWritesSurviveKillNine() throws Exception {
    int port = FreePorts.next();
    Path log1 = dataDir.resolveSibling(dataDir.getFileName() + "-1.log");
    Process first = startNode(port, log1);
    Map<String, Long> acknowledged = new HashMap<>();
    ManagedChannel channel = channel(port);
    try {
      awaitServing(channel, first, log1);
      CacheGrpc.CacheBlockingStub cache = CacheGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      for (int i = 0; i < 2000; i++) {
        SetResponse r = cache.set(SetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("k" + i))
            .setValue(ByteString.copyFromUtf8("value-" + i)).addTags(i % 2 == 0 ? "even" : "odd").build());
        acknowledged.put("k" + i, r.getVersion());
      }
      // Reads patch access ticks in place; those entries must survive recovery too.
      for (int i = 0; i < 2000; i += 3) {
        assertThat(cache.get(GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("k" + i)).build())
            .getFound()).isTrue();
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).isEqualTo(137);

    Path log2 = dataDir.resolveSibling(dataDir.getFileName() + "-2.log");
    Process second = startNode(port, log2);
    ManagedChannel again = channel(port);
    try {
      awaitServing(again, second, log2);
      CacheGrpc.CacheBlockingStub cache = CacheGrpc.newBlockingStub(again).withDeadlineAfter(30, TimeUnit.SECONDS);
      long maxVersion = 0;
      for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
        GetResponse r = cache.get(GetRequest.newBuilder().setNamespace("app")
            .setKey(ByteString.copyFromUtf8(e.getKey())).build());
        assertThat(r.getFound()).as("acknowledged %s after kill -9", e.getKey()).isTrue();
        assertThat(r.getValue().toStringUtf8()).isEqualTo("value-" + e.getKey().substring(1));
        assertThat(r.getVersion()).isEqualTo(e.getValue());
        maxVersion = Math.max(maxVersion, r.getVersion());
      }
      assertThat(Files.readString(log2)).contains("was not closed cleanly; recovering");
      // Versions keep rising across the crash: no version is handed out twice.
      SetResponse after = cache.set(SetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("k0"))
          .setValue(ByteString.copyFromUtf8("new")).build());
      assertThat(after.getVersion()).isGreaterThan(maxVersion);
    } finally {
      again.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigtermStopsCleanlyFlushesStorageAndReleasesThePort() throws Exception {
    int port = FreePorts.next();
    Path log = dataDir.resolveSibling(dataDir.getFileName() + "-term.log");
    Process node = startNode(port, log);
    ManagedChannel channel = channel(port);
    try {
      awaitServing(channel, node, log);
      CacheGrpc.newBlockingStub(channel).set(SetRequest.newBuilder().setNamespace("app")
          .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v")).build());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    node.destroy(); // SIGTERM, as Ctrl-C or Kubernetes would
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(log)).contains("storage flushed and closed");
    try (var files = Files.list(dataDir.resolve("partitions"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".clean")).count()).isEqualTo(8);
    }
    assertThat(portIsFree(port)).isTrue();
  }

  static boolean portIsFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
