package io.raftcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.AuthMode;
import io.raftcache.node.config.ClusterPeer;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.PostgresSettings;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.persist.PostgresConfigStore;
import io.raftcache.node.persist.PostgresDatabase;
import io.raftcache.node.security.Role;
import io.raftcache.node.security.TokenSecrets;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.FreePorts;
import io.raftcache.node.testing.GrpcAssertions;
import io.raftcache.node.testing.PostgresTestDatabase;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.SetRequest;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes in token mode sharing one PostgreSQL and one cluster secret: a client's token works through any
 * node (forwarding authenticates with the cluster secret), and a node with another secret cannot join.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecuredClusterIT {
  private static final String SECRET = "secured-cluster-secret-0123456789";
  @TempDir Path dir;
  private final Map<String, RaftCacheNode> nodes = new HashMap<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    nodes.values().forEach(RaftCacheNode::close);
  }

  @Test
  void aTokenWorksThroughEveryNodeAndANodeWithAnotherSecretCannotJoin() throws Exception {
    try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
      String writer = createToken(db, "app", Map.of("orders", Role.WRITE));
      List<ClusterPeer> peers = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        peers.add(new ClusterPeer("s" + i, "127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next()));
      }
      for (ClusterPeer peer : peers) {
        nodes.put(peer.nodeId(), start(peer, peers, List.of(), SECRET, db));
      }
      Map<String, CacheGrpc.CacheBlockingStub> caches = new HashMap<>();
      for (ClusterPeer peer : peers) {
        caches.put(peer.nodeId(), CacheGrpc.newBlockingStub(channel(peer.clientAddress(), writer)));
      }
      ClusterGrpc.ClusterBlockingStub cluster = ClusterGrpc.newBlockingStub(channel(peers.get(0).clientAddress(), writer));
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> cluster
          .getTopology(GetTopologyRequest.getDefaultInstance()).getPartitionsList().stream()
          .allMatch(p -> !p.getLeader().isEmpty()) && cluster.getTopology(GetTopologyRequest.getDefaultInstance())
          .getPartitionsCount() == 4);

      // Writes through every node: those a node does not lead are forwarded to the leader with the cluster secret.
      for (int i = 0; i < 40; i++) {
        String via = peers.get(i % 3).nodeId();
        CacheGrpc.CacheBlockingStub cache = caches.get(via).withDeadlineAfter(10, TimeUnit.SECONDS);
        String key = "k" + i;
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> cache.set(SetRequest.newBuilder()
            .setNamespace("orders").setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(via))
            .build()).getApplied());
      }
      for (ClusterPeer peer : peers) {
        for (int i = 0; i < 40; i++) {
          assertThat(caches.get(peer.nodeId()).withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder()
              .setNamespace("orders").setKey(ByteString.copyFromUtf8("k" + i))
              .setConsistency(Consistency.LINEARIZABLE).build()).getValue().toStringUtf8())
              .isEqualTo(peers.get(i % 3).nodeId());
        }
      }
      GrpcAssertions.assertFails(() -> caches.get("s2").get(GetRequest.newBuilder().setNamespace("billing")
          .setKey(ByteString.copyFromUtf8("k")).build()), Status.Code.PERMISSION_DENIED, ErrorReason.ROLE_REQUIRED);

      // A node that does not know the cluster secret is refused at once, with a message that says why.
      ClusterPeer stranger = new ClusterPeer("s4", "127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next());
      assertThatThrownBy(() -> nodes.put("s4", start(stranger, List.of(stranger),
          List.of(peers.get(0).clientAddress()), "some-other-secret-0123456789", db)))
          .hasMessageContaining("cluster secret");
    }
  }

  private RaftCacheNode start(ClusterPeer peer, List<ClusterPeer> founders, List<String> join, String secret,
      PostgresTestDatabase db) throws Exception {
    int port = Integer.parseInt(peer.clientAddress().split(":")[1]);
    NodeConfig config = new NodeConfig(peer.nodeId(), "127.0.0.1", port, -1, dir.resolve(peer.nodeId()), 64L << 20,
        1 << 20, 1024, 4, NamespaceDefaults.none(), Duration.ofHours(1), Duration.ofSeconds(1), false, "secured",
        founders, false, Duration.ofMinutes(5), join, 3, "local", "local",
        new PostgresSettings(db.url(), db.user(), ""), new SecuritySettings(AuthMode.TOKENS, secret, null));
    return RaftCacheNode.start(config, Clock.systemUTC(),
        PartitionStoreFactory.chronicle(dir.resolve(peer.nodeId()).resolve("partitions")),
        NettyServerBuilder.forPort(port));
  }

  private ManagedChannel channel(String address, String token) {
    Metadata headers = new Metadata();
    headers.put(RaftCacheMetadata.AUTHORIZATION, "Bearer " + token);
    ManagedChannel channel = NettyChannelBuilder.forTarget(address).usePlaintext()
        .intercept(MetadataUtils.newAttachHeadersInterceptor(headers)).build();
    channels.add(channel);
    return channel;
  }

  private static String createToken(PostgresTestDatabase db, String name, Map<String, Role> grants) {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (PostgresDatabase database = PostgresDatabase.open(db.url(), db.user(), "")) {
      String secret = new TokenSecrets(new SecureRandom()).newSecret();
      new PostgresConfigStore(database.dataSource(), executor)
          .createToken("test", name, TokenSecrets.sha256(secret), grants, null, 0).join();
      return secret;
    } finally {
      executor.shutdownNow();
    }
  }
}
