package io.raftcache.node.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.SetRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
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
  NodeProcessCluster cluster;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  void write(int from, int to, List<String> via) {
    for (int i = from; i < to; i++) {
      String key = "k" + i;
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        CacheGrpc.newBlockingStub(cluster.channel(via.get(key.hashCode() & 1 % via.size())))
            .withDeadlineAfter(5, TimeUnit.SECONDS).set(SetRequest.newBuilder().setNamespace("app")
                .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v" + key)).build());
        return true;
      });
    }
  }

  long count(String id, String text) throws IOException {
    try (Stream<String> lines = Files.lines(cluster.logOf(id))) {
      return lines.filter(l -> l.contains(text)).count();
    }
  }

  @Test
  void aWipedReplicaCatchesUpBySnapshotInstall() throws Exception {
    cluster = new NodeProcessCluster(3, dir, Path.of("target", "it-logs"), "snapshot-install-",
        List.of("--cluster-id", "snap-it", "--partitions", String.valueOf(PARTITIONS), "--max-memory", "64MiB",
            "--max-value-bytes", "1MiB", "--snapshot-interval", "1s"));
    cluster.startAll();
    cluster.awaitServingWithLeaders(cluster.ids());
    write(0, 300, List.of("n1", "n2", "n3"));
    // Each group snapshots every second while it has new entries; then the leaders' logs are truncated.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (String id : List.of("n1", "n2")) {
        assertThat(count(id, "saved a snapshot")).as("snapshots on %s", id).isGreaterThanOrEqualTo(PARTITIONS);
      }
    });

    cluster.kill("n3").waitFor(30, TimeUnit.SECONDS);
    cluster.dropChannel("n3");
    try (Stream<Path> files = Files.walk(cluster.dataOf("n3"))) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    write(300, 400, List.of("n1", "n2"));
    long savedBefore = count("n1", "saved a snapshot") + count("n2", "saved a snapshot");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        count("n1", "saved a snapshot") + count("n2", "saved a snapshot") > savedBefore);

    cluster.start("n3");
    CacheGrpc.CacheBlockingStub wiped = CacheGrpc.newBlockingStub(cluster.channel("n3"));
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
