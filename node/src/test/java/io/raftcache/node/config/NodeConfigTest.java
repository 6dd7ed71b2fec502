package io.raftcache.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  static NodeConfig config(String nodeId, List<ClusterPeer> peers, List<String> join) {
    return new NodeConfig(nodeId, "127.0.0.1", 7070, -1, Path.of("data"), 64L << 20, 1 << 20, 1024, 16,
        NamespaceDefaults.none(), Duration.ofSeconds(1), Duration.ofSeconds(10), false, "c", peers, true,
        Duration.ofMinutes(5), join, 3, "local", "local", null, SecuritySettings.OPEN_PLAINTEXT);
  }

  static final ClusterPeer POD0 = ClusterPeer.parse("raftcache-0=raftcache-0.raftcache-headless:7070:7170");
  static final ClusterPeer POD1 = ClusterPeer.parse("raftcache-1=raftcache-1.raftcache-headless:7070:7170");

  @Test
  void aNodeWhoseJoinNamesOnlyItselfFoundsTheClusterAndTheOthersJoin() {
    List<String> join = List.of("raftcache-0.raftcache-headless:7070");
    assertThat(config("raftcache-0", List.of(POD0), join).joining()).isFalse();
    assertThat(config("raftcache-1", List.of(POD1), join).joining()).isTrue();
    assertThat(config("raftcache-0", List.of(POD0, POD1), List.of()).joining()).isFalse();
  }

  @Test
  void aJoiningNodeListsOnlyItselfInPeers() {
    assertThatThrownBy(() -> config("raftcache-1", List.of(POD0, POD1), List.of("raftcache-0.raftcache-headless:7070")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lists only itself");
  }
}
