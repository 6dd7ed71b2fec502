package io.raftcache.proto;

import io.grpc.Metadata;

/** The gRPC metadata keys and error domain that raftcache servers and clients share. */
public final class RaftCacheMetadata {
  /** The {@code google.rpc.ErrorInfo} domain of every raftcache error. */
  public static final String ERROR_DOMAIN = "raftcache.io";

  /** On NOT_LEADER: host:port of the node believed to lead the partition. */
  public static final Metadata.Key<String> LEADER_HINT =
      Metadata.Key.of("raftcache-leader", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Set to "true" on a request to have a node that does not lead the key's partition answer NOT_LEADER (with
   * {@link #LEADER_HINT}) instead of forwarding the request: for smart clients that route themselves.
   */
  public static final Metadata.Key<String> NO_FORWARD =
      Metadata.Key.of("raftcache-no-forward", Metadata.ASCII_STRING_MARSHALLER);

  /** On QUOTA_EXCEEDED: milliseconds after which a retry may succeed. */
  public static final Metadata.Key<String> RETRY_AFTER_MS =
      Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);

  /** Optional request id a caller sets to correlate logs and audit events. */
  public static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  /** {@code authorization: Bearer <token>}: the API token a call acts with. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** On inter-node calls: the secret the members of a cluster share, which internal services require. */
  public static final Metadata.Key<String> CLUSTER_SECRET =
      Metadata.Key.of("raftcache-cluster-secret", Metadata.ASCII_STRING_MARSHALLER);

  private RaftCacheMetadata() {}
}
