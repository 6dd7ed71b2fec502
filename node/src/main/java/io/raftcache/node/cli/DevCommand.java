package io.raftcache.node.cli;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import io.raftcache.proto.Partitioning;
import picocli.CommandLine.Option;

/** {@code raftcache dev}: a replicated cluster of separate node processes on loopback, for trying things out. */
@Command(name = "dev", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Starts a 3-node replicated cluster on 127.0.0.1 (separate processes, data under ./data/dev),",
        "prints the endpoints and an example, and stops every node on Ctrl-C."})
final class DevCommand implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes, 1-5 (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--base-port", defaultValue = "7070",
      description = "gRPC port of the first node; node i uses base+i, raft base+100+i, metrics --metrics-base-port+i (default: ${DEFAULT-VALUE}).")
  int basePort;

  @Option(names = "--metrics-base-port", defaultValue = "9464",
      description = "Metrics port of the first node; node i uses base+i (default: ${DEFAULT-VALUE}).")
  int metricsBasePort;

  @Option(names = "--data-dir", defaultValue = "./data/dev", description = "Parent of the nodes' data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--partitions", defaultValue = "" + Partitioning.DEFAULT_PARTITION_COUNT,
      description = "Partition count; each is a raft group per node, and a group takes ~0.3-1.3 s to start here (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--max-memory", defaultValue = "256MiB", description = "Memory budget of each node (default: ${DEFAULT-VALUE}).")
  String maxMemory;

  @Option(names = "--max-value-bytes", defaultValue = "2MiB", description = "Largest value (default: ${DEFAULT-VALUE}).")
  String maxValueBytes;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 5) {
      throw new IllegalArgumentException("--nodes must be 1 to 5");
    }
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      peers.add("n" + (i + 1) + "=127.0.0.1:" + (basePort + i) + ":" + (basePort + 100 + i));
    }
    List<Process> processes = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      processes.forEach(Process::destroy); // SIGTERM: each node drains and flushes its stores
      for (Process p : processes) {
        try {
          if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      System.out.println("dev cluster stopped");
      stopped.countDown();
    }, "raftcache-dev-shutdown"));

    for (int i = 0; i < nodes; i++) {
      String id = "n" + (i + 1);
      Path dir = dataDir.resolve(id);
      Files.createDirectories(dir);
      List<String> command = new ArrayList<>(javaCommand());
      command.addAll(List.of("node", "--node-id", id, "--port", String.valueOf(basePort + i),
          "--metrics-port", String.valueOf(metricsBasePort + i), "--data-dir", dir.toString(), "--cluster-id", "dev",
          "--peers", String.join(",", peers), "--partitions", String.valueOf(partitions),
          "--max-memory", maxMemory, "--max-value-bytes", maxValueBytes, "--auth", "open"));
      File log = dataDir.resolve(id + ".log").toFile();
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
      // The dev cluster is plaintext and open: TLS settings meant for other nodes in this shell would make its
      // nodes refuse the plaintext readiness probe.
      builder.environment().keySet().removeIf(name -> name.startsWith("RAFTCACHE_TLS_"));
      processes.add(builder.start());
      System.out.printf("started %s (pid %d), log %s%n", id, processes.get(i).pid(), log);
    }
    for (int i = 0; i < nodes; i++) {
      awaitServing("127.0.0.1:" + (basePort + i), processes.get(i), Duration.ofMinutes(2));
    }
    System.out.println();
    System.out.println("raftcache dev cluster ready:");
    for (int i = 0; i < nodes; i++) {
      System.out.printf("  n%d  grpc 127.0.0.1:%d   metrics http://127.0.0.1:%d/metrics   data %s%n",
          i + 1, basePort + i, metricsBasePort + i, dataDir.resolve("n" + (i + 1)));
    }
    String postgres = System.getenv("RAFTCACHE_POSTGRES_URL");
    System.out.println(postgres == null || postgres.isBlank()
        ? "  PostgreSQL: none (RAFTCACHE_POSTGRES_URL is not set): namespace settings come from flags, and audit events"
            + " stay in each node's data-dir/audit.spool"
        : "  PostgreSQL: " + postgres + " (audit trail and namespace settings; every node uses it)");
    System.out.println("  Auth: OPEN (--auth open): anyone who reaches these loopback ports may do anything; production"
        + " nodes run --auth tokens");
    System.out.println();
    System.out.println("Try, in another terminal (any node serves any key):");
    System.out.printf("  ./raftcache set -t 127.0.0.1:%d greeting hello --ttl 10m%n", basePort);
    System.out.printf("  ./raftcache get -t 127.0.0.1:%d -v greeting%n", basePort + nodes - 1);
    System.out.println("Ctrl-C stops every node.");
    stopped.await();
    return 0;
  }

  /** The java binary, JVM flags and jar of this very process, so the nodes run exactly as it does. */
  private static List<String> javaCommand() {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(RaftCacheCommand.class.getName());
    return command;
  }

  private static void awaitServing(String target, Process process, Duration timeout) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      Instant until = Instant.now().plus(timeout);
      while (Instant.now().isBefore(until)) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the node on " + target + " exited; see its log under the data directory");
        }
        try {
          if (HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING) {
            return;
          }
        } catch (RuntimeException notYet) {
          // still starting
        }
        TimeUnit.MILLISECONDS.sleep(250);
      }
      throw new IllegalStateException("the node on " + target + " did not become ready within " + timeout);
    } finally {
      channel.shutdownNow();
    }
  }
}
