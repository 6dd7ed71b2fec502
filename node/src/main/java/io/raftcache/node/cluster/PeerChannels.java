package io.raftcache.node.cluster;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per peer node, for internal calls.
 *
 * <p>Channels are built when the node starts: building one loads grpc's classes and resolvers, and doing that
 * lazily held every request thread of the first forwarded writes behind one map bin (seen in a thread dump).
 */
public final class PeerChannels implements AutoCloseable {
  private final Map<String, String> clientAddressByNodeId;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final int maxMessageBytes;

  /** @param clientAddressByNodeId host:port of every peer's client endpoint, by node id */
  public PeerChannels(Map<String, String> clientAddressByNodeId, int maxMessageBytes) {
    this.clientAddressByNodeId = Map.copyOf(clientAddressByNodeId);
    this.maxMessageBytes = maxMessageBytes;
    this.clientAddressByNodeId.keySet().forEach(this::to);
  }

  /** The channel to {@code nodeId}. */
  public ManagedChannel to(String nodeId) {
    return channels.computeIfAbsent(nodeId, id -> {
      String address = clientAddressOf(id);
      if (address == null) {
        throw new IllegalArgumentException("unknown node " + id);
      }
      return NettyChannelBuilder.forTarget(address).usePlaintext().maxInboundMessageSize(maxMessageBytes).build();
    });
  }

  /** host:port of {@code nodeId}'s client endpoint, or null. */
  public String clientAddressOf(String nodeId) {
    return clientAddressByNodeId.get(nodeId);
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
