package io.raftcache.node.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.List;
import java.util.function.LongSupplier;

/** The audit pipeline's health, read from the writer at each scrape: queue depth, spool bytes, write failures. */
public final class AuditMetrics extends Collector {
  private final LongSupplier queueDepth;
  private final LongSupplier spoolBytes;
  private final LongSupplier writeFailures;

  public AuditMetrics(LongSupplier queueDepth, LongSupplier spoolBytes, LongSupplier writeFailures) {
    this.queueDepth = queueDepth;
    this.spoolBytes = spoolBytes;
    this.writeFailures = writeFailures;
  }

  public AuditMetrics registerIn(CollectorRegistry registry) {
    registry.register(this);
    return this;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    return List.of(
        new GaugeMetricFamily("raftcache_audit_queue_depth", "Audit events waiting in memory for the database.",
            queueDepth.getAsLong()),
        new GaugeMetricFamily("raftcache_audit_spool_bytes",
            "Bytes of audit events spooled on disk until the database answers.", spoolBytes.getAsLong()),
        new CounterMetricFamily("raftcache_audit_write_failures_total",
            "Audit batches that could not be written to the database (they went to the spool).",
            writeFailures.getAsLong()));
  }
}
