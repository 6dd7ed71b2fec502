package io.raftcache.node.cluster;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftcache.node.membership.ClusterState;
import io.raftcache.node.membership.MemberInfo;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.internal.v1.ClusterStateRecord;
import io.raftcache.proto.internal.v1.JoinRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asks an existing cluster to record this node as a member, through seeds and the leader hints they return. */
public final class JoinClient {
  private static final Logger log = LoggerFactory.getLogger(JoinClient.class);

  private JoinClient() {}

  /**
   * Joins through {@code seeds} (client addresses), following leader hints and retrying until {@code timeout}.
   *
   * @return the cluster state that includes this node
   * @throws IllegalStateException if the cluster refuses the node or cannot be reached in time
   */
  public static ClusterState join(List<String> seeds, String clusterId, int partitionCount, MemberInfo self,
      Duration timeout, PeerChannelFactory channels) throws InterruptedException {
    JoinRequest request = JoinRequest.newBuilder().setClusterId(clusterId).setPartitionCount(partitionCount)
        .setMember(self.toRecord()).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    Deque<String> targets = new ArrayDeque<>(seeds);
    String lastProblem = "no seed answered";
    while (System.nanoTime() < deadline) {
      String target = targets.isEmpty() ? null : targets.poll();
      if (target == null) {
        targets.addAll(seeds);
        TimeUnit.MILLISECONDS.sleep(250); // every seed tried: give elections time before the next round
        continue;
      }
      ManagedChannel channel = channels.open(target, 4 * 1024 * 1024);
      try {
        ClusterStateRecord state = ClientCalls.blockingUnaryCall(
            channel, MembershipService.JOIN, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
        log.info("joined cluster {} through {} at epoch {}", clusterId, target, state.getEpoch());
        return ClusterState.of(state);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
          throw new IllegalStateException("the cluster refused this node: " + e.getStatus().getDescription());
        }
        if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
          throw new IllegalStateException("the cluster did not accept this node's credentials (is the cluster secret,"
              + " --cluster-secret-file or RAFTCACHE_CLUSTER_SECRET, the same as the members'?): "
              + e.getStatus().getDescription());
        }
        lastProblem = target + ": " + e.getStatus();
        String hint = e.getTrailers() == null ? null : e.getTrailers().get(RaftCacheMetadata.LEADER_HINT);
        if (hint != null && !hint.equals(target)) {
          targets.addFirst(hint);
        }
        log.debug("join through {} failed: {}", target, e.getStatus());
      } finally {
        channel.shutdownNow();
      }
    }
    throw new IllegalStateException("could not join cluster " + clusterId + " within " + timeout.toSeconds()
        + " s through " + seeds + "; last problem: " + lastProblem);
  }
}
