package io.raftcache.node.partition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Hands out a single node's log indexes (entry versions) so they keep rising across restarts.
 *
 * <p>Indexes are reserved in blocks: before handing out an index above the reserved ceiling, the new ceiling is
 * written to a small file. After a restart, numbering resumes above the last ceiling, so a version is never
 * reused even if the entry that carried it was deleted. The file is written, not fsynced: a process kill keeps
 * it (the page cache survives), a power loss may not, which matches a cache whose data is also in the page cache.
 */
final class ReservedIndexSequence implements AutoCloseable {
  private static final long BLOCK = 4096;

  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES);
  private long last;
  private long ceiling;

  ReservedIndexSequence(Path file) {
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      if (channel.size() >= Long.BYTES) {
        channel.read(buffer, 0);
        ceiling = buffer.flip().getLong();
      }
      last = ceiling;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open index sequence " + file, e);
    }
  }

  /** Returns the next index; callers serialize calls. */
  long next() {
    if (last == ceiling) {
      reserve(ceiling + BLOCK);
    }
    return ++last;
  }

  private void reserve(long newCeiling) {
    try {
      buffer.clear().putLong(newCeiling).flip();
      channel.write(buffer, 0);
      ceiling = newCeiling;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reserve log indexes", e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
