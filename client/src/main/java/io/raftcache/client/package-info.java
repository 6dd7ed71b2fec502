/**
 * The Java client library for raftcache: {@link io.raftcache.client.RaftCacheClient} routes each key to its
 * partition's leader with the published routing algorithm, follows the topology, and retries what is safe.
 */
package io.raftcache.client;
