package io.raftcache.node.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftcache.node.testing.FreePorts;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.GetTopologyRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A replicated cluster of real node processes on loopback, started from the packaged jar with jvm.options, each
 * logging to a file under {@code target/} that outlives the test.
 */
final class NodeProcessCluster implements AutoCloseable {
  private final Path dataDir;
  private final Path logDir;
  private final String logPrefix;
  private final List<String> nodeArgs;
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final List<String> peers = new ArrayList<>();
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /**
   * Plans {@code size} nodes n1..nN on free ports.
   *
   * @param nodeArgs options every node gets besides its id, ports, data directory and peers
   */
  NodeProcessCluster(int size, Path dataDir, Path logDir, String logPrefix, List<String> nodeArgs) throws IOException {
    this.dataDir = dataDir;
    this.logDir = logDir;
    this.logPrefix = logPrefix;
    this.nodeArgs = List.copyOf(nodeArgs);
    Files.createDirectories(logDir);
    for (int i = 1; i <= size; i++) {
      String id = "n" + i;
      ports.put(id, FreePorts.next());
      peers.add(id + "=127.0.0.1:" + ports.get(id) + ":" + FreePorts.next());
      Files.deleteIfExists(logOf(id));
    }
  }

  List<String> ids() {
    return List.copyOf(ports.keySet());
  }

  Path logOf(String id) {
    return logDir.resolve(logPrefix + id + ".log");
  }

  Path dataOf(String id) {
    return dataDir.resolve(id);
  }

  /** Starts (or restarts) node {@code id}, appending to its log. */
  void start(String id) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "@" + System.getProperty("raftcache.jvmOptionsFile"), "-Xmx256m", "-jar", System.getProperty("raftcache.nodeJar"),
        "node", "--node-id", id, "--port", String.valueOf(ports.get(id)), "--metrics-port", "-1",
        "--data-dir", dataOf(id).toString(), "--peers", String.join(",", peers), "--auth", "open"));
    command.addAll(nodeArgs);
    processes.put(id, new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logOf(id).toFile())).start());
    channels.put(id, NettyChannelBuilder.forAddress("127.0.0.1", ports.get(id)).usePlaintext().build());
  }

  void startAll() throws IOException {
    for (String id : ids()) {
      start(id);
    }
  }

  ManagedChannel channel(String id) {
    return channels.get(id);
  }

  /** Waits until every node in {@code ids} serves and knows a leader for every partition. */
  void awaitServingWithLeaders(List<String> ids) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
      for (String id : ids) {
        assertThat(processes.get(id).isAlive()).as("%s alive", id).isTrue();
        assertThat(HealthGrpc.newBlockingStub(channels.get(id)).withDeadlineAfter(1, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        assertThat(ClusterGrpc.newBlockingStub(channels.get(id)).getTopology(GetTopologyRequest.getDefaultInstance())
            .getPartitionsList()).isNotEmpty() // empty until the meta group's state is applied
            .allSatisfy(a -> assertThat(a.getLeader()).isNotEmpty());
      }
    });
  }

  /** Sends SIGKILL to node {@code id} (no shutdown hook runs) and returns its process, to wait on. */
  Process kill(String id) {
    return processes.get(id).destroyForcibly();
  }

  /** Closes the channel to a node that is gone. */
  void dropChannel(String id) {
    ManagedChannel channel = channels.remove(id);
    if (channel != null) {
      channel.shutdownNow();
    }
  }

  @Override
  public void close() throws InterruptedException {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (Process p : processes.values()) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
