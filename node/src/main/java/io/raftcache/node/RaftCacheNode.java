package io.raftcache.node;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.raftcache.node.api.AdminService;
import io.raftcache.node.api.CacheService;
import io.raftcache.node.api.ClusterService;
import io.raftcache.node.api.MetricsInterceptor;
import io.raftcache.node.api.NoForwardInterceptor;
import io.raftcache.node.api.NonBlockingCallExecutor;
import io.raftcache.node.api.RequestValidator;
import io.raftcache.node.api.ServingGate;
import io.raftcache.node.api.ValueEncryption;
import io.raftcache.node.audit.AuditSink;
import io.raftcache.node.audit.AuditSpool;
import io.raftcache.node.audit.SpoolOnlyAuditSink;
import io.raftcache.node.cluster.ForwardingPartition;
import io.raftcache.node.cluster.ForwardingService;
import io.raftcache.node.cluster.JoinClient;
import io.raftcache.node.cluster.LeaderBalancer;
import io.raftcache.node.cluster.MembershipReconciler;
import io.raftcache.node.cluster.MembershipService;
import io.raftcache.node.cluster.PartitionHosting;
import io.raftcache.node.cluster.PeerChannelFactory;
import io.raftcache.node.cluster.PeerChannels;
import io.raftcache.node.common.Limits;
import io.raftcache.node.config.AuthMode;
import io.raftcache.node.config.ClusterPeer;
import io.raftcache.node.config.LiveConfig;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NamespaceSettings;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.PostgresSettings;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.crypto.AesGcmEnvelope;
import io.raftcache.node.membership.ClusterState;
import io.raftcache.node.membership.MemberInfo;
import io.raftcache.node.metrics.AuditMetrics;
import io.raftcache.node.metrics.MetricsHttpServer;
import io.raftcache.node.metrics.NodeMetrics;
import io.raftcache.node.partition.CacheOperations;
import io.raftcache.node.partition.ExpirySweeper;
import io.raftcache.node.partition.LocalPartition;
import io.raftcache.node.partition.LruEviction;
import io.raftcache.node.partition.MemoryWatermarks;
import io.raftcache.node.partition.NamespaceUsage;
import io.raftcache.node.partition.Partition;
import io.raftcache.node.partition.PartitionSet;
import io.raftcache.node.persist.PostgresAuditWriter;
import io.raftcache.node.persist.PostgresConfigFollower;
import io.raftcache.node.persist.PostgresConfigStore;
import io.raftcache.node.persist.PostgresDatabase;
import io.raftcache.node.raft.MetaGroup;
import io.raftcache.node.raft.RaftMetrics;
import io.raftcache.node.raft.RaftPartition;
import io.raftcache.node.raft.RaftSettings;
import io.raftcache.node.raft.SofaMultiRaft;
import io.raftcache.node.routing.PartitionTable;
import io.raftcache.node.security.AccessPolicy;
import io.raftcache.node.security.AuthInterceptor;
import io.raftcache.node.security.Denials;
import io.raftcache.node.security.PeerCertificateInterceptor;
import io.raftcache.node.security.QuotaInterceptor;
import io.raftcache.node.security.RateLimits;
import io.raftcache.node.security.TokenSecrets;
import io.raftcache.node.storage.DataDirectoryLock;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.storage.StoreSizing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running cache node: the composition root that opens storage, wires partitions, services and metrics, and
 * tears them down in reverse order.
 */
