package io.raftcache.client;

import com.google.protobuf.ByteString;
import io.grpc.Deadline;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.Consistency;
import io.raftcache.proto.v1.GetMultiRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.SetMultiEntry;
import io.raftcache.proto.v1.SetMultiRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Opt-in auto-batching: single-key gets and plain sets that arrive within a short window for the same node are
 * sent as one GetMulti or SetMulti, trading up to one window of latency for far fewer RPCs.
 *
 * <p>A batch is flushed when its window ends or when it reaches the maximum size. A key appears once per batch:
 * a second get of the same key shares the first one's answer, and a second set of the same key first flushes
 * the batch holding the first (so writes to one key keep their order).
 */
final class AutoBatcher {
  private final RetryingCaller caller;
  private final ScheduledExecutorService scheduler;
  private final String namespace;
  private final Consistency consistency;
  private final long windowMicros;
  private final int maxBatch;
  private final Function<String, String> nodeOfKey;
  private final Duration deadline;
  private final Map<String, GetBatch> gets = new LinkedHashMap<>();
  private final Map<String, SetBatch> sets = new LinkedHashMap<>();

  AutoBatcher(RetryingCaller caller, ScheduledExecutorService scheduler, String namespace, Consistency consistency,
      Duration window, int maxBatch, Function<String, String> nodeOfKey, Duration deadline) {
    this.caller = caller;
    this.scheduler = scheduler;
    this.namespace = namespace;
    this.consistency = consistency;
    this.windowMicros = Math.max(1, window.toNanos() / 1000);
    this.maxBatch = maxBatch;
    this.nodeOfKey = nodeOfKey;
    this.deadline = deadline;
  }

  private final class GetBatch {
    final String node;
    final Map<String, List<CompletableFuture<GetResponse>>> waiting = new LinkedHashMap<>();

    GetBatch(String node) {
      this.node = node;
    }
  }

  private final class SetBatch {
    final String node;
    final Map<String, byte[]> values = new LinkedHashMap<>();
    final Map<String, CompletableFuture<Long>> waiting = new LinkedHashMap<>();

    SetBatch(String node) {
      this.node = node;
    }
  }

  CompletableFuture<GetResponse> get(String key) {
    String node = nodeOfKey.apply(key);
    CompletableFuture<GetResponse> result = new CompletableFuture<>();
    GetBatch full = null;
    synchronized (gets) {
      GetBatch batch = gets.get(node);
      if (batch == null) {
        batch = new GetBatch(node);
        gets.put(node, batch);
        GetBatch scheduled = batch;
        scheduler.schedule(() -> flushGets(scheduled), windowMicros, TimeUnit.MICROSECONDS);
      }
      batch.waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(result);
      if (batch.waiting.size() >= maxBatch) {
        gets.remove(node);
        full = batch;
      }
    }
    if (full != null) {
      send(full);
    }
    return result;
  }

  CompletableFuture<Long> set(String key, byte[] value) {
    String node = nodeOfKey.apply(key);
    CompletableFuture<Long> result = new CompletableFuture<>();
    List<SetBatch> ready = new ArrayList<>(2);
    synchronized (sets) {
      SetBatch batch = sets.get(node);
      if (batch != null && batch.values.containsKey(key)) {
        sets.remove(node); // the same key twice: send the earlier write first
        ready.add(batch);
        batch = null;
      }
      if (batch == null) {
        batch = new SetBatch(node);
        sets.put(node, batch);
        SetBatch scheduled = batch;
        scheduler.schedule(() -> flushSets(scheduled), windowMicros, TimeUnit.MICROSECONDS);
      }
      batch.values.put(key, value);
      batch.waiting.put(key, result);
      if (batch.values.size() >= maxBatch) {
        sets.remove(node);
        ready.add(batch);
      }
    }
    ready.forEach(this::send);
    return result;
  }

  private void flushGets(GetBatch batch) {
    synchronized (gets) {
      if (gets.get(batch.node) != batch) {
        return; // already sent because it filled up
      }
      gets.remove(batch.node);
    }
    send(batch);
  }

  private void flushSets(SetBatch batch) {
    synchronized (sets) {
      if (sets.get(batch.node) != batch) {
        return;
      }
      sets.remove(batch.node);
    }
    send(batch);
  }

  private void send(GetBatch batch) {
    List<String> keys = new ArrayList<>(batch.waiting.keySet());
    GetMultiRequest.Builder request = GetMultiRequest.newBuilder().setNamespace(namespace).setConsistency(consistency);
    keys.forEach(k -> request.addKeys(ByteString.copyFromUtf8(k)));
    GetMultiRequest built = request.build();
    caller.call(-1, batch.node, true, false, Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS),
            (channel, o) -> CacheGrpc.newFutureStub(channel).withDeadline(o.getDeadline()).getMulti(built))
        .whenComplete((response, failure) -> {
          for (int i = 0; i < keys.size(); i++) {
            for (CompletableFuture<GetResponse> waiter : batch.waiting.get(keys.get(i))) {
              if (failure != null) {
                waiter.completeExceptionally(failure);
              } else {
                waiter.complete(response.getResults(i));
              }
            }
          }
        });
  }

  private void send(SetBatch batch) {
    List<String> keys = new ArrayList<>(batch.values.keySet());
    SetMultiRequest.Builder request = SetMultiRequest.newBuilder().setNamespace(namespace);
    keys.forEach(k -> request.addEntries(SetMultiEntry.newBuilder().setKey(ByteString.copyFromUtf8(k))
        .setValue(ByteString.copyFrom(batch.values.get(k)))));
    SetMultiRequest built = request.build();
    caller.call(-1, batch.node, true, false, Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS),
            (channel, o) -> CacheGrpc.newFutureStub(channel).withDeadline(o.getDeadline()).setMulti(built))
        .whenComplete((response, failure) -> {
          for (int i = 0; i < keys.size(); i++) {
            CompletableFuture<Long> waiter = batch.waiting.get(keys.get(i));
            if (failure != null) {
              waiter.completeExceptionally(failure);
            } else {
              waiter.complete(response.getVersions(i));
            }
          }
        });
  }
}
