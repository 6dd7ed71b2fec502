package io.raftcache.node.config;

/**
 * One member of a static cluster.
 *
 * @param nodeId stable id
 * @param clientAddress host:port of its gRPC client endpoint (also used for forwarding)
 * @param raftAddress host:port of its raft RPC endpoint
 */
public record ClusterPeer(String nodeId, String clientAddress, String raftAddress) {

  /** Parses {@code id=host:clientPort:raftPort}. */
  public static ClusterPeer parse(String spec) {
    int eq = spec.indexOf('=');
    String[] parts = eq < 0 ? new String[0] : spec.substring(eq + 1).split(":");
    if (eq <= 0 || parts.length != 3) {
      throw new IllegalArgumentException("a peer is id=host:clientPort:raftPort, got '" + spec + "'");
    }
    Integer.parseInt(parts[1]);
    Integer.parseInt(parts[2]);
    return new ClusterPeer(spec.substring(0, eq), parts[0] + ":" + parts[1], parts[0] + ":" + parts[2]);
  }
}
