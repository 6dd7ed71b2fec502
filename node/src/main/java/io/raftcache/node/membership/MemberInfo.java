package io.raftcache.node.membership;

import io.raftcache.proto.internal.v1.MemberRecord;

/**
 * A cluster member as the meta group records it.
 *
 * @param nodeId stable id
 * @param clientAddress host:port of its gRPC client endpoint (also used for forwarding)
 * @param raftAddress host:port of its raft RPC endpoint
 * @param region region label (placement treats region and zone as one failure domain)
 * @param zone zone label
 */
public record MemberInfo(String nodeId, String clientAddress, String raftAddress, String region, String zone) {

  static MemberInfo of(MemberRecord r) {
    return new MemberInfo(r.getNodeId(), r.getClientAddress(), r.getRaftAddress(), r.getRegion(), r.getZone());
  }

  public MemberRecord toRecord() {
    return MemberRecord.newBuilder().setNodeId(nodeId).setClientAddress(clientAddress).setRaftAddress(raftAddress)
        .setRegion(region).setZone(zone).build();
  }
}
