package io.raftcache.node.config;

import io.raftcache.node.security.TokenTable;

/**
 * The configuration a node follows while it runs (from PostgreSQL, or flags only without it).
 *
 * @param namespaces namespace settings
 * @param tokens the API tokens it accepts
 */
public record LiveConfig(NamespaceDefaults namespaces, TokenTable tokens) {
  /** Namespaces from flags, no tokens. */
  public static LiveConfig of(NamespaceDefaults namespaces) {
    return new LiveConfig(namespaces, TokenTable.empty());
  }
}
