package io.raftcache.client;

import com.google.protobuf.ByteString;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.MetadataUtils;
import io.raftcache.proto.Partitioning;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.DeleteMultiRequest;
import io.raftcache.proto.v1.DeleteRequest;
import io.raftcache.proto.v1.GetMultiRequest;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.IncrementRequest;
import io.raftcache.proto.v1.InvalidateTagRequest;
import io.raftcache.proto.v1.SetMultiEntry;
import io.raftcache.proto.v1.SetMultiRequest;
import io.raftcache.proto.v1.SetRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The smart Java client: routes each key to its partition's leader, follows the topology, retries what is safe.
 *
 * <p>Create one per application and share it (it is thread-safe and holds one channel per node):
 * <pre>{@code
 * try (RaftCacheClient cache = RaftCacheClient.newBuilder().seeds("10.0.0.1:7070").namespace("sessions").build()) {
 *   cache.set("user:42", "{...}".getBytes(UTF_8), SetOptions.ttl(Duration.ofMinutes(30))).join();
 *   Optional<CacheEntry> e = cache.get("user:42").join();
 *   String s = cache.sync().getString("user:42").orElse(null);
 * }
 * }</pre>
 * Keys route with {@code proto/ROUTING.md} (xxHash64 of namespace and key, jump hash over P); partition leaders
 * come from {@code Cluster.WatchTopology}. A write that reaches a node that does not lead its partition comes back
 * NOT_LEADER with a hint and is re-sent there. Every call has a deadline (the client default unless given).
 */
public final class RaftCacheClient implements AutoCloseable {
  private final String namespace;
  private final Duration defaultDeadline;
  private final Consistency defaultConsistency;
  private final NodeChannels channels;
  private final TopologyTracker topology;
  private final RetryingCaller caller;
  private final ScheduledExecutorService scheduler;
  /** Null unless the builder turned auto-batching on. */
  private final AutoBatcher batcher;