public final class RaftCacheNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RaftCacheNode.class);
  /** How long a new node keeps trying to join through its seeds before it gives up. */
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);
  /** Expected key size (namespace included), for Chronicle Map's layout. */
  private static final int AVERAGE_KEY_BYTES = 64;
  /** Writes that may wait for an eviction round; past that they fail with PARTITION_BUSY, nothing proposed. */
  private static final int EVICTION_QUEUE = 4096;
  /** How often the usage of capacity-limited namespaces is measured. */
  static final Duration USAGE_INTERVAL = Duration.ofSeconds(5);

  private final NodeConfig config;
  private final DataDirectoryLock lock;
  private final PartitionSet partitions; // read by the metrics collector, which may run before it is set
  private final NodeMetrics metrics;
  private final CacheOperations operations;
  private final ExpirySweeper sweeper;
  private final ClusterService clusterService;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ScheduledExecutorService background;
  private final AtomicBoolean ready = new AtomicBoolean();
  private final Server server;
  private final MetricsHttpServer metricsServer;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Built once the server is bound, so it advertises the real port even when the config asked for port 0. */
  private volatile PartitionTable table;
  private final ScheduledExecutorService retries;
  /** Runs eviction rounds off the transport threads; bounded, so a burst of writes past the watermark is refused. */
  private final java.util.concurrent.ExecutorService evictionRounds;
  private final PeerChannels peerChannels;
  /** Builds channels to other members, with the TLS context read once; null for a single node. */
  private final PeerChannelFactory peerChannelFactory;
  private final SofaMultiRaft multiRaft;
  /** Set while the replicated partitions open (null for a single node). */
  private MembershipReconciler membership;
  /** Starts and releases this node's replicas as the assignment changes (null for a single node). */
  private PartitionHosting hosting;
  /** Hands leaderships to replicas that lead fewer partitions (null for a single node). */
  private LeaderBalancer leaderBalancer;
  /** Runs tag removals that other nodes ask of this node's replicas (null for a single node). */
  private java.util.concurrent.ExecutorService removalTasks;
  private MetaGroup meta;
  private final Clock clock;
  /** Where audited actions go: PostgreSQL (through a spool) or, without it, the spool only. */
  private final AuditSink audit;
  /** Null without --postgres-url. */
  private final PostgresDatabase database;
  /** Null without --postgres-url. */
  private final PostgresConfigFollower configFollower;
  /** Namespace settings (from flags, overlaid by PostgreSQL's when it is configured) and API tokens. */
  private final java.util.concurrent.atomic.AtomicReference<LiveConfig> liveConfig;
  /** Entries and bytes of namespaces with capacity limits, re-measured every {@link #USAGE_INTERVAL}. */
  private final NamespaceUsage namespaceUsage;
  /** Refuses calls and audits the refusals (counted ones every second). */
  private final Denials denials;
  /** Why this node no longer serves cache calls (it was removed from its cluster), or null. */
  private volatile String removedFromCluster;
  private volatile boolean wasMember;

  private RaftCacheNode(NodeConfig config, Clock clock, PartitionStoreFactory stores, ServerBuilder<?> serverBuilder) {
    this.clock = clock;
    this.config = config;
    health.setStatus("", ServingStatus.NOT_SERVING); // grpc's health service starts out SERVING
    // The value limit is checked on plaintext; an encrypted value is larger by its envelope. Every node plans
    // for it, with keys or not, since replicas store what the leader proposes.
    StoreSizing sizing = StoreSizing.plan(config.partitionBudgetBytes(), AVERAGE_KEY_BYTES,
        config.averageValueBytes(), config.maxValueBytes() + AesGcmEnvelope.MAX_OVERHEAD_BYTES);
    this.lock = DataDirectoryLock.acquire(config.dataDir());
    this.metrics = new NodeMetrics(this::storeStats, config.jvmMetrics());
    checkSecurity(config);
    this.liveConfig = new java.util.concurrent.atomic.AtomicReference<>(LiveConfig.of(config.namespaces()));
    AuditSpool spool = new AuditSpool(config.dataDir().resolve("audit.spool"));
    if (config.postgres() != null) {
      PostgresSettings pg = config.postgres();
      this.database = PostgresDatabase.connect(pg.jdbcUrl(), pg.user(), pg.password());
      PostgresAuditWriter writer = new PostgresAuditWriter(database.dataSource(), spool);
      this.audit = writer;
      new AuditMetrics(writer::queueDepth, writer::spoolBytes, writer::writeFailures).registerIn(metrics.registry());
      this.databaseTasks = Executors.newSingleThreadScheduledExecutor(daemon("raftcache-postgres"));
      this.configAdmin = new PostgresConfigStore(database.dataSource(), databaseTasks);
      this.configFollower = new PostgresConfigFollower(database.dataSource(),
          config.dataDir().resolve("config-cache.json"), config.namespaces(), liveConfig::set);
      log.info("audit trail and config in PostgreSQL at {} (events spool to {} while it is unreachable)",
          pg.jdbcUrl(), spool);
    } else {
      this.database = null;
      this.configFollower = null;
      this.configAdmin = null;
      this.audit = new SpoolOnlyAuditSink(spool);
      new AuditMetrics(() -> 0, spool::bytes, () -> 0).registerIn(metrics.registry());
      log.warn("NO POSTGRESQL CONFIGURED (--postgres-url): config comes from flags and files only, and audit events"
          + " are kept only in the local spool {}", config.dataDir().resolve("audit.spool").toAbsolutePath());
    }
    this.retries = Executors.newSingleThreadScheduledExecutor(daemon("raftcache-retry"));
    List<ForwardingPartition> routedPartitions = new ArrayList<>();
    if (config.replicated()) {
      RaftMetrics raftMetrics = new RaftMetrics(metrics.registry());
      Map<String, String> clientAddresses = new HashMap<>();
      config.peers().forEach(peer -> clientAddresses.put(peer.nodeId(), peer.clientAddress()));
      this.peerChannelFactory = new PeerChannelFactory(config.security());
      this.peerChannels = new PeerChannels(clientAddresses, config.maxValueBytes() + 4 * 1024 * 1024,
          peerChannelFactory);
      this.multiRaft = new SofaMultiRaft(config.self().raftAddress(), config.dataDir().resolve("raft"),
          raftSettings(config), raftMetrics, config.security().tls());
      this.partitions = openReplicated(config, stores, sizing, routedPartitions, raftMetrics);
    } else {
      this.peerChannelFactory = null;
      this.peerChannels = null;
      this.multiRaft = null;
      this.partitions = openPartitions(config, stores, sizing);
    }
    // Two threads, so one partition's round does not hold up another's (a partition's rounds serialize anyway).
    this.evictionRounds = new java.util.concurrent.ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
        new java.util.concurrent.ArrayBlockingQueue<>(EVICTION_QUEUE), daemon("raftcache-eviction"));
    // The write proposed after a round runs on the round's thread, and must still see its call's gRPC context
    // (deadline, no-forward): each round carries the context it was started in.
    java.util.concurrent.Executor rounds = task -> evictionRounds.execute(io.grpc.Context.current().wrap(task));
    LruEviction eviction = new LruEviction(
        MemoryWatermarks.DEFAULT, sizing.budgetBytes(), config.partitionCount(), clock, metrics, rounds);
    Supplier<NamespaceDefaults> namespaces = () -> liveConfig.get().namespaces();
    this.operations = new CacheOperations(partitions, eviction, namespaces, clock, metrics,
        (int) Math.max(1, config.accessResolution().toSeconds()));
    this.sweeper = new ExpirySweeper(partitions, clock, metrics);

    MembershipService membershipService = config.replicated() ? new MembershipService(() -> meta, peerChannels, audit, config.nodeId(), clock) : null;
    RequestValidator validator = new RequestValidator(Limits.withMaxValueBytes(config.maxValueBytes()));
    this.clusterService = new ClusterService(this::partitionTable);
    MetricsInterceptor interceptor = new MetricsInterceptor(metrics);
    NoForwardInterceptor noForward = new NoForwardInterceptor();
    ServingGate gate = new ServingGate(() -> removedFromCluster);
    AccessPolicy policy = new AccessPolicy();
    this.denials = new Denials(audit, clock, config.nodeId());
    AuthInterceptor auth = new AuthInterceptor(config.security().auth(), () -> liveConfig.get().tokens(),
        config.security().clusterSecret(), policy, denials, clock);
    this.namespaceUsage = new NamespaceUsage(partitions);
    QuotaInterceptor quotas = new QuotaInterceptor(policy, namespaces, new RateLimits(clock), namespaceUsage::of,
        USAGE_INTERVAL, denials);
    // Listed innermost first: metrics see every call, auth runs before the gate and quotas.
    serverBuilder
        .addService(ServerInterceptors.intercept(new CacheService(validator, operations,
                new ValueEncryption(config.security().encryptionKeys(), namespaces,
                    new AesGcmEnvelope(new SecureRandom())), config.nodeId()),
            noForward, quotas, gate, auth, interceptor))
        .addService(ServerInterceptors.intercept(new AdminService(
            validator, operations, namespaces, partitions::stats, metrics, clock, config.nodeId(), membershipService,
            audit, configAdmin, () -> liveConfig.get().tokens(), new TokenSecrets(new SecureRandom())),
            auth, interceptor))
        .addService(ServerInterceptors.intercept(clusterService, auth, interceptor))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance());
    if (config.replicated()) {
      List<ServerInterceptor> membersOnly = membersOnly(config.security(), auth);
      this.removalTasks = Executors.newSingleThreadExecutor(daemon("raftcache-removal"));
      serverBuilder.addService(ServerInterceptors.intercept(new ForwardingService(routedPartitions, operations,
          eviction, clock, (int) Math.max(1, config.accessResolution().toSeconds()), removalTasks, config.nodeId()).definition(),
          membersOnly));
      serverBuilder.addService(ServerInterceptors.intercept(membershipService.definition(), membersOnly));
    }
    this.server = serverBuilder.callExecutor(new NonBlockingCallExecutor()).build();
    this.metricsServer = startMetrics(config, metrics, ready);
    this.background = Executors.newSingleThreadScheduledExecutor(daemon("raftcache-expiry"));
  }

  /**
   * Refuses configurations that would leave the node unprotected or unusable, and says loudly when it runs open.
   */
  private static void checkSecurity(NodeConfig config) {
    SecuritySettings security = config.security();
    if (!security.encryptionKeys().isEmpty()) {
      // Ids only: the keyring's toString never shows material.
      log.info("encryption at rest available: {}", security.encryptionKeys());
    } else if (config.namespaces().byName().values().stream().anyMatch(NamespaceSettings::encrypted)) {
      log.warn("namespaces are marked encrypted but this node has no encryption keys (--encryption-key-file or"
          + " RAFTCACHE_ENCRYPTION_KEYS): their reads and writes fail with ENCRYPTION_KEY_MISSING");
    }
    if (security.auth() == AuthMode.OPEN) {
      log.warn("AUTHENTICATION IS OFF (--auth open): anyone who reaches {}:{} may read, write and administer"
          + " everything. Use it for local development only; production nodes run --auth tokens", config.host(),
          config.port());
      return;
    }
    if (config.postgres() == null) {
      throw new IllegalArgumentException("--auth tokens needs --postgres-url: API tokens are kept in PostgreSQL"
          + " (create the first one with `raftcache admin token create --postgres-url ...`); for local development"
          + " choose --auth open");
    }
    if (config.replicated() && security.clusterSecret() == null) {
      throw new IllegalArgumentException("--auth tokens on a replicated cluster needs the cluster secret the members"
          + " share (--cluster-secret-file or RAFTCACHE_CLUSTER_SECRET, 16+ characters)");
    }
  }

  /**
   * The checks that keep the internal services to cluster members: the cluster secret (in token mode, by
   * {@code auth}) and, with TLS, a verified client certificate.
   */
  private static List<ServerInterceptor> membersOnly(SecuritySettings security, AuthInterceptor auth) {
    return security.tls() == null ? List.of(auth) : List.of(new PeerCertificateInterceptor(), auth);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Starts the meta group, joins the cluster if this node is new to it, and hosts the partitions the cluster
   * state assigns to it ({@link PartitionHosting}); every partition, hosted or not, is reachable through its
   * {@link ForwardingPartition}. A restarting node first restarts the groups it has raft data for.
   */
  private PartitionSet openReplicated(NodeConfig config, PartitionStoreFactory stores, StoreSizing sizing,
      List<ForwardingPartition> routed, RaftMetrics raftMetrics) {
    boolean restarting = multiRaft.hasMetaData();
    List<MemberInfo> founders = config.joining() ? List.of() : config.peers().stream()
        .map(p -> new MemberInfo(p.nodeId(), p.clientAddress(), p.raftAddress(),
            p.nodeId().equals(config.nodeId()) ? config.region() : "local",
            p.nodeId().equals(config.nodeId()) ? config.zone() : "local"))
        .toList();
    List<String> initialVoters = restarting ? List.of() : founders.stream().map(MemberInfo::raftAddress).toList();
    for (int p = 0; p < config.partitionCount(); p++) {
      routed.add(new ForwardingPartition(p, peerChannels, retries, raftMetrics));
    }
    try {
      this.hosting = new PartitionHosting(config.nodeId(), config.self().raftAddress(), multiRaft, stores, sizing,
          routed, peerChannels, !restarting && !config.joining(), this::publishTopology,
          Executors.newSingleThreadScheduledExecutor(daemon("raftcache-hosting")));
      if (restarting) {
        long start = System.nanoTime();
        int recovered = hosting.startRecovered();
        log.info("restarted the raft groups of {} hosted partitions ({} ms)", recovered,
            (System.nanoTime() - start) / 1_000_000);
      }
      this.membership = new MembershipReconciler(multiRaft, peerChannels, retries, this::publishTopology,
          config.clusterId(), config.partitionCount(), config.replicationFactor(), founders,
          new MemberInfo(config.nodeId(), config.self().clientAddress(), config.self().raftAddress(), config.region(),
              config.zone()));
      multiRaft.onLeaderChange(this::publishTopology);
      this.meta = multiRaft.startMeta(initialVoters, state -> {
        membership.onStateChange(state);
        hosting.onState(state);
        noticeRemoval(state);
      }, membership::onMetaLeader);
      membership.attach(meta);
      if (config.joining() && !restarting) {
        ClusterPeer self = config.self();
        JoinClient.join(config.join(), config.clusterId(), config.partitionCount(),
            new MemberInfo(self.nodeId(), self.clientAddress(), self.raftAddress(), config.region(), config.zone()),
            JOIN_TIMEOUT, peerChannelFactory);
      }
      membership.attachPartitions(hosting::hostedReplicas);
      hosting.start();
      this.leaderBalancer = new LeaderBalancer(config.nodeId(), routed, hosting::settled,
          Executors.newSingleThreadScheduledExecutor(daemon("raftcache-leader-balance")));
      leaderBalancer.start();
    } catch (RuntimeException | InterruptedException e) {
      if (hosting != null) {
        hosting.close();
      }
      retries.shutdownNow();
      multiRaft.close();
      peerChannels.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while joining", e);
      }
      throw (RuntimeException) e;
    }
    return new PartitionSet(new ArrayList<Partition>(routed), config.maxMemoryBytes());
  }

  private static RaftSettings raftSettings(NodeConfig config) {
    RaftSettings d = RaftSettings.DEFAULT;
    return new RaftSettings(d.electionTimeoutMs(), d.maxElectionDelayMs(), d.heartbeatFactor(), d.sync(),
        (int) Math.max(1, config.snapshotInterval().toSeconds()), config.sharedRaftTimers(), d.maxInFlightEntries());
  }

  /** Sizes summed over the stores; all zero while they are still opening (the registry samples at once). */
  private io.raftcache.node.metrics.StoreStats storeStats() {
    PartitionSet open = partitions;
    return open == null ? new io.raftcache.node.metrics.StoreStats(0, 0, 0, 0, config.maxMemoryBytes()) : open.stats();
  }

  /** The partition table as this node sees it now: members and epoch from the meta group, leaders from raft. */
  private PartitionTable partitionTable() {
    if (!config.replicated()) {
      return table;
    }
    ClusterState state = meta.state();
    List<PartitionTable.Member> members = new ArrayList<>();
    for (MemberInfo m : state.members()) {
      members.add(new PartitionTable.Member(m.nodeId(), m.clientAddress(), m.region(), m.zone(), "ACTIVE"));
    }
    List<PartitionTable.Assignment> assignments = new ArrayList<>();
    PartitionSet open = partitions;
    if (state.bootstrapped() && open != null) {
      for (Partition p : open.all()) {
        ForwardingPartition routed = (ForwardingPartition) p;
        String leader = routed.knownLeader();
        assignments.add(new PartitionTable.Assignment(
            p.id(), leader == null ? "" : leader, state.replicasOf(p.id()), routed.term()));
      }
    }
    return new PartitionTable(state.clusterId(), state.epoch(), state.partitionCount(), members, assignments);
  }

  /**
   * Stops serving cache calls once the cluster no longer lists this node (an operator removed it): its replicas
   * get no more writes, so answering would hand out stale data. Health turns NOT_SERVING and /readyz false.
   */
  private synchronized void noticeRemoval(ClusterState state) {
    if (state.member(config.nodeId()).isPresent()) {
      wasMember = true; // a joiner replays the epochs before its join too: only a member can be removed
      return;
    }
    if (!wasMember || removedFromCluster != null) {
      return;
    }
    removedFromCluster = "node " + config.nodeId() + " was removed from cluster " + state.clusterId() + " at epoch "
        + state.epoch() + "; use another node (wipe this node's data directory to add it back as a new member)";
    log.error(removedFromCluster);
    ready.set(false);
    health.setStatus("", ServingStatus.NOT_SERVING);
  }

  /** Pushes the table to topology watchers if it changed (members, epoch or a leader). */
  private void publishTopology() {
    ClusterService service = clusterService;
    if (service != null && partitions != null) {
      retries.execute(service::publish);
    }
  }

  /**
   * Opens storage and starts serving on the server {@code serverBuilder} describes (Netty on a port in
   * production, in-process in tests). gRPC health turns SERVING only once every partition store is open.
   */
  public static RaftCacheNode start(NodeConfig config, Clock clock, PartitionStoreFactory stores,
      ServerBuilder<?> serverBuilder) throws IOException {
    RaftCacheNode node = new RaftCacheNode(config, clock, stores, serverBuilder);
    try {
      node.server.start();
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    int boundPort = node.server.getPort() >= 0 ? node.server.getPort() : config.port();
    node.table = PartitionTable.singleNode("local", new PartitionTable.Member(
        config.nodeId(), config.host() + ":" + boundPort, "local", "local", "ACTIVE"), config.partitionCount());
    if (node.database != null) {
      // The schema is migrated (and audit partitions created ahead) in the background, so the node starts and
      // serves while PostgreSQL is down; until it succeeds, audit events wait in the spool.
      // Its own thread: a connection attempt to a dead database blocks for seconds, and must not delay expiry.
      node.databaseTasks.scheduleWithFixedDelay(node::maintainDatabase, 0, 5, TimeUnit.SECONDS);
    }
    if (config.replicated()) {
      node.background.scheduleWithFixedDelay(node::flushAccessHints, 1, 1, TimeUnit.SECONDS);
    }
    node.background.scheduleWithFixedDelay(node::measureUsage, 0, USAGE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    node.background.scheduleWithFixedDelay(node.denials::flushCounted, 1, 1, TimeUnit.SECONDS);
    long intervalMillis = config.expiryInterval().toMillis();
    node.background.scheduleWithFixedDelay(node::sweepQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    if (config.replicated()) {
      // Partition groups start once the cluster state assigns them, after the server is up; until they have,
      // and know their leaders, calls would only wait for them, so health and /readyz say not yet.
      node.background.scheduleWithFixedDelay(node::markReadyOnceSettled, 0, 200, TimeUnit.MILLISECONDS);
    } else {
      node.markReady();
    }
    log.info("node {} serving gRPC on {}:{}{}, {} partitions, memory budget {} bytes, data in {}",
        config.nodeId(), config.host(), node.port(),
        node.metricsServer == null ? "" : ", metrics on http://" + config.host() + ":" + node.metricsServer.port() + "/metrics",
        config.partitionCount(), config.maxMemoryBytes(), config.dataDir().toAbsolutePath());
    return node;
  }

  private static PartitionSet openPartitions(NodeConfig config, PartitionStoreFactory stores, StoreSizing sizing) {
    Path dir = config.dataDir().resolve("partitions");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    List<Partition> opened = new ArrayList<>(config.partitionCount());
    long start = System.nanoTime();
    try {
      for (int p = 0; p < config.partitionCount(); p++) {
        opened.add(new LocalPartition(p, stores.open(p, sizing), dir.resolve(String.format("p-%04d.seq", p))));
        if ((p + 1) % 16 == 0 || p + 1 == config.partitionCount()) {
          log.info("opened partition stores {}/{} ({} ms)", p + 1, config.partitionCount(),
              (System.nanoTime() - start) / 1_000_000);
        }
      }
    } catch (RuntimeException e) {
      opened.forEach(Partition::close);
      throw e;
    }
    return new PartitionSet(opened, config.maxMemoryBytes());
  }

  private static MetricsHttpServer startMetrics(NodeConfig config, NodeMetrics metrics, AtomicBoolean ready) {
    if (config.metricsPort() < 0) {
      return null;
    }
    try {
      return new MetricsHttpServer(config.host(), config.metricsPort(), metrics.registry(), ready::get);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind metrics port " + config.metricsPort(), e);
    }
  }

  private volatile java.time.Instant partitionsEnsuredAt;
  /** PostgreSQL work (migrations, partitions, config writes); null without --postgres-url. */
  private ScheduledExecutorService databaseTasks;
  /** Null without --postgres-url. */
  private final io.raftcache.node.api.ConfigAdmin configAdmin;

  /** Audit rows are kept this long unless cluster_settings['audit.retention_days'] says otherwise. */
  static final int DEFAULT_AUDIT_RETENTION_DAYS = 400;

  /**
   * Migrates the schema until that succeeds, then daily keeps audit partitions three months ahead and drops
   * whole months older than the retention.
   */
  private void maintainDatabase() {
    java.time.Instant now = clock.instant();
    if (partitionsEnsuredAt != null && partitionsEnsuredAt.plus(Duration.ofDays(1)).isAfter(now)) {
      return;
    }
    try {
      if (partitionsEnsuredAt == null) {
        database.migrate();
        log.info("PostgreSQL schema is up to date");
      }
      database.ensureAuditPartitions(now, 2);
      int days = database.auditRetentionDays(DEFAULT_AUDIT_RETENTION_DAYS);
      int dropped = database.dropAuditPartitionsBefore(now.minus(Duration.ofDays(days)));
      if (dropped > 0) {
        log.info("audit retention ({} days): dropped {} monthly partitions", days, dropped);
      }
      partitionsEnsuredAt = now;
    } catch (RuntimeException | java.sql.SQLException e) {
      log.warn("PostgreSQL not usable yet ({}); retrying in 5 s, audit events wait in the spool", e.getMessage());
    }
  }

  /** Turns health SERVING and /readyz true once this node hosts its assigned partitions and they know leaders. */
  private void markReadyOnceSettled() {
    if (!ready.get() && hosting.settled()) {
      markReady();
      log.info("node {} ready: hosting {} partitions, each with a known leader", config.nodeId(),
          partitions.hosted().size());
    }
  }

  private synchronized void markReady() {
    if (removedFromCluster == null && !ready.get() && !closed.get()) {
      health.setStatus("", ServingStatus.SERVING);
      ready.set(true);
    }
  }

  /** Re-measures the namespaces that have entry or byte limits (none: nothing is scanned). */
  public void measureUsage() {
    try {
      namespaceUsage.refresh(liveConfig.get().namespaces().capacityLimited());
    } catch (RuntimeException e) {
      log.warn("measuring namespace usage failed; quotas use the last measurement", e);
    }
  }

  private void sweepQuietly() {
    try {
      sweeper.sweepStep();
    } catch (RuntimeException e) {
      log.warn("expiry sweep failed; retrying at the next interval", e);
    }
  }

  /** Sends the keys followers served to their partitions' leaders for LRU (every second; tests call it). */
  public void flushAccessHints() {
    try {
      for (Partition p : partitions.all()) {
        if (p instanceof ForwardingPartition forwarding) {
          forwarding.flushAccessHints();
        }
      }
    } catch (RuntimeException e) {
      log.debug("sending access hints failed; they only steer eviction", e);
    }
  }

  /** The bound gRPC port, or -1 for an in-process server. */
  public int port() {
    return server.getPort();
  }

  /** The bound metrics port, or -1 when metrics are disabled. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /** This node's metrics. */
  public NodeMetrics metrics() {
    return metrics;
  }

  /** The partitions hosted here. */
  public PartitionSet partitions() {
    return partitions;
  }

  /** The raft groups of a replicated node (null for a single node), for tests that snapshot on demand. */
  public SofaMultiRaft raft() {
    return multiRaft;
  }

  /** The expiry sweeper, which tests drive directly with a fake clock. */
  public ExpirySweeper sweeper() {
    return sweeper;
  }

  /** The node's configuration. */
  public NodeConfig config() {
    return config;
  }

  /** Stops serving, then flushes and closes storage; safe to call twice. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ready.set(false);
    health.enterTerminalState();
    clusterService.close();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    background.shutdownNow();
    retries.shutdownNow();
    evictionRounds.shutdownNow();
    try {
      background.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
    partitions.close();
    if (audit instanceof PostgresAuditWriter writer) {
      writer.close(); // what it could not write stays in the spool for the next start
    }
    if (databaseTasks != null) {
      databaseTasks.shutdownNow();
    }
    if (configFollower != null) {
      configFollower.close();
    }
    if (database != null) {
      database.close();
    }
    if (multiRaft != null) {
      if (leaderBalancer != null) {
        leaderBalancer.close();
      }
      hosting.close();
      removalTasks.shutdownNow();
      peerChannels.close();
      multiRaft.close();
    }
    lock.close();
    log.info("node {} stopped; storage flushed and closed", config.nodeId());
  }
}
