package io.raftcache.node.config;

/** How a node decides who may call it. */
public enum AuthMode {
  /**
   * Every cache and admin call needs {@code authorization: Bearer <token>} naming an API token with a role for the
   * namespace; inter-node calls carry the cluster secret. The production mode.
   */
  TOKENS,
  /** Anyone who reaches the port may do anything. For local development only, and logged loudly at start-up. */
  OPEN
}