  private RaftCacheClient(Builder b, Function<String, ManagedChannel> channelFactory) {
    this.namespace = b.namespace;
    this.defaultDeadline = b.defaultDeadline;
    this.defaultConsistency = b.defaultConsistency;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raftcache-client");
      t.setDaemon(true);
      return t;
    });
    this.channels = new NodeChannels(channelFactory);
    this.topology = new TopologyTracker(channels, b.seeds, scheduler);
    this.caller = new RetryingCaller(channels, topology, scheduler);
    this.batcher = b.batchWindow == null ? null : new AutoBatcher(caller, scheduler, namespace, defaultConsistency,
        b.batchWindow, b.maxBatch, this::nodeOf, defaultDeadline);
    try {
      topology.start(b.connectTimeout.toMillis());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public static Builder newBuilder() {
    return new Builder();
  }

  /** The namespace this client reads and writes. */
  public String namespace() {
    return namespace;
  }

  /** A blocking view of this client (same channels, same routing). */
  public BlockingRaftCache sync() {
    return new BlockingRaftCache(this);
  }

  // ---- single keys -------------------------------------------------------------------------------------------

  /** Reads {@code key} at the client's default consistency; empty on a miss. Auto-batched if enabled. */
  public CompletableFuture<Optional<CacheEntry>> get(String key) {
    if (batcher != null) {
      return batcher.get(key).thenApply(RaftCacheClient::entry);
    }
    return get(utf8(key), defaultConsistency);
  }

  /** Reads {@code key} at {@code consistency}; empty on a miss. */
  public CompletableFuture<Optional<CacheEntry>> get(byte[] key, Consistency consistency) {
    GetRequest request = GetRequest.newBuilder().setNamespace(namespace).setKey(ByteString.copyFrom(key))
        .setConsistency(consistency).build();
    return caller.call(partitionOf(key), null, true, false, deadline(),
            (channel, options) -> CacheGrpc.newFutureStub(channel).withDeadline(options.getDeadline()).get(request))
        .thenApply(RaftCacheClient::entry);
  }

  /** Reads and decodes {@code key}. */
  public <T> CompletableFuture<Optional<T>> get(String key, ValueCodec<T> codec) {
    return get(key).thenApply(e -> e.map(entry -> codec.decode(entry.value())));
  }

  /** Writes {@code value} under {@code key}; completes with the new version, or 0 if a condition failed. */
  public CompletableFuture<Long> set(String key, byte[] value, SetOptions options) {
    byte[] k = utf8(key);
    SetRequest request = SetRequest.newBuilder().setNamespace(namespace).setKey(ByteString.copyFrom(k))
        .setValue(ByteString.copyFrom(value)).setTtlMs(options.ttl().toMillis()).setIfAbsent(options.ifAbsent())
        .setIfVersion(options.ifVersion()).addAllTags(options.tags()).build();
    return caller.call(partitionOf(k), null, !options.conditional(), true, deadline(),
            (channel, o) -> CacheGrpc.newFutureStub(channel).withDeadline(o.getDeadline()).set(request))
        .thenApply(r -> r.getApplied() ? r.getVersion() : 0L);
  }

  /** Writes {@code value} under {@code key} without conditions or TTL of its own. Auto-batched if enabled. */
  public CompletableFuture<Long> set(String key, byte[] value) {
    if (batcher != null) {
      return batcher.set(key, value);
    }
    return set(key, value, SetOptions.DEFAULT);
  }

  public <T> CompletableFuture<Long> set(String key, T value, ValueCodec<T> codec, SetOptions options) {
    return set(key, codec.encode(value), options);
  }

  /** Deletes {@code key}; completes with whether it existed. */
  public CompletableFuture<Boolean> delete(String key) {
    byte[] k = utf8(key);
    DeleteRequest request = DeleteRequest.newBuilder().setNamespace(namespace).setKey(ByteString.copyFrom(k)).build();
    return caller.call(partitionOf(k), null, true, true, deadline(),
            (channel, o) -> CacheGrpc.newFutureStub(channel).withDeadline(o.getDeadline()).delete(request))
        .thenApply(r -> r.getDeleted());
  }

  /**
   * Adds {@code delta} to the decimal integer under {@code key} (starting from 0 if absent). Not idempotent: if
   * the outcome is unknown it fails with {@link AmbiguousOutcomeException} instead of being retried.
   */
  public CompletableFuture<Long> increment(String key, long delta) {
    byte[] k = utf8(key);
    IncrementRequest request = IncrementRequest.newBuilder().setNamespace(namespace).setKey(ByteString.copyFrom(k))
        .setDelta(delta).build();
    return caller.call(partitionOf(k), null, false, true, deadline(),
            (channel, o) -> CacheGrpc.newFutureStub(channel).withDeadline(o.getDeadline()).increment(request))
        .thenApply(r -> r.getValue());
  }

  // ---- batches -----------------------------------------------------------------------------------------------

  /**
   * Reads many keys at once: split by partition leader, sent in parallel, results in the order of {@code keys}
   * (an empty Optional for each miss).
   */
  public CompletableFuture<List<Optional<CacheEntry>>> getMulti(List<String> keys) {
    return fanOut(keys, indexes -> {
      GetMultiRequest.Builder request = GetMultiRequest.newBuilder().setNamespace(namespace)
          .setConsistency(defaultConsistency);
      indexes.forEach(i -> request.addKeys(ByteString.copyFromUtf8(keys.get(i))));
      return request.build();
    }, CacheGrpc.CacheFutureStub::getMulti).thenApply(replies -> {
      List<Optional<CacheEntry>> results = new ArrayList<>(java.util.Collections.nCopies(keys.size(), Optional.empty()));
      replies.forEach(reply -> {
        for (int j = 0; j < reply.indexes().size(); j++) {
          results.set(reply.indexes().get(j), entry(reply.response().getResults(j)));
        }
      });
      return List.copyOf(results);
    });
  }

  /** Writes many entries at once (split by partition leader, in parallel); completes with versions in order. */
  public CompletableFuture<List<Long>> setMulti(Map<String, byte[]> entries, Duration ttl) {
    List<String> keys = new ArrayList<>(entries.keySet());
    return fanOut(keys, indexes -> {
      SetMultiRequest.Builder request = SetMultiRequest.newBuilder().setNamespace(namespace);
      indexes.forEach(i -> request.addEntries(SetMultiEntry.newBuilder().setKey(ByteString.copyFromUtf8(keys.get(i)))
          .setValue(ByteString.copyFrom(entries.get(keys.get(i)))).setTtlMs(ttl.toMillis())));
      return request.build();
    }, CacheGrpc.CacheFutureStub::setMulti).thenApply(replies -> {
      Long[] versions = new Long[keys.size()];
      replies.forEach(reply -> {
        for (int j = 0; j < reply.indexes().size(); j++) {
          versions[reply.indexes().get(j)] = reply.response().getVersions(j);
        }
      });
      return List.of(versions);
    });
  }

  /** Deletes many keys at once; completes with how many existed. */
  public CompletableFuture<Long> deleteMulti(List<String> keys) {
    return fanOut(keys, indexes -> {
      DeleteMultiRequest.Builder request = DeleteMultiRequest.newBuilder().setNamespace(namespace);
      indexes.forEach(i -> request.addKeys(ByteString.copyFromUtf8(keys.get(i))));
      return request.build();
    }, CacheGrpc.CacheFutureStub::deleteMulti)
        .thenApply(replies -> replies.stream().mapToLong(reply -> reply.response().getTotalDeleted()).sum());
  }

  /** One node's part of a batch: the indexes (in the caller's key list) it was sent, and its answer. */
  private record NodeReply<R>(List<Integer> indexes, R response) {}

  /**
   * Splits {@code keys} by partition leader and sends each node its part in parallel, under one deadline; completes
   * with every node's reply once all have answered.
   */
  private <Q, R> CompletableFuture<List<NodeReply<R>>> fanOut(List<String> keys, Function<List<Integer>, Q> request,
      java.util.function.BiFunction<CacheGrpc.CacheFutureStub, Q, com.google.common.util.concurrent.ListenableFuture<R>> send) {
    Deadline deadline = deadline();
    List<CompletableFuture<NodeReply<R>>> parts = new ArrayList<>();
    groupByLeader(keys).forEach((node, indexes) -> {
      Q built = request.apply(indexes);
      parts.add(caller.call(-1, node, true, false, deadline,
              (channel, o) -> send.apply(CacheGrpc.newFutureStub(channel).withDeadline(o.getDeadline()), built))
          .thenApply(response -> new NodeReply<>(indexes, response)));
    });
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(done -> parts.stream().map(CompletableFuture::join).toList());
  }

  /** Removes every entry of the namespace tagged {@code tag}, on every partition; completes with the count. */
  public CompletableFuture<Long> invalidateTag(String tag) {
    InvalidateTagRequest request = InvalidateTagRequest.newBuilder().setNamespace(namespace).setTag(tag).build();
    return caller.call(-1, null, true, false, deadline(),
            (channel, o) -> CacheGrpc.newFutureStub(channel).withDeadline(o.getDeadline()).invalidateTag(request))
        .thenApply(r -> r.getDeletedCount());
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------

  /** Node address (the partition leader, or any member while unknown) → indexes of the keys it gets. */
  private Map<String, List<Integer>> groupByLeader(List<String> keys) {
    Map<String, List<Integer>> byNode = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      byNode.computeIfAbsent(nodeOf(keys.get(i)), n -> new ArrayList<>()).add(i);
    }
    return byNode;
  }

  /** The address a key's calls go to: its partition's leader, or some member while that is unknown. */
  private String nodeOf(String key) {
    RouteTable table = topology.current();
    int p = Partitioning.partitionOf(namespace, utf8(key), table.partitionCount());
    String leader = table.leaders()[p];
    return leader != null ? leader : table.addresses().get(p % table.addresses().size());
  }

  int partitionOf(byte[] key) {
    return Partitioning.partitionOf(namespace, key, topology.current().partitionCount());
  }

  private Deadline deadline() {
    return Deadline.after(defaultDeadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static byte[] utf8(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static Optional<CacheEntry> entry(GetResponse r) {
    return r.getFound()
        ? Optional.of(new CacheEntry(r.getValue().toByteArray(), r.getVersion(), r.getTtlRemainingMs(), r.getTagsList(),
            r.getServedBy().getNodeId()))
        : Optional.empty();
  }

  /** Stops following the topology and closes every channel (calls in flight are allowed to finish, up to 5 s). */
  @Override
  public void close() {
    topology.close();
    scheduler.shutdownNow();
    channels.close();
  }

  /** Builds a {@link RaftCacheClient}. */
  public static final class Builder {
    private List<String> seeds = List.of();
    private String namespace = "default";
    private Duration defaultDeadline = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Consistency defaultConsistency = Consistency.LINEARIZABLE;
    private String token;
    private boolean tls;
    private Path trustedCertificates;
    private Function<String, ManagedChannel> channelFactory;
    private Duration batchWindow;
    private int maxBatch;
    private boolean transportThreadCallbacks;

    private Builder() {}

    /**
     * Completes the futures this client returns on the gRPC transport's own threads instead of handing every
     * response to a thread pool first (off by default). Saves a thread wake-up per call, which on a busy machine
     * is a large part of a call's client-side cost, but a callback attached to a returned future (thenApply,
     * whenComplete, ...) then runs on a transport thread and must not block: a blocked callback stalls every
     * call on its connections. {@code join()} on the caller's own thread and the {@link RaftCacheClient#sync} view are fine.
     */
    public Builder completeOnTransportThreads(boolean value) {
      this.transportThreadCallbacks = value;
      return this;
    }

    /**
     * Sends single-key {@code get(key)} and {@code set(key, value)} calls that arrive within {@code window} for
     * the same node as one GetMulti/SetMulti of at most {@code maxBatch} keys (off by default). For throughput
     * under many concurrent callers; each call may wait up to one window longer.
     */
    public Builder autoBatch(Duration window, int maxBatch) {
      if (window.isNegative() || window.isZero() || window.toMillis() > 100 || maxBatch < 2 || maxBatch > 1000) {
        throw new IllegalArgumentException("auto-batch window must be in (0, 100 ms] and max batch in 2..1000");
      }
      this.batchWindow = window;
      this.maxBatch = maxBatch;
      return this;
    }

    /** Client addresses (host:port) of some members; the rest come from the topology. */
    public Builder seeds(String... addresses) {
      this.seeds = List.of(addresses);
      return this;
    }

    public Builder namespace(String value) {
      this.namespace = Objects.requireNonNull(value);
      return this;
    }

    /** The deadline of every call (default 5 s); retries happen inside it. */
    public Builder defaultDeadline(Duration value) {
      this.defaultDeadline = value;
      return this;
    }

    /** How long {@link #build} waits for a first topology (default 10 s). */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    /** Consistency of reads (default LINEARIZABLE). */
    public Builder defaultConsistency(Consistency value) {
      this.defaultConsistency = value;
      return this;
    }

    /** Sends {@code authorization: Bearer <token>} on every call. */
    public Builder token(String value) {
      this.token = value;
      return this;
    }

    /** Uses TLS with the JVM's trust store (default: plaintext). */
    public Builder tls(boolean value) {
      this.tls = value;
      return this;
    }

    /**
     * Uses TLS and trusts the CA certificates in {@code caPem} (PEM) instead of the JVM's trust store: for
     * clusters whose certificates come from a private CA (the nodes' {@code --tls-ca}).
     */
    public Builder trustedCertificates(Path caPem) {
      this.trustedCertificates = Objects.requireNonNull(caPem);
      this.tls = true;
      return this;
    }

    /** Replaces how channels are built (tests use in-process channels; advanced users add their own options). */
    public Builder channelFactory(Function<String, ManagedChannel> factory) {
      this.channelFactory = factory;
      return this;
    }

    public RaftCacheClient build() {
      if (seeds.isEmpty()) {
        throw new IllegalArgumentException("at least one seed address is required");
      }
      if (defaultDeadline.isNegative() || defaultDeadline.isZero()) {
        throw new IllegalArgumentException("the default deadline must be positive");
      }
      // Channel settings first: a bad TLS file fails here, before the client starts any thread.
      return new RaftCacheClient(this, channelFactory());
    }

    Function<String, ManagedChannel> channelFactory() {
      if (channelFactory != null) {
        return channelFactory;
      }
      SslContext privateCa = trustedCertificates == null ? null : sslContextTrusting(trustedCertificates);
      return address -> {
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(address).maxInboundMessageSize(64 * 1024 * 1024);
        if (privateCa != null) {
          b.sslContext(privateCa);
        } else if (tls) {
          b.useTransportSecurity();
        } else {
          b.usePlaintext();
        }
        if (transportThreadCallbacks) {
          b.directExecutor();
        }
        if (token != null) {
          Metadata headers = new Metadata();
          headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
          b.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        return b.build();
      };
    }

    /** Built once, when the client is, so a wrong file fails {@link #build} and not every later call. */
    private static SslContext sslContextTrusting(Path caPem) {
      if (!Files.isRegularFile(caPem) || !Files.isReadable(caPem)) {
        throw new IllegalArgumentException("trusted certificates " + caPem + ": no such readable file");
      }
      try {
        return GrpcSslContexts.forClient().trustManager(caPem.toFile()).build();
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("trusted certificates " + caPem + ": not PEM certificates (" + e.getMessage()
            + ")", e);
      }
    }
  }
}
