package io.raftcache.node.audit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only, checksummed file of audit events waiting for the database, read back in the order written.
 *
 * <p>Each record is {@code [length:int][crc32c:int][event bytes]}. A record cut short by a crash, or one whose
 * checksum does not match, ends the readable part (logged); everything before it is intact, and opening the
 * spool cuts such a tail off so that events appended later are readable. The file is emptied
 * only after its events are stored, so a crash in between replays them, which the database's key absorbs.
 */
public final class AuditSpool {
  private static final Logger log = LoggerFactory.getLogger(AuditSpool.class);
  /** A record larger than this is damage, not an event (events are small). */
  private static final int MAX_RECORD_BYTES = 1 << 20;

  private final Path file;

  /** Opens the spool at {@code file}, cutting off a torn or damaged tail so that new events stay readable. */
  public AuditSpool(Path file) {
    this.file = file;
    try {
      if (Files.exists(file)) {
        long intact = read().bytes();
        long size = Files.size(file);
        if (intact < size) {
          try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(intact);
          }
          log.warn("audit spool {}: cut off {} unreadable bytes at its end", file, size - intact);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the audit spool " + file, e);
    }
  }

  /** Appends {@code events} and forces them to disk. */
  public synchronized void append(List<AuditEvent> events) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      for (AuditEvent event : events) {
        byte[] bytes = encode(event);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        ByteBuffer record = ByteBuffer.allocate(8 + bytes.length).putInt(bytes.length).putInt((int) crc.getValue()).put(bytes);
        record.flip();
        while (record.hasRemaining()) {
          channel.write(record);
        }
      }
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the audit spool " + file, e);
    }
  }

  /** What {@link #read} found: the events, oldest first, and how many bytes of the file they span. */
  public record Contents(List<AuditEvent> events, long bytes) {}

  /** Every intact event in the spool, oldest first. */
  public synchronized List<AuditEvent> readAll() {
    return read().events();
  }

  /** Every intact event in the spool and the length of the file they were read from. */
  public synchronized Contents read() {
    List<AuditEvent> events = new ArrayList<>();
    long consumed = 0;
    if (!Files.exists(file)) {
      return new Contents(events, 0);
    }
    try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
      while (true) {
        int length;
        try {
          length = in.readInt();
        } catch (EOFException end) {
          break;
        }
        int expected = in.readInt();
        if (length <= 0 || length > MAX_RECORD_BYTES) {
          log.error("audit spool {}: damaged record length {} after {} events; the rest is unreadable", file, length, events.size());
          break;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        if ((int) crc.getValue() != expected) {
          log.error("audit spool {}: checksum mismatch after {} events; the rest is unreadable", file, events.size());
          break;
        }
        events.add(decode(bytes));
        consumed += 8 + length;
      }
    } catch (EOFException cutShort) {
      log.warn("audit spool {}: the last record was cut short (a crash while appending); {} events read", file, events.size());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit spool " + file, e);
    }
    return new Contents(events, consumed);
  }

  /**
   * Removes the first {@code bytes} of the spool (events that are now stored), keeping anything appended since
   * they were read: the rest is copied to a new file that atomically replaces the old one.
   */
  public synchronized void removeFirst(long bytes) {
    try {
      long size = Files.exists(file) ? Files.size(file) : 0;
      if (bytes >= size) {
        Files.deleteIfExists(file);
        return;
      }
      Path rest = file.resolveSibling(file.getFileName() + ".rest");
      try (FileChannel from = FileChannel.open(file, StandardOpenOption.READ);
          FileChannel to = FileChannel.open(rest, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        long position = bytes;
        while (position < size) {
          position += from.transferTo(position, size - position, to);
        }
        to.force(false);
      }
      Files.move(rest, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot trim the audit spool " + file, e);
    }
  }

  /** Empties the spool. */
  public synchronized void clear() {
    removeFirst(Long.MAX_VALUE);
  }

  /** Bytes waiting in the spool. */
  public long bytes() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  static byte[] encode(AuditEvent e) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeLong(e.eventId().getMostSignificantBits());
      out.writeLong(e.eventId().getLeastSignificantBits());
      out.writeLong(e.occurredAt().getEpochSecond());
      out.writeInt(e.occurredAt().getNano());
      for (String s : new String[] {e.actor(), e.action(), e.namespace(), e.target(), e.outcome(), e.nodeId(),
          e.requestId(), e.detailJson()}) {
        out.writeBoolean(s != null);
        if (s != null) {
          out.writeUTF(s);
        }
      }
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return buffer.toByteArray();
  }

  static AuditEvent decode(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
    UUID id = new UUID(in.readLong(), in.readLong());
    Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
    String[] s = new String[8];
    for (int i = 0; i < s.length; i++) {
      s[i] = in.readBoolean() ? in.readUTF() : null;
    }
    return new AuditEvent(id, at, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
  }
}
