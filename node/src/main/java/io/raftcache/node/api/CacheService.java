package io.raftcache.node.api;

import io.grpc.stub.StreamObserver;
import io.raftcache.node.partition.CacheOperations;
import io.raftcache.node.partition.SetEntry;
import io.raftcache.node.partition.WriteResult;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.CompareAndSetRequest;
import io.raftcache.proto.v1.CompareAndSetResponse;
import io.raftcache.proto.v1.DeleteMultiRequest;
import io.raftcache.proto.v1.DeleteMultiResponse;
import io.raftcache.proto.v1.DeleteRequest;
import io.raftcache.proto.v1.DeleteResponse;
import io.raftcache.proto.v1.GetMultiRequest;
import io.raftcache.proto.v1.GetMultiResponse;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.IncrementRequest;
import io.raftcache.proto.v1.IncrementResponse;
import io.raftcache.proto.v1.InvalidateTagRequest;
import io.raftcache.proto.v1.InvalidateTagResponse;
import io.raftcache.proto.v1.SetMultiEntry;
import io.raftcache.proto.v1.SetMultiRequest;
import io.raftcache.proto.v1.SetMultiResponse;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.SetResponse;
import io.raftcache.proto.v1.TouchRequest;
import io.raftcache.proto.v1.TouchResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code raftcache.v1.Cache} service: validates each request, delegates to {@link CacheOperations}, maps.
 * Values of encrypted namespaces are sealed here, after validation (limits apply to the plaintext) and before
 * anything is proposed, so forwarding, the raft log and every store see only ciphertext.
 */
public final class CacheService extends CacheGrpc.CacheImplBase {
  private final RequestValidator validator;
  private final CacheOperations operations;
  private final ValueEncryption encryption;
  private final ProtoMapper mapper;

  public CacheService(RequestValidator validator, CacheOperations operations, ValueEncryption encryption,
      String nodeId) {
    this.validator = validator;
    this.operations = operations;
    this.encryption = encryption;
    this.mapper = new ProtoMapper(nodeId);
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      byte[] key = validator.key(request.getKey());
      return operations.get(ns, key, request.getConsistency())
          .thenApply(r -> mapper.getResponse(encryption.open(ns, key, r)));
    });
  }

  @Override
  public void set(SetRequest request, StreamObserver<SetResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      byte[] key = validator.key(request.getKey());
      byte[] value = validator.value(request.getValue());
      long ttl = validator.ttl(request.getTtlMs());
      List<String> tags = validator.tags(request.getTagsList());
      if (request.getIfAbsent() && request.getIfVersion() != 0) {
        throw validator.conflicting("if_absent and if_version exclude each other");
      }
      return operations.set(ns, key, encryption.seal(ns, key, value), ttl, request.getIfAbsent(),
              request.getIfVersion(), tags)
          .thenApply(mapper::setResponse);
    });
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      byte[] key = validator.key(request.getKey());
      return operations.delete(ns, key, request.getIfVersion()).thenApply(mapper::deleteResponse);
    });
  }

  @Override
  public void touch(TouchRequest request, StreamObserver<TouchResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      byte[] key = validator.key(request.getKey());
      long ttl = validator.ttl(request.getTtlMs());
      return operations.touch(ns, key, ttl).thenApply(mapper::touchResponse);
    });
  }

  @Override
  public void increment(IncrementRequest request, StreamObserver<IncrementResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      byte[] key = validator.key(request.getKey());
      long ttl = validator.ttl(request.getTtlMs());
      encryption.refuseIfEncrypted(ns, "Increment");
      return operations.increment(ns, key, request.getDelta(), request.getInitial(), ttl)
          .thenApply(mapper::incrementResponse);
    });
  }

  @Override
  public void compareAndSet(CompareAndSetRequest request, StreamObserver<CompareAndSetResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      byte[] key = validator.key(request.getKey());
      byte[] expected = validator.value(request.getExpectedValue());
      byte[] newValue = validator.value(request.getNewValue());
      long ttl = validator.ttl(request.getTtlMs());
      List<String> tags = validator.tags(request.getTagsList());
      if (request.getExpectAbsent() && !request.getExpectedValue().isEmpty()) {
        throw validator.conflicting("expect_absent excludes expected_value");
      }
      boolean compares = !request.getExpectAbsent();
      if (compares) {
        encryption.refuseIfEncrypted(ns, "CompareAndSet with an expected value (use expect_absent, or Set with"
            + " if_version)");
      }
      return operations.compareAndSet(ns, key, expected, request.getExpectAbsent(),
              encryption.seal(ns, key, newValue), ttl, tags)
          .thenApply(w -> mapper.compareAndSetResponse(encryption.openCurrentValue(ns, key, compares, w)));
    });
  }

  @Override
  public void getMulti(GetMultiRequest request, StreamObserver<GetMultiResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      List<byte[]> keys = validator.keys(request.getKeysList());
      return operations.getMulti(ns, keys, request.getConsistency()).thenApply(results -> {
        GetMultiResponse.Builder b = GetMultiResponse.newBuilder();
        for (int i = 0; i < results.size(); i++) {
          b.addResults(mapper.getResponse(encryption.open(ns, keys.get(i), results.get(i))));
        }
        return b.build();
      });
    });
  }

  @Override
  public void setMulti(SetMultiRequest request, StreamObserver<SetMultiResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      List<byte[]> keys = validator.keys(request.getEntriesList().stream().map(SetMultiEntry::getKey).toList());
      // Validate every entry before writing any, so a bad entry leaves the batch wholly unapplied.
      List<SetEntry> entries = new ArrayList<>(request.getEntriesCount());
      for (int i = 0; i < keys.size(); i++) {
        SetMultiEntry e = request.getEntries(i);
        entries.add(new SetEntry(keys.get(i), validator.value(e.getValue()), validator.ttl(e.getTtlMs()),
            validator.tags(e.getTagsList())));
      }
      // Sealed only once every entry is valid: encrypting costs more than checking. Plain namespaces (most
      // batches) keep their entries as they are.
      if (encryption.encrypts(ns)) {
        for (int i = 0; i < entries.size(); i++) {
          SetEntry e = entries.get(i);
          entries.set(i, new SetEntry(e.key(), encryption.seal(ns, e.key(), e.value()), e.ttlMillis(), e.tags()));
        }
      }
      return operations.setMulti(ns, entries).thenApply(results -> {
        SetMultiResponse.Builder b = SetMultiResponse.newBuilder();
        results.forEach(w -> b.addVersions(((Outcome.Written) w.outcome()).version()));
        return b.build();
      });
    });
  }

  @Override
  public void deleteMulti(DeleteMultiRequest request, StreamObserver<DeleteMultiResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      List<byte[]> keys = validator.keys(request.getKeysList());
      return operations.deleteMulti(ns, keys).thenApply(results -> {
        DeleteMultiResponse.Builder b = DeleteMultiResponse.newBuilder();
        int count = 0;
        for (WriteResult w : results) {
          boolean deleted = w.outcome() instanceof Outcome.Deleted;
          b.addDeleted(deleted);
          count += deleted ? 1 : 0;
        }
        return b.setTotalDeleted(count).build();
      });
    });
  }

  @Override
  public void invalidateTag(InvalidateTagRequest request, StreamObserver<InvalidateTagResponse> response) {
    Replies.unary(response, () -> {
      String ns = validator.namespace(request.getNamespace());
      String tag = validator.tag(request.getTag());
      return operations.invalidateTag(ns, tag)
          .thenApply(count -> InvalidateTagResponse.newBuilder().setDeletedCount(count).build());
    });
  }
}
