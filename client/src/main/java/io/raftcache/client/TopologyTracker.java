package io.raftcache.client;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.Topology;
import io.raftcache.proto.v1.WatchTopologyRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows the cluster's topology: one {@code WatchTopology} stream to some member, re-opened at another member
 * when it ends, plus on-demand refreshes. Calls read the current {@link RouteTable} without waiting; an update
 * never blocks a call in flight.
 */
final class TopologyTracker implements AutoCloseable {
  private static final Logger log = Logger.getLogger(TopologyTracker.class.getName());

  private final NodeChannels channels;
  private final List<String> seeds;
  private final ScheduledExecutorService scheduler;
  private final AtomicReference<RouteTable> table = new AtomicReference<>();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile boolean closed;
  private volatile int watchFailures;
  private volatile io.grpc.Context.CancellableContext watchContext;

  TopologyTracker(NodeChannels channels, List<String> seeds, ScheduledExecutorService scheduler) {
    this.channels = channels;
    this.seeds = List.copyOf(seeds);
    this.scheduler = scheduler;
  }

  /** Fetches the first table (from any seed, within {@code timeoutMillis}) and starts watching. */
  void start(long timeoutMillis) {
    RuntimeException last = null;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (table.get() == null && System.nanoTime() < deadline) {
      for (String seed : seeds) {
        try {
          accept(ClusterGrpc.newBlockingStub(channels.to(seed)).withDeadlineAfter(2, TimeUnit.SECONDS)
              .getTopology(GetTopologyRequest.getDefaultInstance()));
          if (table.get() != null) {
            break;
          }
        } catch (RuntimeException e) {
          last = e;
        }
      }
      if (table.get() == null) {
        // Every seed failed or does not know the cluster yet (it is starting): ask again shortly.
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
    if (table.get() == null) {
      throw new RaftCacheException(Status.Code.UNAVAILABLE, io.raftcache.proto.v1.ErrorReason.ERROR_REASON_UNSPECIFIED,
          "no seed of " + seeds + " answered GetTopology with the cluster's partitions", last);
    }
    watch();
  }

  RouteTable current() {
    return table.get();
  }

  /** Learns from a NOT_LEADER answer that {@code address} leads {@code partition} (kept until the next table). */
  void leaderHint(int partition, String address) {
    table.updateAndGet(t -> t == null || partition >= t.partitionCount() ? t : t.withLeader(partition, address));
  }

  /** Fetches a fresh table in the background (at most one fetch at a time); calls go on with the current one. */
  void refresh() {
    if (closed || !refreshing.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture.runAsync(() -> {
      try {
        for (String address : candidates()) {
          try {
            accept(ClusterGrpc.newBlockingStub(channels.to(address)).withDeadlineAfter(2, TimeUnit.SECONDS)
                .getTopology(GetTopologyRequest.getDefaultInstance()));
            return;
          } catch (RuntimeException e) {
            log.log(Level.FINE, "topology refresh from " + address + " failed", e);
          }
        }
      } finally {
        refreshing.set(false);
      }
    }, scheduler);
  }

  private List<String> candidates() {
    List<String> all = new ArrayList<>();
    RouteTable t = table.get();
    if (t != null) {
      all.addAll(t.addresses());
    }
    seeds.stream().filter(s -> !all.contains(s)).forEach(all::add);
    java.util.Collections.shuffle(all);
    return all;
  }

  private void watch() {
    if (closed) {
      return;
    }
    List<String> candidates = candidates();
    String address = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
    io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
    watchContext = context;
    context.run(() -> ClusterGrpc.newStub(channels.to(address)).watchTopology(
        WatchTopologyRequest.newBuilder().setAfterEpoch(0).build(), new StreamObserver<>() {
          @Override
          public void onNext(Topology topology) {
            watchFailures = 0;
            accept(topology);
          }

          @Override
          public void onError(Throwable t) {
            rewatchLater();
          }

          @Override
          public void onCompleted() {
            rewatchLater();
          }
        }));
  }

  private void rewatchLater() {
    if (closed) {
      return;
    }
    int failures = Math.min(watchFailures++, 6);
    long delay = (50L << failures) + ThreadLocalRandom.current().nextLong(50);
    refresh();
    scheduler.schedule(this::watch, delay, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes {@code topology} unless the client has a newer epoch, keeping leaders it knows from later terms. A
   * table without partitions (a node that has not applied the cluster's state yet) is ignored.
   */
  private void accept(Topology topology) {
    if (topology.getPartitionCount() == 0 || topology.getPartitionsCount() == 0) {
      return;
    }
    RouteTable next = RouteTable.of(topology);
    table.updateAndGet(current -> current == null ? next
        : next.epoch() >= current.epoch() ? current.mergedWith(next) : current);
  }

  @Override
  public void close() {
    closed = true;
    io.grpc.Context.CancellableContext context = watchContext;
    if (context != null) {
      context.cancel(null); // ends the watch stream, so closing the channels need not wait for it
    }
  }
}
