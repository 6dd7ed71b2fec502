package io.raftcache.node.api;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Runs the calls that never block (reads and single-partition writes) on the transport's own thread instead of
 * handing each one to gRPC's application executor; every other call keeps the default executor.
 *
 * <p>The hand-off is a thread wake-up per call (SynchronousQueue offer, park, unpark): profiled on a leader under
 * single-key LEASE Get load it was about a third of the node's CPU, more than the read itself. A read never waits:
 * it is served from the local store, or completes a future later (a ReadIndex round, a call to another node). A
 * write never waits either: it is validated, handed to raft (or to the leader) and answered when its entry
 * applies; the one step that waits, an eviction round, runs on the eviction executor ({@code
 * LruEviction.roomFor}). Tag removal and flush wait for their proposals, and admin calls for PostgreSQL, so they
 * stay on the executor; an event loop that waited would stall every call on its connections.
 */
public final class NonBlockingCallExecutor implements ServerCallExecutorSupplier {
  /** Full method names of the calls that never block. */
  public static final Set<String> NON_BLOCKING = Set.of(
      "raftcache.v1.Cache/Get",
      "raftcache.v1.Cache/GetMulti",
      "raftcache.v1.Cache/Set",
      "raftcache.v1.Cache/SetMulti",
      "raftcache.v1.Cache/Delete",
      "raftcache.v1.Cache/DeleteMulti",
      "raftcache.v1.Cache/Touch",
      "raftcache.v1.Cache/Increment",
      "raftcache.v1.Cache/CompareAndSet",
      "raftcache.internal.v1.Forwarding/Read",
      "raftcache.internal.v1.Forwarding/Propose",
      "raftcache.internal.v1.Forwarding/Leader",
      "raftcache.internal.v1.Forwarding/Accessed");

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
    return NON_BLOCKING.contains(call.getMethodDescriptor().getFullMethodName()) ? MoreExecutors.directExecutor() : null;
  }
}
