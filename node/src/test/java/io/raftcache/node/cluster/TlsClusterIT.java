package io.raftcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.AuthMode;
import io.raftcache.node.config.ClusterPeer;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.security.TlsContexts;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.FreePorts;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.node.testing.TestCertificates;
import io.raftcache.proto.internal.v1.JoinRequest;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.SetRequest;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes with TLS on their client ports: forwarding between them runs over mutual TLS, and their internal
 * services refuse callers without a member's certificate. (The raft port stays plaintext, see architecture.md.)
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsClusterIT {
  static final int PARTITIONS = 4;

  @TempDir Path dir;
  TestCertificates certs;
  final List<ClusterPeer> peers = new ArrayList<>();
  final Map<String, RaftCacheNode> nodes = new HashMap<>();
  final List<ManagedChannel> channels = new ArrayList<>();
  final Map<String, ManagedChannel> clientChannels = new HashMap<>();
  final MutableClock clock = MutableClock.atStart();

  @BeforeEach
  void startCluster() throws Exception {
    certs = TestCertificates.create(dir.resolve("certs"));
    for (int i = 1; i <= 3; i++) {
      peers.add(new ClusterPeer("n" + i, "127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next()));
    }
    SecuritySettings security = new SecuritySettings(AuthMode.OPEN, null, certs.settings());
    for (ClusterPeer peer : peers) {
      int port = Integer.parseInt(peer.clientAddress().split(":")[1]);
      Path data = dir.resolve(peer.nodeId());
      NodeConfig config = new NodeConfig(peer.nodeId(), "127.0.0.1", port, -1, data, 64L << 20, 1 << 20, 1024,
          PARTITIONS, NamespaceDefaults.none(), Duration.ofHours(1), Duration.ofSeconds(1), false, "tls-it", peers,
          false, Duration.ofMinutes(5), List.of(), 3, "local", "local", null, security);
      nodes.put(peer.nodeId(), RaftCacheNode.start(config, clock,
          PartitionStoreFactory.chronicle(data.resolve("partitions")),
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
              .sslContext(TlsContexts.forServer(security.tls()))));
      clientChannels.put(peer.nodeId(), open(peer.clientAddress(), false));
    }
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      for (String id : nodes.keySet()) {
        assertThat(ClusterGrpc.newBlockingStub(clientChannels.get(id)).withDeadlineAfter(5, TimeUnit.SECONDS)
            .getTopology(GetTopologyRequest.getDefaultInstance()).getPartitionsList())
            .hasSize(PARTITIONS).extracting(PartitionAssignment::getLeader)
            .allSatisfy(leader -> assertThat(nodes).containsKey(leader));
      }
    });
  }

  @AfterEach
  void stopAll() {
    channels.forEach(ManagedChannel::shutdownNow);
    nodes.values().forEach(RaftCacheNode::close);
  }

  /** A TLS channel trusting the cluster CA; with {@code asMember}, presenting the node certificate too. */
  ManagedChannel open(String address, boolean asMember) throws Exception {
    var ssl = GrpcSslContexts.forClient().trustManager(certs.ca().toFile());
    if (asMember) {
      ssl.keyManager(certs.certificate().toFile(), certs.privateKey().toFile());
    }
    ManagedChannel channel = NettyChannelBuilder.forTarget(address).sslContext(ssl.build()).build();
    channels.add(channel);
    return channel;
  }

  CacheGrpc.CacheBlockingStub cache(String nodeId) {
    return CacheGrpc.newBlockingStub(clientChannels.get(nodeId)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void writesSentToFollowersAreForwardedOverMutualTlsAndReadBackEverywhere() {
    Map<String, Long> versions = new HashMap<>();
    for (int i = 0; i < 60; i++) {
      String via = "n" + (i % 3 + 1); // a node leads only some partitions: most writes reach a follower
      SetRequest set = SetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("k" + i))
          .setValue(ByteString.copyFromUtf8("v" + i)).build();
      versions.put("k" + i, cache(via).set(set).getVersion());
    }
    long forwarded = nodes.values().stream().mapToLong(n -> n.metrics().registry()
        .getSampleValue("raftcache_forwarded_requests_total").longValue()).sum();
    assertThat(forwarded).as("writes forwarded from followers to leaders").isPositive();
    for (String id : nodes.keySet()) {
      for (int i = 0; i < 60; i++) {
        var r = cache(id).get(GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("k" + i))
            .setConsistency(Consistency.LINEARIZABLE).build());
        assertThat(r.getValue().toStringUtf8()).as("k%d on %s", i, id).isEqualTo("v" + i);
        assertThat(r.getVersion()).isEqualTo(versions.get("k" + i));
      }
    }
  }

  @Test
  void internalServicesRefuseCallersWithoutAMembersCertificate() throws Exception {
    String address = peers.get(0).clientAddress();
    ManagedChannel noCertificate = open(address, false);
    CallOptions deadline = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    byte[] noHints = ForwardingProtocol.accessed(0, List.of());

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(noCertificate, ForwardingProtocol.ACCESSED, deadline,
        noHints)).isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    JoinRequest join = JoinRequest.newBuilder().setClusterId("tls-it").build();
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(noCertificate, MembershipService.JOIN, deadline, join))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    // The same client port still serves the public API to that caller.
    assertThat(CacheGrpc.newBlockingStub(noCertificate).withDeadline(deadline.getDeadline())
        .get(GetRequest.newBuilder().setNamespace("app").setKey(ByteString.copyFromUtf8("absent")).build())
        .getFound()).isFalse();

    // With a certificate from the cluster CA the call gets past the check (an empty hint batch is accepted).
    ClientCalls.blockingUnaryCall(open(address, true), ForwardingProtocol.ACCESSED, deadline, noHints);
  }

  @Test
  void theRaftPortSpeaksMutualTlsAndDropsCallersWithoutAMembersCertificate() throws Exception {
    String[] raft = peers.get(0).raftAddress().split(":");
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (var in = java.nio.file.Files.newInputStream(certs.ca())) {
      trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);

    // Without a client certificate: the node ends the connection (needClientAuth) instead of serving raft.
    javax.net.ssl.SSLContext anonymous = javax.net.ssl.SSLContext.getInstance("TLS");
    anonymous.init(null, tmf.getTrustManagers(), null);
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) anonymous.getSocketFactory()
        .createSocket(raft[0], Integer.parseInt(raft[1]))) {
      socket.setSoTimeout(5000);
      assertThatThrownBy(() -> {
        socket.startHandshake();
        if (socket.getInputStream().read() < 0) {
          throw new java.io.EOFException("closed by the node");
        }
      }).isInstanceOf(java.io.IOException.class);
    }

    // With a member's certificate (the keystore the node made from its PEM files) the handshake completes and
    // the connection stays open, waiting for raft requests.
    java.security.KeyStore member = java.security.KeyStore.getInstance("PKCS12");
    char[] password = System.getProperty("bolt.client.ssl.keystore.password").toCharArray();
    try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(System.getProperty("bolt.client.ssl.keystore")))) {
      member.load(in, password);
    }
    javax.net.ssl.KeyManagerFactory kmf =
        javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(member, password);
    javax.net.ssl.SSLContext withCertificate = javax.net.ssl.SSLContext.getInstance("TLS");
    withCertificate.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) withCertificate.getSocketFactory()
        .createSocket(raft[0], Integer.parseInt(raft[1]))) {
      socket.setSoTimeout(1000);
      socket.startHandshake();
      assertThatThrownBy(() -> socket.getInputStream().read())
          .as("open and silent: the node waits for a request").isInstanceOf(java.net.SocketTimeoutException.class);
    }
  }
}
