package io.raftcache.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Collections and collection time this JVM's garbage collectors reported so far.
 *
 * <p>The load generators print the difference over their measured window, because their own pauses land in the
 * latencies they record: on a machine shared with the cluster a young pause of a generator can be tens of ms.
 *
 * @param collections collections started, summed over the collectors
 * @param millis approximate accumulated collection time, summed over the collectors
 */
record GcTime(long collections, long millis) {
  /** No collections: what a window that never started measured. */
  static final GcTime NONE = new GcTime(0, 0);

  /** What the collectors report now; a collector that cannot tell (-1) counts as zero. */
  static GcTime now() {
    long collections = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      collections += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new GcTime(collections, millis);
  }

  /** The collections and time between {@code earlier} and this. */
  GcTime since(GcTime earlier) {
    return new GcTime(collections - earlier.collections, millis - earlier.millis);
  }

  /** "gc=N/Mms", as the load lines print it. */
  String format() {
    return String.format(Locale.ROOT, "gc=%d/%dms", collections, millis);
  }
}
