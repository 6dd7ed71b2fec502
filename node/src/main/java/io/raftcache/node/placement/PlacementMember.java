package io.raftcache.node.placement;

import java.util.Objects;

/**
 * A node as placement sees it: its id and the failure domains it sits in.
 *
 * @param nodeId unique, stable id of the node; placement hashes it, so renaming a node moves its replicas
 * @param region the region label; placement treats (region, zone) together as one failure domain
 * @param zone the zone label within the region
 */
public record PlacementMember(String nodeId, String region, String zone) {
  public PlacementMember {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(zone, "zone");
    if (nodeId.isBlank()) {
      throw new IllegalArgumentException("node id must not be blank");
    }
  }
}
