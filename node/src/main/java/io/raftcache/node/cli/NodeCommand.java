package io.raftcache.node.cli;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.ClusterPeer;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.AuthMode;
import io.raftcache.node.config.PostgresSettings;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.config.TlsSettings;
import io.raftcache.node.crypto.Keyring;
import io.raftcache.node.crypto.KeyringFormat;
import io.raftcache.node.security.TlsContexts;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.proto.Partitioning;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code raftcache node}: runs a cache node until interrupted. */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Starts a cache node and serves until Ctrl-C or SIGTERM, which stop it cleanly.",
        "Every option can also come from RAFTCACHE_<OPTION> (e.g. RAFTCACHE_MAX_MEMORY) or a --config file."})
final class NodeCommand implements Callable<Integer> {
  /** Holds the keyring's entries themselves (';'-separated), for deployments that inject secrets as variables. */
  static final String ENCRYPTION_KEYS_VARIABLE = "RAFTCACHE_ENCRYPTION_KEYS";

  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file of option defaults (keys are option names without dashes, e.g. max-memory=2GiB).")
  Path configFile;

  @Option(names = "--node-id", defaultValue = "node-1", description = "Stable id of this node (default: ${DEFAULT-VALUE}).")
  String nodeId;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "7070", description = "gRPC port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--metrics-port", defaultValue = "9464",
      description = "HTTP port for /metrics, /healthz, /readyz; -1 disables (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--data-dir", defaultValue = "./data/node", description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--max-memory", defaultValue = "1GiB", converter = ByteSizeConverter.class,
      description = "Memory budget for keys and values; eviction keeps usage below it (default: ${DEFAULT-VALUE}).")
  long maxMemory;

  @Option(names = "--max-value-bytes", defaultValue = "8MiB", converter = ByteSizeConverter.class,
      description = "Largest value accepted (default: ${DEFAULT-VALUE}).")
  long maxValueBytes;

  @Option(names = "--average-value-bytes", defaultValue = "1KiB", converter = ByteSizeConverter.class,
      description = "Expected value size, used to lay out Chronicle Map (default: ${DEFAULT-VALUE}).")
  long averageValueBytes;

  @Option(names = "--partitions", defaultValue = "" + Partitioning.DEFAULT_PARTITION_COUNT,
      description = "Partition count P, fixed for the life of the data directory (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--namespace-ttl", paramLabel = "NS=DURATION", split = ",",
      description = "Default TTL of a namespace, e.g. sessions=30m (repeatable or comma-separated).")
  Map<String, String> namespaceTtls = new LinkedHashMap<>();

  @Option(names = "--cluster-id", defaultValue = "local", description = "Id of the cluster (default: ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(names = "--peers", paramLabel = "ID=HOST:PORT:RAFT_PORT", split = ",",
      description = {"Every member of a replicated cluster, this node included, e.g.",
          "n1=10.0.0.1:7070:7170,n2=10.0.0.2:7070:7170,n3=10.0.0.3:7070:7170. Omit for a single node."})
  List<String> peers = new ArrayList<>();

  @Option(names = "--join", paramLabel = "HOST:PORT", split = ",",
      description = {"Join an existing cluster through any of these members' client addresses instead of founding",
          "one; --peers then names only this node, e.g. --peers n4=10.0.0.4:7070:7170 --join 10.0.0.1:7070."})
  List<String> join = new ArrayList<>();

  @Option(names = "--replication-factor", defaultValue = "3",
      description = "Replicas per partition R, recorded when the cluster is founded (default: ${DEFAULT-VALUE}).")
  int replicationFactor;

  @Option(names = "--region", defaultValue = "local", description = "Region label of this node (default: ${DEFAULT-VALUE}).")
  String region;

  @Option(names = "--zone", defaultValue = "local", description = "Zone label of this node (default: ${DEFAULT-VALUE}).")
  String zone;

  @Option(names = "--postgres-url", paramLabel = "JDBC_URL",
      description = {"PostgreSQL for config and the audit trail, e.g. jdbc:postgresql://db:5432/raftcache.",
          "Omit to keep config from flags and audit in the local spool only."})
  String postgresUrl;

  @Option(names = "--postgres-user", defaultValue = "raftcache",
      description = "PostgreSQL role (default: ${DEFAULT-VALUE}); the password comes from RAFTCACHE_POSTGRES_PASSWORD.")
  String postgresUser;

  @Option(names = "--auth", defaultValue = "tokens",
      description = {"tokens: every call needs 'authorization: Bearer <token>' with a role for its namespace (tokens",
          "live in PostgreSQL); open: anyone may do anything, for local development only (default: ${DEFAULT-VALUE})."})
  String auth;

  @Option(names = "--cluster-secret-file", paramLabel = "FILE",
      description = {"File holding the secret the cluster's members share and send on inter-node calls (16+",
          "characters); or set RAFTCACHE_CLUSTER_SECRET. Required for a replicated cluster with --auth tokens."})
  Path clusterSecretFile;

  @Option(names = "--tls-cert", paramLabel = "PEM",
      description = "Certificate chain for TLS on the client port and mutual TLS to peers (with --tls-key, --tls-ca).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "PKCS#8 private key of --tls-cert.")
  Path tlsKey;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = "CA certificate that signs the members' certificates.")
  Path tlsCa;

  @Option(names = "--encryption-key-file", paramLabel = "FILE",
      description = {"Keys for namespaces with encryption at rest: lines ID=BASE64_OF_32_BYTES, the first encrypts,",
          "all decrypt; or set RAFTCACHE_ENCRYPTION_KEYS to the same entries separated by ';'."})
  Path encryptionKeyFile;

  @Option(names = "--snapshot-interval", defaultValue = "5m", converter = DurationConverter.class,
      description = "How often each raft group snapshots its partition and truncates its log (default: ${DEFAULT-VALUE}).")
  Duration snapshotInterval;

  @Option(names = "--expiry-interval", defaultValue = "1s", converter = DurationConverter.class,
      description = "How often the expiry sweeper scans the next segment of each partition (default: ${DEFAULT-VALUE}).")
  Duration expiryInterval;

  @Option(names = "--access-resolution", defaultValue = "10s", converter = DurationConverter.class,
      description = "How stale an entry's LRU access time may get before a read rewrites it (default: ${DEFAULT-VALUE}).")
  Duration accessResolution;

  private SecuritySettings security() throws java.io.IOException {
    AuthMode mode = switch (auth.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "tokens" -> AuthMode.TOKENS;
      case "open" -> AuthMode.OPEN;
      default -> throw new IllegalArgumentException("--auth must be tokens or open, got " + auth);
    };
    String secret = clusterSecretFile != null
        ? java.nio.file.Files.readString(clusterSecretFile).strip()
        : System.getenv("RAFTCACHE_CLUSTER_SECRET");
    TlsSettings tls = tlsCert == null && tlsKey == null && tlsCa == null ? null : new TlsSettings(tlsCert, tlsKey, tlsCa);
    return new SecuritySettings(mode, secret == null || secret.isBlank() ? null : secret, tls, encryptionKeys(System.getenv()));
  }

  /**
   * The keyring from {@code --encryption-key-file} (which, like every flag, may also come from
   * {@code RAFTCACHE_ENCRYPTION_KEY_FILE} or the config file), or from {@code RAFTCACHE_ENCRYPTION_KEYS}, which
   * holds the entries themselves, or none. Key material never comes from a flag, where {@code ps} would show it.
   */
  Keyring encryptionKeys(Map<String, String> environment) {
    String keys = environment.get(ENCRYPTION_KEYS_VARIABLE);
    if (encryptionKeyFile != null) {
      if (keys != null && !keys.isBlank()) {
        throw new IllegalArgumentException("both --encryption-key-file and " + ENCRYPTION_KEYS_VARIABLE
            + " are set; give the keys one way");
      }
      return KeyringFormat.read(encryptionKeyFile);
    }
    return keys == null || keys.isBlank() ? Keyring.EMPTY : KeyringFormat.parse(keys, ENCRYPTION_KEYS_VARIABLE);
  }

  @Override
  public Integer call() throws Exception {
    Map<String, Duration> ttls = new LinkedHashMap<>();
    DurationConverter durations = new DurationConverter();
    namespaceTtls.forEach((ns, ttl) -> ttls.put(ns, durations.convert(ttl)));
    if (maxValueBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("--max-value-bytes must be below 2 GiB");
    }
    List<ClusterPeer> members = peers.stream().filter(p -> !p.isBlank()).map(ClusterPeer::parse).toList();
    NodeConfig config = new NodeConfig(nodeId, host, port, metricsPort, dataDir, maxMemory, (int) maxValueBytes,
        (int) Math.min(Integer.MAX_VALUE, averageValueBytes), partitions, NamespaceDefaults.ofTtls(ttls),
        expiryInterval, accessResolution, true, clusterId, members, true, snapshotInterval,
        join.stream().filter(j -> !j.isBlank()).toList(), replicationFactor, region, zone,
        postgresUrl == null || postgresUrl.isBlank() ? null
            : new PostgresSettings(postgresUrl, postgresUser, System.getenv("RAFTCACHE_POSTGRES_PASSWORD")),
        security());
    if (config.replicated() && !config.self().clientAddress().endsWith(":" + port)) {
      throw new IllegalArgumentException("--port " + port + " differs from this node's entry in --peers ("
          + config.self().clientAddress() + "); other nodes forward to that address");
    }

    NettyServerBuilder server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .maxInboundMessageSize(config.maxValueBytes() + 4 * 1024 * 1024);
    if (config.security().tls() != null) {
      server.sslContext(TlsContexts.forServer(config.security().tls()));
    }
    RaftCacheNode node = RaftCacheNode.start(config, Clock.systemUTC(),
        PartitionStoreFactory.chronicle(dataDir.resolve("partitions")), server);

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "raftcache-shutdown"));
    System.out.printf("raftcache node %s ready: grpc %s:%d, metrics %s, data %s%n", nodeId, host, node.port(),
        node.metricsPort() < 0 ? "off" : "http://" + host + ":" + node.metricsPort() + "/metrics",
        dataDir.toAbsolutePath().normalize());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
