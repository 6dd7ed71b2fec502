package io.raftcache.node.api;

import io.raftcache.proto.v1.RemoveNodeResponse;
import java.util.concurrent.CompletableFuture;

/** Cluster membership changes an operator makes through the Admin service. */
public interface MembershipAdmin {
  /**
   * Removes {@code nodeId} from the cluster; completes once the meta group has recorded it (raft groups drop the
   * replica shortly after). Fails with a {@code CacheException} of reason MEMBERSHIP_REJECTED if it cannot.
   */
  CompletableFuture<RemoveNodeResponse> removeNode(String nodeId);
}
