package io.raftcache.node.raft;

import com.alipay.sofa.jraft.util.NamedThreadFactory;
import com.alipay.sofa.jraft.util.SPI;
import com.alipay.sofa.jraft.util.timer.DefaultRaftTimerFactory;
import com.alipay.sofa.jraft.util.timer.HashedWheelTimer;
import com.alipay.sofa.jraft.util.timer.Timer;
import java.util.concurrent.TimeUnit;

/**
 * jraft's timer factory with a coarse tick for the ReadIndex timeout scanner, found by jraft's service loader.
 *
 * <p>jraft creates that scanner once per JVM as a hashed wheel timer ticking every millisecond, whose thread wakes
 * a thousand times a second whether or not a read is waiting, to fail ReadIndex reads that took longer than two
 * seconds ({@code jraft.read-index.timeout}). Measured on an idle 3-node cluster (benchmarks.md, run 20) that was
 * about half of all the nodes' context switches. A 50 ms tick keeps the timeout's precision far below the timeout
 * itself and wakes the thread 20 times a second. Every other timer is jraft's own.
 */
@SPI(priority = 1)
public final class CoarseReadIndexTimerFactory extends DefaultRaftTimerFactory {
  /** The name jraft gives the scanner (ReadIndexClosure.TimeoutScanner). */
  static final String READ_INDEX_SCANNER = "read-index.timeout.scanner";
  static final long TICK_MILLIS = 50;
  /** Slots per wheel turn: 50 ms x 64 = 3.2 s, just over one timeout, so a timeout needs at most one round. */
  private static final int TICKS_PER_WHEEL = 64;

  @Override
  public Timer createTimer(String name) {
    if (READ_INDEX_SCANNER.equals(name)) {
      return new HashedWheelTimer(new NamedThreadFactory(name, true), TICK_MILLIS, TimeUnit.MILLISECONDS,
          TICKS_PER_WHEEL);
    }
    return super.createTimer(name);
  }
}
