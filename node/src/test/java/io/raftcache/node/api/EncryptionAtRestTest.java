package io.raftcache.node.api;

import static io.raftcache.node.testing.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.AuthMode;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NamespaceSettings;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.config.SecuritySettings;
import io.raftcache.node.crypto.AesGcmEnvelope;
import io.raftcache.node.crypto.EncryptionKey;
import io.raftcache.node.crypto.Keyring;
import io.raftcache.node.partition.StoreKeys;
import io.raftcache.node.storage.PartitionStore;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.storage.StoredEntry;
import io.raftcache.node.testing.MutableClock;
import io.raftcache.node.testing.TestNodes;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.CompareAndSetRequest;
import io.raftcache.proto.v1.CompareAndSetResponse;
import io.raftcache.proto.v1.ErrorReason;
import io.raftcache.proto.v1.GetMultiRequest;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.IncrementRequest;
import io.raftcache.proto.v1.SetMultiEntry;
import io.raftcache.proto.v1.SetMultiRequest;
import io.raftcache.proto.v1.SetRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest through the real gRPC API of an in-process node whose Chronicle stores are read directly:
 * what the store holds, binding to the key, rotation across restarts, and the refusals.
 */
class EncryptionAtRestTest {
  static final String VAULT = "vault";
  static final EncryptionKey KEY_A = EncryptionKey.of("a", filled(1));
  static final EncryptionKey KEY_B = EncryptionKey.of("b", filled(2));
  static final NamespaceDefaults VAULT_ENCRYPTED =
      new NamespaceDefaults(Map.of(VAULT, new NamespaceSettings(Duration.ZERO, 0, 0, 0, true)));

  @TempDir Path dataDir;
  final MutableClock clock = MutableClock.atStart();
  RaftCacheNode node;
  ManagedChannel channel;
  CacheGrpc.CacheBlockingStub cache;

