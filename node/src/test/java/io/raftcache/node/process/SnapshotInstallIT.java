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
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.SetRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A replica killed with SIGKILL and wiped catches up by snapshot install, in real node processes. */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SnapshotInstallIT {
  static final int PARTITIONS = 4;

  @TempDir Path dir;
  final Map<String, Process> processes = new HashMap<>();
  final Map<String, ManagedChannel> channels = new HashMap<>();
  final Map<String, Integer> ports = new HashMap<>();
  final List<String> peers = new ArrayList<>();
  final Path logs = Path.of("target", "it-logs");

  @AfterEach
  void cleanUp() throws InterruptedException {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (Process p : processes.values()) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  Path logOf(String id) {
    return logs.resolve("snapshot-install-" + id + ".log");
  }

  void start(String id) throws IOException {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "@" + System.getProperty("raftcache.jvmOptionsFile"), "-Xmx256m", "-jar", System.getProperty("raftcache.nodeJar"),
        "node", "--node-id", id, "--port", String.valueOf(ports.get(id)), "--metrics-port", "-1",
        "--data-dir", dir.resolve(id).toString(), "--cluster-id", "snap-it", "--peers", String.join(",", peers),
        "--partitions", String.valueOf(PARTITIONS), "--max-memory", "64MiB", "--max-value-bytes", "1MiB",
        "--snapshot-interval", "1s")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logOf(id).toFile())).start();
    processes.put(id, p);
    channels.put(id, NettyChannelBuilder.forAddress("127.0.0.1", ports.get(id)).usePlaintext().build());
  }

  void awaitServingWithLeaders(List<String> ids) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
      for (String id : ids) {
        assertThat(processes.get(id).isAlive()).as("%s alive", id).isTrue();
        assertThat(HealthGrpc.newBlockingStub(channels.get(id)).withDeadlineAfter(1, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        assertThat(ClusterGrpc.newBlockingStub(channels.get(id)).getTopology(GetTopologyRequest.getDefaultInstance())
            .getPartitionsList()).allSatisfy(a -> assertThat(a.getLeader()).isNotEmpty());
      }
    });
  }

  void write(int from, int to, List<String> via) {
    for (int i = from; i < to; i++) {
      String key = "k" + i;
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        CacheGrpc.newBlockingStub(channels.get(via.get(key.hashCode() & 1 % via.size())))
            .withDeadlineAfter(5, TimeUnit.SECONDS).set(SetRequest.newBuilder().setNamespace("app")
                .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v" + key)).build());
        return true;
      });
    }
  }

  long count(String id, String text) throws IOException {
    try (Stream<String> lines = Files.lines(logOf(id))) {
      return lines.filter(l -> l.contains(text)).count();
    }
  }

  @Test
  void aWipedReplicaCatchesUpBySnapshotInstall() throws Exception {
    Files.createDirectories(logs);
    for (int i = 1; i <= 3; i++) {
      ports.put("n" + i, freePort());
      peers.add("n" + i + "=127.0.0.1:" + ports.get("n" + i) + ":" + freePort());
      Files.deleteIfExists(logOf("n" + i));
    }
    for (String id : List.of("n1", "n2", "n3")) {
      start(id);
    }
    awaitServingWithLeaders(List.of("n1", "n2", "n3"));
    write(0, 300, List.of("n1", "n2", "n3"));
    // Each group snapshots every second while it has new entries; then the leaders' logs are truncated.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (String id : List.of("n1", "n2")) {
        assertThat(count(id, "saved a snapshot")).as("snapshots on %s", id).isGreaterThanOrEqualTo(PARTITIONS);
      }
    });

    processes.get("n3").destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    channels.remove("n3").shutdownNow();
    try (Stream<Path> files = Files.walk(dir.resolve("n3"))) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    write(300, 400, List.of("n1", "n2"));
    long savedBefore = count("n1", "saved a snapshot") + count("n2", "saved a snapshot");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        count("n1", "saved a snapshot") + count("n2", "saved a snapshot") > savedBefore);

    start("n3");
    CacheGrpc.CacheBlockingStub wiped = CacheGrpc.newBlockingStub(channels.get("n3"));
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
      for (int i = 0; i < 400; i++) {
        assertThat(wiped.withDeadlineAfter(2, TimeUnit.SECONDS).get(GetRequest.newBuilder().setNamespace("app")
            .setKey(ByteString.copyFromUtf8("k" + i)).setConsistency(Consistency.STALE).build())
            .getValue().toStringUtf8()).as("k%d on the wiped replica", i).isEqualTo("vk" + i);
      }
    });
    assertThat(count("n3", "loaded a snapshot")).as("snapshot installs logged by the wiped replica").isPositive();
  }
}
