package io.raftcache.node.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import io.prometheus.client.hotspot.DefaultExports;
import java.util.List;
import java.util.function.Supplier;

/** The node's Prometheus metrics, registered in a registry of its own (never the global default). */
public final class NodeMetrics {
  private final CollectorRegistry registry = new CollectorRegistry(true);

  private final Counter requests = Counter.build()
      .name("raftcache_requests_total").help("gRPC requests by method and status code.")
      .labelNames("op", "code").register(registry);
  private final Histogram requestSeconds = Histogram.build()
      .name("raftcache_request_seconds").help("gRPC request latency by method.")
      .labelNames("op")
      .buckets(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
      .register(registry);
  private final Counter hits = Counter.build()
      .name("raftcache_hits_total").help("Reads that found a live entry.").register(registry);
  private final Counter misses = Counter.build()
      .name("raftcache_misses_total").help("Reads that found no live entry.").register(registry);
  private final Counter evictions = Counter.build()
      .name("raftcache_evictions_total").help("Entries removed to stay within the memory budget.").register(registry);
  private final Counter expirations = Counter.build()
      .name("raftcache_expirations_total").help("Entries removed because their time to live ran out.")
      .register(registry);

  /**
   * Creates the metrics; {@code storeStats} is sampled at every scrape for the size gauges.
   *
   * @param jvmMetrics also export the JVM's (memory, GC, threads); off in tests that build many nodes
   */
  public NodeMetrics(Supplier<StoreStats> storeStats, boolean jvmMetrics) {
    new StoreGauges(storeStats).register(registry);
    if (jvmMetrics) {
      DefaultExports.register(registry);
    }
  }

  /** The registry to expose on /metrics. */
  public CollectorRegistry registry() {
    return registry;
  }

  /** Records one finished gRPC call. */
  public void request(String op, String code, double seconds) {
    requests.labels(op, code).inc();
    requestSeconds.labels(op).observe(seconds);
  }

  public void hit() {
    hits.inc();
  }

  public void miss() {
    misses.inc();
  }

  public void evicted(int count) {
    evictions.inc(count);
  }

  public void expired(int count) {
    expirations.inc(count);
  }

  public long hits() {
    return (long) hits.get();
  }

  public long misses() {
    return (long) misses.get();
  }

  public long evictions() {
    return (long) evictions.get();
  }

  public long expirations() {
    return (long) expirations.get();
  }

  /** Size gauges computed at scrape time from the stores themselves, so they cannot drift. */
  private static final class StoreGauges extends Collector {
    private final Supplier<StoreStats> stats;

    StoreGauges(Supplier<StoreStats> stats) {
      this.stats = stats;
    }

    @Override
    public List<MetricFamilySamples> collect() {
      StoreStats s = stats.get();
      return List.of(
          gauge("raftcache_partitions", "Partitions hosted by this node.", s.partitions()),
          gauge("raftcache_entries", "Entries stored, including expired ones not yet swept.", s.entries()),
          gauge("raftcache_stored_bytes", "Key plus encoded value bytes stored.", s.storedBytes()),
          gauge("raftcache_offheap_bytes", "Off-heap bytes mapped by Chronicle Map.", s.offHeapBytes()),
          gauge("raftcache_memory_budget_bytes", "The node's memory budget (--max-memory).", s.budgetBytes()));
    }

    private static MetricFamilySamples gauge(String name, String help, double value) {
      return new GaugeMetricFamily(name, help, value);
    }
  }
}
