package io.raftcache.node.audit;

import java.util.List;

/** The audit sink of a node without PostgreSQL: every event is kept in the local spool file. */
public final class SpoolOnlyAuditSink implements AuditSink {
  private final AuditSpool spool;

  public SpoolOnlyAuditSink(AuditSpool spool) {
    this.spool = spool;
  }

  @Override
  public void record(AuditEvent event) {
    spool.append(List.of(event));
  }
}
