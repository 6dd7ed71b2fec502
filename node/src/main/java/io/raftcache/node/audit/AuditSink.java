package io.raftcache.node.audit;

/** Where audited actions go. Recording never waits on the database and never drops an event. */
public interface AuditSink {
  void record(AuditEvent event);
}