  static byte[] filled(int b) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) b);
    return bytes;
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** Starts (or restarts, on the same data directory) a node with {@code namespaces} and {@code keys}. */
  void start(NamespaceDefaults namespaces, EncryptionKey... keys) throws Exception {
    stop();
    NodeConfig base = TestNodes.config(dataDir, namespaces);
    NodeConfig config = new NodeConfig(base.nodeId(), base.host(), base.port(), base.metricsPort(), base.dataDir(),
        base.maxMemoryBytes(), base.maxValueBytes(), base.averageValueBytes(), base.partitionCount(),
        base.namespaces(), base.expiryInterval(), base.accessResolution(), base.jvmMetrics(), base.clusterId(),
        base.peers(), base.sharedRaftTimers(), base.snapshotInterval(), base.join(), base.replicationFactor(),
        base.region(), base.zone(), base.postgres(),
        new SecuritySettings(AuthMode.OPEN, null, null, new Keyring(List.of(keys))));
    String name = "crypto-" + UUID.randomUUID();
    node = TestNodes.inProcess(name, config, clock, PartitionStoreFactory.chronicle(dataDir.resolve("partitions")));
    channel = TestNodes.channel(name);
    cache = CacheGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
      node.close();
      channel = null;
    }
  }

  void set(String ns, String key, String value) {
    assertThat(cache.set(SetRequest.newBuilder().setNamespace(ns).setKey(b(key)).setValue(b(value)).build())
        .getApplied()).isTrue();
  }

  GetResponse get(String ns, String key) {
    return cache.get(GetRequest.newBuilder().setNamespace(ns).setKey(b(key)).build());
  }

  /** The stored entry, read from the partition's store, below the API. */
  StoredEntry stored(String ns, String key) {
    return store(ns, key).get(storeKey(ns, key));
  }

  PartitionStore store(String ns, String key) {
    return node.partitions().forKey(storeKey(ns, key)).store();
  }

  static byte[] storeKey(String ns, String key) {
    return StoreKeys.of(ns, key.getBytes(StandardCharsets.UTF_8));
  }

  static String keyIdOf(byte[] envelope) {
    return new String(envelope, 6, envelope[5], StandardCharsets.US_ASCII);
  }

  @Test
  void valuesRoundTripThroughTheApiWhileTheStoreHoldsOnlyCiphertext() throws Exception {
    start(VAULT_ENCRYPTED, KEY_A);

    set(VAULT, "card", "4111-1111-1111-1111");
    set("plain", "card", "4111-1111-1111-1111");
    cache.setMulti(SetMultiRequest.newBuilder().setNamespace(VAULT)
        .addEntries(SetMultiEntry.newBuilder().setKey(b("m1")).setValue(b("multi one")))
        .addEntries(SetMultiEntry.newBuilder().setKey(b("m2")).setValue(b("multi two"))).build());
    CompareAndSetResponse cas = cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace(VAULT)
        .setKey(b("new")).setExpectAbsent(true).setNewValue(b("created")).build());
    assertThat(cas.getApplied()).isTrue();

    assertThat(get(VAULT, "card").getValue().toStringUtf8()).isEqualTo("4111-1111-1111-1111");
    assertThat(cache.getMulti(GetMultiRequest.newBuilder().setNamespace(VAULT)
            .addKeys(b("m1")).addKeys(b("missing")).addKeys(b("m2")).addKeys(b("new")).build())
        .getResultsList()).extracting(r -> r.getValue().toStringUtf8())
        .containsExactly("multi one", "", "multi two", "created");
    for (String key : List.of("card", "m1", "m2", "new")) {
      byte[] payload = stored(VAULT, key).payload();
      assertThat(AesGcmEnvelope.isEnvelope(payload)).as(key).isTrue();
      assertThat(keyIdOf(payload)).isEqualTo("a");
    }
    assertThat(new String(stored(VAULT, "card").payload(), StandardCharsets.ISO_8859_1)).doesNotContain("4111");
    assertThat(stored("plain", "card").payload()).asString().isEqualTo("4111-1111-1111-1111");

    // A CompareAndSet that finds a value answers with the plaintext.
    CompareAndSetResponse lost = cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace(VAULT)
        .setKey(b("new")).setExpectAbsent(true).setNewValue(b("again")).build());
    assertThat(lost.getApplied()).isFalse();
    assertThat(lost.getCurrentValue().toStringUtf8()).isEqualTo("created");
  }

  @Test
  void aValueOfTheMaximumSizeFitsEncrypted() throws Exception {
    start(VAULT_ENCRYPTED, KEY_A);
    byte[] largest = new byte[node.config().maxValueBytes()];
    Arrays.fill(largest, (byte) 'x');

    cache.set(SetRequest.newBuilder().setNamespace(VAULT).setKey(b("big"))
        .setValue(ByteString.copyFrom(largest)).build());

    assertThat(stored(VAULT, "big").payload().length).isGreaterThan(largest.length);
    assertThat(get(VAULT, "big").getValue().toByteArray()).isEqualTo(largest);
    assertFails(() -> cache.set(SetRequest.newBuilder().setNamespace(VAULT).setKey(b("too-big"))
            .setValue(ByteString.copyFrom(new byte[largest.length + 1])).build()),
        Code.INVALID_ARGUMENT, ErrorReason.VALUE_TOO_LARGE);
  }

  @Test
  void aValueCopiedToAnotherKeyOrNamespaceFailsAuthentication() throws Exception {
    start(VAULT_ENCRYPTED.overlaidBy(new NamespaceDefaults(
        Map.of("vault2", new NamespaceSettings(Duration.ZERO, 0, 0, 0, true)))), KEY_A);
    set(VAULT, "alice", "alice's secret");
    StoredEntry alice = stored(VAULT, "alice");

    // Someone with write access to the files moves alice's ciphertext under bob, and into another namespace.
    store(VAULT, "bob").put(storeKey(VAULT, "bob"), alice);
    store("vault2", "alice").put(storeKey("vault2", "alice"), alice);

    assertFails(() -> get(VAULT, "bob"), Code.DATA_LOSS, ErrorReason.DECRYPTION_FAILED);
    assertFails(() -> get("vault2", "alice"), Code.DATA_LOSS, ErrorReason.DECRYPTION_FAILED);
    assertThat(get(VAULT, "alice").getValue().toStringUtf8()).isEqualTo("alice's secret");
  }

  @Test
  void rotationKeepsOldValuesReadableAndWritesNewOnesUnderTheNewKey() throws Exception {
    start(VAULT_ENCRYPTED, KEY_A);
    set(VAULT, "old", "written under a");

    start(VAULT_ENCRYPTED, KEY_B, KEY_A); // b is added in front: it encrypts, a still decrypts
    set(VAULT, "new", "written under b");

    assertThat(get(VAULT, "old").getValue().toStringUtf8()).isEqualTo("written under a");
    assertThat(get(VAULT, "new").getValue().toStringUtf8()).isEqualTo("written under b");
    assertThat(keyIdOf(stored(VAULT, "old").payload())).isEqualTo("a");
    assertThat(keyIdOf(stored(VAULT, "new").payload())).isEqualTo("b");

    // Rewriting moves a value to the current key; then a can go.
    set(VAULT, "old", "written under a");
    assertThat(keyIdOf(stored(VAULT, "old").payload())).isEqualTo("b");
    set(VAULT, "left-behind", "x");
    store(VAULT, "left-behind").put(storeKey(VAULT, "left-behind"), withPayload(stored(VAULT, "left-behind"),
        new AesGcmEnvelope(new java.security.SecureRandom())
            .seal(KEY_A, VAULT, "left-behind".getBytes(StandardCharsets.UTF_8), b("x").toByteArray())));

    start(VAULT_ENCRYPTED, KEY_B);
    assertThat(get(VAULT, "old").getValue().toStringUtf8()).isEqualTo("written under a");
    assertFails(() -> get(VAULT, "left-behind"), Code.FAILED_PRECONDITION, ErrorReason.ENCRYPTION_KEY_MISSING);
  }

  static StoredEntry withPayload(StoredEntry entry, byte[] payload) {
    return new StoredEntry(entry.meta(), payload);
  }

  @Test
  void operationsThatCompareOrComputeOnStoredBytesAreRefused() throws Exception {
    start(VAULT_ENCRYPTED, KEY_A);
    set(VAULT, "n", "41");

    assertFails(() -> cache.increment(IncrementRequest.newBuilder().setNamespace(VAULT).setKey(b("n")).setDelta(1)
        .build()), Code.FAILED_PRECONDITION, ErrorReason.UNSUPPORTED_ON_ENCRYPTED);
    assertFails(() -> cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace(VAULT).setKey(b("n"))
        .setExpectedValue(b("41")).setNewValue(b("42")).build()),
        Code.FAILED_PRECONDITION, ErrorReason.UNSUPPORTED_ON_ENCRYPTED);
    // An empty expected value is still a comparison (with the empty value), not expect_absent.
    assertFails(() -> cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace(VAULT).setKey(b("n"))
        .setNewValue(b("42")).build()), Code.FAILED_PRECONDITION, ErrorReason.UNSUPPORTED_ON_ENCRYPTED);
    assertThat(get(VAULT, "n").getValue().toStringUtf8()).as("nothing applied").isEqualTo("41");
    // Conditions on versions need no plaintext, so they work.
    long version = get(VAULT, "n").getVersion();
    assertThat(cache.set(SetRequest.newBuilder().setNamespace(VAULT).setKey(b("n")).setValue(b("42"))
        .setIfVersion(version).build()).getApplied()).isTrue();
    assertThat(get(VAULT, "n").getValue().toStringUtf8()).isEqualTo("42");
  }

  @Test
  void anEncryptedNamespaceOnANodeWithoutKeysIsRefusedAndPlainNamespacesStillWork() throws Exception {
    start(VAULT_ENCRYPTED);

    assertFails(() -> set(VAULT, "k", "v"), Code.FAILED_PRECONDITION, ErrorReason.ENCRYPTION_KEY_MISSING);
    assertFails(() -> cache.setMulti(SetMultiRequest.newBuilder().setNamespace(VAULT)
            .addEntries(SetMultiEntry.newBuilder().setKey(b("k")).setValue(b("v"))).build()),
        Code.FAILED_PRECONDITION, ErrorReason.ENCRYPTION_KEY_MISSING);
    assertThat(stored(VAULT, "k")).as("nothing was written").isNull();
    set("plain", "k", "v");
    assertThat(get("plain", "k").getValue().toStringUtf8()).isEqualTo("v");
  }

  @Test
  void turningTheFlagOffStillDecryptsWhatWasWrittenEncrypted() throws Exception {
    start(VAULT_ENCRYPTED, KEY_A);
    set(VAULT, "k", "secret");

    start(NamespaceDefaults.none(), KEY_A);
    set(VAULT, "later", "plain now");

    assertThat(get(VAULT, "k").getValue().toStringUtf8()).isEqualTo("secret");
    assertThat(stored(VAULT, "later").payload()).asString().isEqualTo("plain now");
    // The replicas would compare plaintext with ciphertext: refused rather than reported as a mismatch.
    assertFails(() -> cache.compareAndSet(CompareAndSetRequest.newBuilder().setNamespace(VAULT).setKey(b("k"))
        .setExpectedValue(b("secret")).setNewValue(b("x")).build()),
        Code.FAILED_PRECONDITION, ErrorReason.UNSUPPORTED_ON_ENCRYPTED);

    start(NamespaceDefaults.none());
    assertFails(() -> get(VAULT, "k"), Code.FAILED_PRECONDITION, ErrorReason.ENCRYPTION_KEY_MISSING);
  }
}
