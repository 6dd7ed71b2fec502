package io.raftcache.node.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.entity.PeerId;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The voters of one raft group, as its leader sees them, and one-at-a-time changes to them.
 *
 * <p>Adding a voter goes through jraft's catch-up first (the new replica receives the log or a snapshot before it
 * counts towards the quorum), so a group never waits on a replica that has nothing.
 */
public final class GroupMembership {
  private final String group;
  private final Node node;

  GroupMembership(String group, Node node) {
    this.group = group;
    this.node = node;
  }

  public String group() {
    return group;
  }

  public boolean isLeader() {
    return node.isLeader();
  }

  /** The raft addresses (host:port) of the group's voters; only valid on the leader. */
  public Set<String> voters() {
    Set<String> voters = new LinkedHashSet<>();
    for (PeerId peer : node.listPeers()) {
      voters.add(peer.getEndpoint().toString());
    }
    return voters;
  }

  /** Adds the replica at {@code raftAddress} as a voter once it has caught up. */
  public CompletableFuture<Void> add(String raftAddress) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    node.addPeer(PeerId.parsePeer(raftAddress), status -> complete(done, status, "add " + raftAddress));
    return done;
  }

  /** Removes the voter at {@code raftAddress}. */
  public CompletableFuture<Void> remove(String raftAddress) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    node.removePeer(PeerId.parsePeer(raftAddress), status -> complete(done, status, "remove " + raftAddress));
    return done;
  }

  private void complete(CompletableFuture<Void> done, com.alipay.sofa.jraft.Status status, String what) {
    if (status.isOk()) {
      done.complete(null);
    } else {
      done.completeExceptionally(new IllegalStateException(group + ": " + what + " failed: " + status));
    }
  }
}
