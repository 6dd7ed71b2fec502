package io.raftcache.node.cluster;

import io.grpc.ManagedChannel;
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
  private final Map<String, String> clientAddressByNodeId = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final int maxMessageBytes;
  private final PeerChannelFactory factory;

  /** @param clientAddressByNodeId host:port of every peer's client endpoint, by node id */
  public PeerChannels(Map<String, String> clientAddressByNodeId, int maxMessageBytes, PeerChannelFactory factory) {
    this.maxMessageBytes = maxMessageBytes;
    this.factory = factory;
    update(clientAddressByNodeId);
  }

  /**
   * Learns the members' current addresses (on every membership change): adds channels to new members, and
   * replaces a channel whose member moved.
   */
  public void update(Map<String, String> addresses) {
    addresses.forEach((id, address) -> {
      String previous = clientAddressByNodeId.put(id, address);
      if (previous != null && !previous.equals(address)) {
        ManagedChannel stale = channels.remove(id);
        if (stale != null) {
          stale.shutdown();
        }
      }
      to(id);
    });
  }

  /** The channel to {@code nodeId}. */
  public ManagedChannel to(String nodeId) {
    return channels.computeIfAbsent(nodeId, id -> {
      String address = clientAddressOf(id);
      if (address == null) {
        throw new IllegalArgumentException("unknown node " + id);
      }
      return factory.open(address, maxMessageBytes);
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
