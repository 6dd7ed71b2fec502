package io.raftcache.node.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Picks free loopback ports for servers that tests start. */
public final class FreePorts {
  private FreePorts() {}

  /** A port that was free a moment ago. */
  public static int next() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
