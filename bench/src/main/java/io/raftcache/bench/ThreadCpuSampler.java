package io.raftcache.bench;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A sampler of every thread's run time on the machine (kernel threads included) that reports the short windows in
 * which some thread ran for long.
 *
 * <pre>
 * java -cp bench/target/raftcache-bench.jar io.raftcache.bench.ThreadCpuSampler \
 *   --interval-ms 20 --duration 30 --min-ms 5 --out busy.csv
 * </pre>
 *
 * It reads {@code /proc/<pid>/task/<tid>/schedstat} (nanoseconds on a CPU) every interval and writes one CSV row
 * per thread that ran at least {@code --min-ms} in that interval, with the wall-clock time, so the rows join with
 * {@link SlowCalls}'s CSV. On two cores a 20 ms window holds 40 ms of CPU: a thread using 15-25 ms of it is what
 * stalls everything else. Run 22 found the VM's DAMON thread {@code kdamond.0} this way. Reading a few hundred
 * small files per interval costs the sampler itself some CPU, which it reports as any other thread's.
 */
public final class ThreadCpuSampler {
  /** One thread's run time in one window. */
  record Busy(long epochMillis, int pid, String process, int tid, String thread, double cpuMillis) {}

  private record Tid(int pid, int tid) {}

  private final File proc;
  private final long minNanos;
  private final byte[] buffer = new byte[256];
  private Map<Tid, Long> last = new HashMap<>();
  private final Map<Tid, String> names = new HashMap<>();

  /**
   * @param proc the proc file system's root ({@code /proc}; tests pass a directory laid out like it)
   * @param minMillis threads that ran less than this in a window are not reported
   */
  ThreadCpuSampler(Path proc, double minMillis) {
    this.proc = proc.toFile();
    this.minNanos = (long) (minMillis * 1e6);
  }

  /**
   * Reads every thread's run time and returns the threads that ran at least the minimum since the previous call
   * (none on the first call, which only sets the baseline). Threads that ended are forgotten.
   */
  List<Busy> sample(long epochMillis) {
    // java.io and one reused buffer rather than Files.readString: a sample reads several hundred files, and the
    // NIO path cost ~25 us per file, so the sampler took more than its own 20 ms window (seen on 774 threads).
    Map<Tid, Long> now = new HashMap<>(Math.max(16, last.size() * 2));
    List<Busy> busy = new ArrayList<>();
    String[] pids = proc.list();
    if (pids == null) {
      throw new UncheckedIOException(new IOException("cannot list " + proc));
    }
    for (String pidName : pids) {
      if (!isNumber(pidName)) {
        continue;
      }
      int pid = Integer.parseInt(pidName);
      String pidDir = proc.getPath() + "/" + pidName;
      String[] tids = new File(pidDir + "/task").list();
      if (tids == null) {
        continue; // the process ended while it was being read
      }
      for (String tidName : tids) {
        if (!isNumber(tidName)) {
          continue;
        }
        Tid id = new Tid(pid, Integer.parseInt(tidName));
        String tidDir = pidDir + "/task/" + tidName;
        long runNanos = runNanos(tidDir + "/schedstat");
        if (runNanos < 0) {
          continue;
        }
        now.put(id, runNanos);
        Long before = last.get(id);
        if (before != null && runNanos - before >= minNanos) {
          busy.add(new Busy(epochMillis, pid, name(pidDir + "/comm"), id.tid(),
              names.computeIfAbsent(id, k -> name(tidDir + "/comm")), (runNanos - before) / 1e6));
        }
      }
    }
    names.keySet().retainAll(now.keySet());
    last = now;
    return busy;
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** The first field of a schedstat file, or -1 if the thread is gone. */
  private long runNanos(String schedstat) {
    int n = read(schedstat);
    long v = 0;
    int i = 0;
    for (; i < n && buffer[i] >= '0' && buffer[i] <= '9'; i++) {
      v = v * 10 + (buffer[i] - '0');
    }
    return i == 0 ? -1 : v;
  }

  private String name(String comm) {
    int n = read(comm);
    return n <= 0 ? "?" : new String(buffer, 0, n, StandardCharsets.UTF_8).trim().replace(',', ' ');
  }

  /** Reads the start of a small file into the buffer; returns the bytes read, or -1 if it cannot be read. */
  private int read(String file) {
    try (FileInputStream in = new FileInputStream(file)) {
      return in.read(buffer);
    } catch (IOException e) {
      return -1;
    }
  }

  public static void main(String[] args) throws Exception {
    long intervalMs = 20;
    double durationS = 30;
    double minMs = 5;
    Path out = null;
    Path proc = Path.of("/proc");
    try {
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + args[i]);
        }
        String v = args[i + 1];
        switch (args[i]) {
          case "--interval-ms" -> intervalMs = Long.parseLong(v);
          case "--duration" -> durationS = Double.parseDouble(v);
          case "--min-ms" -> minMs = Double.parseDouble(v);
          case "--out" -> out = Path.of(v);
          case "--proc" -> proc = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (out == null || intervalMs < 1 || !(durationS > 0) || !(minMs >= 0)) {
        throw new IllegalArgumentException("--out is required; interval, duration and min-ms must be positive");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println("usage: ThreadCpuSampler --out FILE [--interval-ms 20] [--duration 30] [--min-ms 5]");
      System.exit(2);
    }
    ThreadCpuSampler sampler = new ThreadCpuSampler(proc, minMs);
    Map<String, double[]> byThread = new HashMap<>(); // "process/thread" -> {windows, cpu ms}
    long windows = 0;
    long overrun = 0;
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    long next = System.nanoTime();
    long end = next + (long) (durationS * 1e9);
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
      w.println("epoch_ms,pid,process,tid,thread,cpu_ms");
      sampler.sample(System.currentTimeMillis());
      while ((next += intervalNanos) < end) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        } else {
          overrun++; // a window longer than asked: its rows hold more than one interval's run time
        }
        windows++;
        for (Busy b : sampler.sample(System.currentTimeMillis())) {
          w.printf(Locale.ROOT, "%d,%d,%s,%d,%s,%.1f%n", b.epochMillis(), b.pid(), b.process(), b.tid(), b.thread(),
              b.cpuMillis());
          double[] t = byThread.computeIfAbsent(b.process() + "/" + b.thread(), k -> new double[2]);
          t[0]++;
          t[1] += b.cpuMillis();
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d windows of %d ms (%d overran); threads that ran >= %.1f ms in a window, by"
        + " windows:%n", windows, intervalMs, overrun, minMs);
    byThread.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).limit(15)
        .forEach(e -> System.out.printf(Locale.ROOT, "  %-40s %6.0f windows, %8.1f ms%n", e.getKey(), e.getValue()[0],
            e.getValue()[1]));
    System.out.println("rows written to " + out);
  }
}
