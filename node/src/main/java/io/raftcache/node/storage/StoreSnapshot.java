package io.raftcache.node.storage;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Writes a partition store to one file and loads it back: the unit of snapshot install for a lagging or new
 * replica.
 *
 * <pre>
 * "RCSNAP01" {[keyLength:4][key][valueLength:4][encoded value]}* [-1:4][entryCount:8][crc32c:8]
 * </pre>
 *
 * The checksum covers everything before it. {@link #load} verifies the whole file before it touches the store,
 * so a truncated or corrupted snapshot leaves the store as it was. Files are written to a temporary name and
 * renamed, so a crash mid-write never leaves a half snapshot under the final name.
 */
public final class StoreSnapshot {
  private static final byte[] MAGIC = "RCSNAP01".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final int END = -1;
  /** Larger than any key plus any value the node accepts, so a corrupt length is caught before allocating. */
  private static final int MAX_RECORD_BYTES = 512 * 1024 * 1024;

  private StoreSnapshot() {}

  /** Writes every entry of {@code store} to {@code file}; returns the number of entries written. */
  public static long write(PartitionStore store, Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    CRC32C crc = new CRC32C();
    long[] count = {0};
    try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc))) {
      out.write(MAGIC);
      IOException[] failure = {null};
      store.scanAll((key, meta, size) -> {
        StoredEntry entry = store.get(key);
        if (entry == null || failure[0] != null) {
          return;
        }
        byte[] value = EntryCodec.encode(entry);
        try {
          out.writeInt(key.length);
          out.write(key);
          out.writeInt(value.length);
          out.write(value);
          count[0]++;
        } catch (IOException e) {
          failure[0] = e;
        }
      });
      if (failure[0] != null) {
        throw failure[0];
      }
      out.writeInt(END);
      out.writeLong(count[0]);
      out.flush();
      new DataOutputStream(raw).writeLong(crc.getValue());
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return count[0];
  }

  /**
   * Replaces the contents of {@code store} with the snapshot in {@code file}; returns the number of entries.
   *
   * @throws IOException if the file is not a complete, intact snapshot (the store is then unchanged)
   */
  public static long load(Path file, PartitionStore store) throws IOException {
    long entries = read(file, null);
    store.clear();
    read(file, store);
    return entries;
  }

  /** Reads and verifies {@code file}, putting its entries into {@code target} when it is not null. */
  private static long read(Path file, PartitionStore target) throws IOException {
    CRC32C crc = new CRC32C();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc))) {
      byte[] magic = in.readNBytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + " is not a raftcache partition snapshot");
      }
      long count = 0;
      for (int keyLength = in.readInt(); keyLength != END; keyLength = in.readInt()) {
        byte[] key = readRecord(in, keyLength, file);
        byte[] value = readRecord(in, in.readInt(), file);
        if (target != null) {
          target.put(key, EntryCodec.decode(value));
        }
        count++;
      }
      long declared = in.readLong();
      long expectedCrc = crc.getValue();
      long storedCrc = new DataInputStream(raw).readLong();
      if (declared != count || storedCrc != expectedCrc) {
        throw new IOException(file + " is corrupt: checksum or entry count does not match");
      }
      return count;
    } catch (EOFException e) {
      throw new IOException(file + " is truncated", e);
    }
  }

  private static byte[] readRecord(DataInputStream in, int length, Path file) throws IOException {
    if (length < 0 || length > MAX_RECORD_BYTES) {
      throw new IOException(file + " is corrupt: record length " + length);
    }
    return in.readNBytes(length);
  }
}
