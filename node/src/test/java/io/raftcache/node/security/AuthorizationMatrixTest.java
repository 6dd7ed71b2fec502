package io.raftcache.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
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
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.FreePorts;
import io.raftcache.node.testing.GrpcAssertions;
import io.raftcache.node.testing.PostgresTestDatabase;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.internal.v1.JoinRequest;
import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.CompareAndSetRequest;
import io.raftcache.proto.v1.CreateTokenRequest;
import io.raftcache.proto.v1.DeleteMultiRequest;
import io.raftcache.proto.v1.DeleteRequest;
import io.raftcache.proto.v1.EraseTagRequest;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.FlushRequest;
import io.raftcache.proto.v1.GetMultiRequest;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetStatsRequest;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.Grant;
import io.raftcache.proto.v1.IncrementRequest;
import io.raftcache.proto.v1.InvalidateTagRequest;
import io.raftcache.proto.v1.ListNamespacesRequest;
import io.raftcache.proto.v1.ListTokensRequest;
import io.raftcache.proto.v1.RemoveNodeRequest;
import io.raftcache.proto.v1.RevokeTokenRequest;
import io.raftcache.proto.v1.SetMultiEntry;
import io.raftcache.proto.v1.SetMultiRequest;
import io.raftcache.proto.v1.SetNamespaceRequest;
import io.raftcache.proto.v1.SetQuotaRequest;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.TouchRequest;
import io.raftcache.proto.v1.WatchTopologyRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every public RPC × every kind of caller against a node in token mode (one-member replicated cluster, real
 * PostgreSQL): each call gets the status its credential deserves, and each refusal leaves an audit row.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest {
  private static final String NS = "orders";
  private static final String CLUSTER_SECRET = "matrix-cluster-secret-0123456789";
  @TempDir static Path dataDir;
  private PostgresTestDatabase database;
  private RaftCacheNode node;
  private ManagedChannel channel;
  private final Map<String, String> secrets = new LinkedHashMap<>();
  private final AtomicInteger tokenNames = new AtomicInteger();

  /** The expected outcome of a call: OK, or a status code with a reason. */
  private record Expected(Status.Code code, ErrorReason reason) {
    static final Expected OK = new Expected(Status.Code.OK, null);
  }

  @BeforeAll
  void startNodeWithTokens() throws Exception {
    database = PostgresTestDatabase.create();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (PostgresDatabase db = PostgresDatabase.open(database.url(), database.user(), "")) {
      PostgresConfigStore store = new PostgresConfigStore(db.dataSource(), executor);
      TokenSecrets tokens = new TokenSecrets(new java.security.SecureRandom());
      create(store, tokens, "read", Map.of(NS, Role.READ), null);
      create(store, tokens, "write", Map.of(NS, Role.WRITE), null);
      create(store, tokens, "admin", Map.of("*", Role.ADMIN), null);
      create(store, tokens, "ns-admin", Map.of(NS, Role.ADMIN), null);
      create(store, tokens, "other", Map.of("billing", Role.ADMIN), null);
      create(store, tokens, "expired", Map.of("*", Role.ADMIN), Instant.now().minusSeconds(60));
      create(store, tokens, "revoked", Map.of("*", Role.ADMIN), null);
      assertThat(store.revokeToken("test", "revoked").join()).isTrue();
    } finally {
      executor.shutdownNow();
    }
    int port = FreePorts.next();
    ClusterPeer self = ClusterPeer.parse("m1=127.0.0.1:" + port + ":" + FreePorts.next());
    NodeConfig config = new NodeConfig("m1", "127.0.0.1", port, -1, dataDir, 64L << 20, 1 << 20, 1024, 4,
        NamespaceDefaults.none(), Duration.ofHours(1), Duration.ofSeconds(1), false, "matrix", List.of(self), false,
        Duration.ofMinutes(5), List.of(), 1, "local", "local", new PostgresSettings(database.url(), database.user(), ""),
        new SecuritySettings(AuthMode.TOKENS, CLUSTER_SECRET, null));
    node = RaftCacheNode.start(config, Clock.systemUTC(), PartitionStoreFactory.chronicle(dataDir.resolve("p")),
        NettyServerBuilder.forPort(port));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    // The node loads tokens from PostgreSQL in the background; the admin token works once they are in.
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> call(ClusterGrpc.getGetTopologyMethod(),
        GetTopologyRequest.getDefaultInstance(), secrets.get("admin"), "warm-up").getPartitionsCount() == 4);
  }

  private void create(PostgresConfigStore store, TokenSecrets tokens, String name, Map<String, Role> grants,
      Instant expiresAt) {
    String secret = tokens.newSecret();
    store.createToken("test", name, TokenSecrets.sha256(secret), grants, expiresAt, 0).join();
    secrets.put(name, secret);
  }

  @AfterAll
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
    if (database != null) {
      database.close();
    }
  }

  /** A valid request for every public RPC; a new RPC without one fails the test. */
  private Map<String, Supplier<Message>> sampleRequests() {
    ByteString key = ByteString.copyFromUtf8("k");
    Map<String, Supplier<Message>> r = new LinkedHashMap<>();
    r.put("Get", () -> GetRequest.newBuilder().setNamespace(NS).setKey(key).build());
    r.put("Set", () -> SetRequest.newBuilder().setNamespace(NS).setKey(key).setValue(ByteString.copyFromUtf8("v")).build());
    r.put("Delete", () -> DeleteRequest.newBuilder().setNamespace(NS).setKey(key).build());
    r.put("Touch", () -> TouchRequest.newBuilder().setNamespace(NS).setKey(key).setTtlMs(60_000).build());
    r.put("Increment", () -> IncrementRequest.newBuilder().setNamespace(NS)
        .setKey(ByteString.copyFromUtf8("counter")).setDelta(1).build());
    r.put("CompareAndSet", () -> CompareAndSetRequest.newBuilder().setNamespace(NS)
        .setKey(ByteString.copyFromUtf8("cas-" + UUID.randomUUID())).setExpectAbsent(true)
        .setNewValue(ByteString.copyFromUtf8("v")).build());
    r.put("GetMulti", () -> GetMultiRequest.newBuilder().setNamespace(NS).addKeys(key).build());
    r.put("SetMulti", () -> SetMultiRequest.newBuilder().setNamespace(NS)
        .addEntries(SetMultiEntry.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v"))).build());
    r.put("DeleteMulti", () -> DeleteMultiRequest.newBuilder().setNamespace(NS).addKeys(key).build());
    r.put("InvalidateTag", () -> InvalidateTagRequest.newBuilder().setNamespace(NS).setTag("t").build());
    r.put("GetStats", GetStatsRequest::getDefaultInstance);
    r.put("ListNamespaces", ListNamespacesRequest::getDefaultInstance);
    r.put("Flush", () -> FlushRequest.newBuilder().setNamespace(NS).setConfirm(NS).build());
    r.put("RemoveNode", () -> RemoveNodeRequest.newBuilder().setNodeId("m1").setConfirm("m1").build());
    r.put("SetNamespace", () -> SetNamespaceRequest.newBuilder().setName(NS).setDefaultTtlMs(0).build());
    r.put("SetQuota", () -> SetQuotaRequest.newBuilder().setNamespace(NS).setOpsPerSecond(0).build());
    r.put("CreateToken", () -> CreateTokenRequest.newBuilder().setName("made-" + tokenNames.incrementAndGet())
        .addGrants(Grant.newBuilder().setNamespace(NS).setRole("read")).build());
    r.put("RevokeToken", () -> RevokeTokenRequest.newBuilder().setName("no-such-token").build());
    r.put("ListTokens", ListTokensRequest::getDefaultInstance);
    r.put("EraseTag", () -> EraseTagRequest.newBuilder().setNamespace(NS).setTag("user:1").setConfirm("user:1").build());
    r.put("GetTopology", GetTopologyRequest::getDefaultInstance);
    r.put("WatchTopology", WatchTopologyRequest::getDefaultInstance);
    return r;
  }

  /** What an allowed call returns: OK, except where the request itself cannot succeed on this cluster. */
  private static Expected whenAllowed(String method) {
    return switch (method) {
      case "RemoveNode" -> new Expected(Status.Code.FAILED_PRECONDITION, ErrorReason.MEMBERSHIP_REJECTED);
      case "RevokeToken" -> new Expected(Status.Code.NOT_FOUND, ErrorReason.NO_SUCH_OBJECT);
      default -> Expected.OK;
    };
  }

  /**
   * What each RPC needs, written out here rather than read from the AccessPolicy, so a wrong rule there fails
   * this test: the role on the request's namespace, "*admin"/"*read" for that role on every namespace, or
   * "token" for any valid token.
   */
  private static final Map<String, String> NEEDS = Map.ofEntries(
      Map.entry("Get", "read"), Map.entry("GetMulti", "read"),
      Map.entry("Set", "write"), Map.entry("SetMulti", "write"), Map.entry("Delete", "write"),
      Map.entry("DeleteMulti", "write"), Map.entry("Touch", "write"), Map.entry("Increment", "write"),
      Map.entry("CompareAndSet", "write"), Map.entry("InvalidateTag", "write"),
      Map.entry("Flush", "admin"), Map.entry("EraseTag", "admin"),
      Map.entry("GetStats", "*read"), Map.entry("ListNamespaces", "*read"),
      Map.entry("RemoveNode", "*admin"), Map.entry("SetNamespace", "*admin"), Map.entry("SetQuota", "*admin"),
      Map.entry("CreateToken", "*admin"), Map.entry("RevokeToken", "*admin"), Map.entry("ListTokens", "*admin"),
      Map.entry("GetTopology", "token"), Map.entry("WatchTopology", "token"));

  private Expected expected(String credential, MethodDescriptor<?, ?> method) {
    String name = method.getBareMethodName();
    String needs = NEEDS.get(name);
    assertThat(needs).as("the test says what %s needs", name).isNotNull();
    Expected denied = new Expected(Status.Code.PERMISSION_DENIED, ErrorReason.ROLE_REQUIRED);
    switch (credential) {
      case "none": return new Expected(Status.Code.UNAUTHENTICATED, ErrorReason.TOKEN_REQUIRED);
      case "wrong": return new Expected(Status.Code.UNAUTHENTICATED, ErrorReason.TOKEN_INVALID);
      case "expired": return new Expected(Status.Code.UNAUTHENTICATED, ErrorReason.TOKEN_EXPIRED);
      case "revoked": return new Expected(Status.Code.UNAUTHENTICATED, ErrorReason.TOKEN_REVOKED);
      default: break;
    }
    Role held = switch (credential) {
      case "read" -> Role.READ;
      case "write" -> Role.WRITE;
      case "admin", "ns-admin" -> Role.ADMIN;
      case "other" -> null; // admin, but on another namespace
      default -> throw new IllegalArgumentException(credential);
    };
    // Only the "admin" credential holds a role on "*" (admin); "other" is admin on another namespace.
    boolean allowed = needs.equals("token")
        || (needs.startsWith("*") ? credential.equals("admin")
            : held != null && held.includes(Role.parse(needs)));
    return allowed ? whenAllowed(name) : denied;
  }

  @Test
  void everyRpcGivesEachCredentialTheStatusItDeservesAndEveryDenialIsAudited() throws Exception {
    List<MethodDescriptor<?, ?>> methods = new ArrayList<>();
    for (ServiceDescriptor service : List.of(CacheGrpc.getServiceDescriptor(), AdminGrpc.getServiceDescriptor(),
        ClusterGrpc.getServiceDescriptor())) {
      methods.addAll(service.getMethods());
    }
    Map<String, Supplier<Message>> requests = sampleRequests();
    assertThat(requests.keySet()).as("a sample request for every public RPC")
        .containsExactlyInAnyOrderElementsOf(methods.stream().map(MethodDescriptor::getBareMethodName).toList());

    List<String> credentials = List.of("none", "wrong", "expired", "revoked", "read", "write", "admin", "ns-admin",
        "other");
    Map<String, String> deniedRequestIds = new LinkedHashMap<>();
    List<String> mismatches = new ArrayList<>();
    for (String credential : credentials) {
      for (MethodDescriptor<?, ?> method : methods) {
        String requestId = "matrix-" + credential + "-" + method.getBareMethodName();
        String secret = switch (credential) {
          case "none" -> null;
          case "wrong" -> TokenSecrets.PREFIX + "not-a-token-the-cluster-knows";
          default -> secrets.get(credential);
        };
        Expected want = expected(credential, method);
        Expected got = outcome(method, requests.get(method.getBareMethodName()).get(), secret, requestId);
        if (!got.equals(want)) {
          mismatches.add(credential + " × " + method.getBareMethodName() + ": expected " + want + ", got " + got);
        }
        if (want.code() == Status.Code.UNAUTHENTICATED || want.code() == Status.Code.PERMISSION_DENIED) {
          deniedRequestIds.put(requestId, credential);
        }
      }
    }
    assertThat(mismatches).isEmpty();
    assertThat(deniedRequestIds).hasSizeGreaterThan(100);

    // Each refusal is one audit row, found by the request id the call carried, with the token's name as actor.
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      Map<String, String> audited = deniedRows();
      assertThat(audited.keySet()).containsAll(deniedRequestIds.keySet());
    });
    Map<String, String> audited = deniedRows();
    deniedRequestIds.forEach((requestId, credential) -> {
      String expectedActor = switch (credential) {
        case "none" -> "anonymous";
        case "wrong" -> "unknown-token";
        default -> credential;
      };
      assertThat(audited.get(requestId)).as(requestId).isEqualTo(expectedActor);
    });
  }

  @Test
  void internalServicesRefuseCallersWithoutTheClusterSecretEvenWithAnAdminToken() {
    MethodDescriptor<JoinRequest, ?> join = io.raftcache.node.cluster.MembershipService.JOIN;
    JoinRequest request = JoinRequest.newBuilder().setClusterId("matrix").setPartitionCount(4).build();
    GrpcAssertions.assertFails(() -> call(join, request, secrets.get("admin"), "internal-admin"),
        Status.Code.UNAUTHENTICATED, ErrorReason.NOT_A_MEMBER);
    Metadata wrongSecret = new Metadata();
    wrongSecret.put(RaftCacheMetadata.CLUSTER_SECRET, "not-the-secret-of-this-cluster");
    GrpcAssertions.assertFails(() -> call(join, request, null, "internal-anonymous"),
        Status.Code.UNAUTHENTICATED, ErrorReason.NOT_A_MEMBER);
    GrpcAssertions.assertFails(() -> ClientCalls.blockingUnaryCall(
            io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(wrongSecret)),
            join, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request),
        Status.Code.UNAUTHENTICATED, ErrorReason.NOT_A_MEMBER);
  }

  private Map<String, String> deniedRows() throws Exception {
    Map<String, String> rows = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(database.url(), database.user(), "");
        PreparedStatement s = c.prepareStatement("SELECT request_id, actor FROM audit_events WHERE outcome = 'DENIED'"
            + " AND action IN ('auth.denied', 'access.denied') AND request_id LIKE 'matrix-%'");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        assertThat(rows.put(r.getString(1), r.getString(2))).as("one row per refusal: " + r.getString(1)).isNull();
      }
    }
    return rows;
  }

  private Expected outcome(MethodDescriptor<?, ?> method, Message request, String secret, String requestId) {
    try {
      call(method, request, secret, requestId);
      return Expected.OK;
    } catch (StatusRuntimeException e) {
      String reason = GrpcAssertions.reasonOf(e);
      return new Expected(e.getStatus().getCode(), reason == null ? null : ErrorReason.valueOf(reason));
    }
  }

  @SuppressWarnings("unchecked")
  private <Q, R> R call(MethodDescriptor<Q, R> method, Object request, String secret, String requestId) {
    Metadata headers = new Metadata();
    headers.put(RaftCacheMetadata.REQUEST_ID, requestId);
    if (secret != null) {
      headers.put(RaftCacheMetadata.AUTHORIZATION, "Bearer " + secret);
    }
    io.grpc.Channel intercepted = io.grpc.ClientInterceptors.intercept(channel,
        MetadataUtils.newAttachHeadersInterceptor(headers));
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
      // The current topology comes first; closing the context cancels the stream after it.
      try (io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation()) {
        return context.call(() -> {
          Iterator<R> stream = ClientCalls.blockingServerStreamingCall(intercepted, method, options, (Q) request);
          return stream.next();
        });
      } catch (StatusRuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return ClientCalls.blockingUnaryCall(intercepted, method, options, (Q) request);
  }
}
