/**
 * The Java client library for raftcache. For now it holds nothing but this package: services call the
 * generated stubs in {@code io.raftcache.proto.v1}; the smart client with consistent-hashing routing follows.
 */
package io.raftcache.client;
