package io.raftcache.node.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftcache.node.routing.PartitionTable;
import io.raftcache.proto.v1.ClusterGrpc;
import io.raftcache.proto.v1.GetTopologyRequest;
import io.raftcache.proto.v1.Member;
import io.raftcache.proto.v1.PartitionAssignment;
import io.raftcache.proto.v1.Topology;
import io.raftcache.proto.v1.WatchTopologyRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The {@code raftcache.v1.Cluster} service: serves and streams the partition table. */
public final class ClusterService extends ClusterGrpc.ClusterImplBase implements AutoCloseable {
  /** The most concurrent WatchTopology streams a node keeps, so watchers cannot exhaust it. */
  static final int MAX_WATCHERS = 1024;

  private final Supplier<PartitionTable> table;
  private final Set<ServerCallStreamObserver<Topology>> watchers = ConcurrentHashMap.newKeySet();
  /** The table last pushed to watchers, so unchanged tables are not sent again. */
  private volatile Topology published;

  public ClusterService(Supplier<PartitionTable> table) {
    this.table = table;
  }

  @Override
  public void getTopology(GetTopologyRequest request, StreamObserver<Topology> response) {
    response.onNext(toProto(table.get()));
    response.onCompleted();
  }

  @Override
  public void watchTopology(WatchTopologyRequest request, StreamObserver<Topology> response) {
    if (watchers.size() >= MAX_WATCHERS) {
      response.onError(io.grpc.Status.RESOURCE_EXHAUSTED
          .withDescription("too many topology watchers on this node; use GetTopology or retry later").asRuntimeException());
      return;
    }
    ServerCallStreamObserver<Topology> stream = (ServerCallStreamObserver<Topology>) response;
    stream.setOnCancelHandler(() -> watchers.remove(stream));
    PartitionTable current = table.get();
    synchronized (stream) {
      watchers.add(stream);
      if (current.epoch() > request.getAfterEpoch()) {
        stream.onNext(toProto(current));
      }
    }
  }

  /**
   * Sends the current table to every watcher if it differs from the last one sent: a new epoch (members or
   * assignments) or a new leader of some partition (same epoch; each partition's {@code epoch} is the raft term
   * of its leader, so clients can order leader changes). A watcher whose stream is not ready (a slow reader) is
   * skipped rather than buffered without bound; it gets the table current at the next change.
   */
  public void publish() {
    Topology next = toProto(table.get());
    if (next.equals(published)) {
      return;
    }
    published = next;
    for (ServerCallStreamObserver<Topology> watcher : watchers) {
      synchronized (watcher) {
        if (watcher.isCancelled()) {
          watchers.remove(watcher);
        } else if (watcher.isReady()) {
          try {
            watcher.onNext(next);
          } catch (RuntimeException gone) {
            watchers.remove(watcher);
          }
        }
      }
    }
  }

  /** Ends every open watch stream (on shutdown), so the server can stop without waiting for them. */
  @Override
  public void close() {
    for (ServerCallStreamObserver<Topology> watcher : watchers) {
      try {
        watcher.onCompleted();
      } catch (RuntimeException alreadyCancelled) {
        // the call ended on its own meanwhile
      }
    }
    watchers.clear();
  }

  static Topology toProto(PartitionTable t) {
    Topology.Builder b = Topology.newBuilder()
        .setClusterId(t.clusterId()).setEpoch(t.epoch()).setPartitionCount(t.partitionCount());
    for (PartitionTable.Member m : t.members()) {
      b.addMembers(Member.newBuilder().setNodeId(m.nodeId()).setClientAddress(m.clientAddress())
          .setRegion(m.region()).setZone(m.zone()).setState(m.state()));
    }
    for (PartitionTable.Assignment a : t.assignments()) {
      b.addPartitions(PartitionAssignment.newBuilder().setPartition(a.partition()).setLeader(a.leader())
          .addAllReplicas(a.replicas()).setEpoch(a.epoch()));
    }
    return b.build();
  }
}
