package io.raftcache.node.security;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds how many audit rows a stream of refusals makes: per key (who was refused, and why), the first
 * {@code individualPerSecond} refusals of each second are audited one by one, and the rest of that second are
 * counted and audited as one summary row when the second is over. A flood of bad calls therefore costs the
 * audit trail a bounded number of rows a second, yet every refusal is counted.
 *
 * <p>Keys are bounded by the configuration (actors are token names, "anonymous" or "unknown-token"; reasons are
 * an enum), and idle keys are dropped by {@link #drainClosedWindows}.
 */
final class RefusalCoalescer {
  private static final long WINDOW_MILLIS = 1000;
  private final Clock clock;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  /** Refusals of one key within the current second. */
  private static final class Window {
    long startMillis;
    int individually;
    long counted;
    Summary last;
  }

  /**
   * What a summary row says: the refusals it counts, over which window, and the last one's particulars.
   *
   * @param action the audit action of the refusals (e.g. "auth.denied")
   * @param actor who was refused
   * @param namespace the last refused call's namespace, or null
   * @param method the last refused call's method
   * @param reason why they were refused
   * @param count how many refusals the row stands for
   */
  record Summary(String action, String actor, String namespace, String method, String reason, long count) {}

  RefusalCoalescer(Clock clock) {
    this.clock = clock;
  }

  /**
   * Counts one refusal; true if it should be audited on its own, false if a later summary row counts it.
   * A window that has closed is returned through {@code closed} (when not null) to be audited.
   */
  boolean admit(String key, int individualPerSecond, Summary refusal, List<Summary> closed) {
    long now = clock.millis();
    Window w = windows.computeIfAbsent(key, k -> new Window());
    synchronized (w) {
      if (w.last == null || now - w.startMillis >= WINDOW_MILLIS) {
        if (w.counted > 0 && closed != null) {
          closed.add(withCount(w.last, w.counted));
        }
        w.startMillis = now;
        w.individually = 0;
        w.counted = 0;
      }
      w.last = refusal;
      if (w.individually < individualPerSecond) {
        w.individually++;
        return true;
      }
      w.counted++;
      return false;
    }
  }

  /** The summaries of windows that have closed with refusals still uncounted; forgets keys idle for a window. */
  List<Summary> drainClosedWindows() {
    long now = clock.millis();
    List<Summary> out = new ArrayList<>();
    windows.entrySet().removeIf(entry -> {
      Window w = entry.getValue();
      synchronized (w) {
        if (now - w.startMillis < WINDOW_MILLIS) {
          return false;
        }
        if (w.counted > 0) {
          out.add(withCount(w.last, w.counted));
          w.counted = 0;
        }
        return now - w.startMillis >= 2 * WINDOW_MILLIS;
      }
    });
    return out;
  }

  private static Summary withCount(Summary s, long count) {
    return new Summary(s.action(), s.actor(), s.namespace(), s.method(), s.reason(), count);
  }
}
