package io.raftcache.node.api;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Runs the calls that never block (reads) on the transport's own thread instead of handing each one to gRPC's
 * application executor; every other call keeps the default executor.
 *
 * <p>The hand-off is a thread wake-up per call (SynchronousQueue offer, park, unpark): profiled on a leader under
 * single-key LEASE Get load it was about a third of the node's CPU, more than the read itself. A read never waits:
 * it is served from the local store, or completes a future later (a ReadIndex round, a call to another node). A
 * write may wait (eviction proposes and waits for room before the write is proposed), and so may tag removal and
 * the admin calls, so they stay on the executor; an event loop that waited would stall every call on its
 * connections.
 */
public final class ReadCallExecutor implements ServerCallExecutorSupplier {
  /** Full method names of the calls that never block. */
  public static final Set<String> NON_BLOCKING = Set.of(
      "raftcache.v1.Cache/Get",
      "raftcache.v1.Cache/GetMulti",
      "raftcache.internal.v1.Forwarding/Read",
      "raftcache.internal.v1.Forwarding/Leader",
      "raftcache.internal.v1.Forwarding/Accessed");

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
    return NON_BLOCKING.contains(call.getMethodDescriptor().getFullMethodName()) ? MoreExecutors.directExecutor() : null;
  }
}
