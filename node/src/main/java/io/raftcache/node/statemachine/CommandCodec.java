package io.raftcache.node.statemachine;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of commands in the raft log and on the forwarding wire.
 *
 * <p>One type byte, then the command's fields in declaration order (big-endian integers, length-prefixed byte
 * arrays and UTF-8 strings). The format is part of the log, so a field is only ever appended under a new type
 * byte, never changed.
 */
public final class CommandCodec implements CommandHandler<Void> {
  private static final byte PUT = 1;
  private static final byte DELETE = 2;
  private static final byte TOUCH = 3;
  private static final byte INCREMENT = 4;
  private static final byte COMPARE_AND_SET = 5;
  private static final byte REMOVE_BATCH = 6;
  private static final byte WRITE_BATCH = 7;
  private static final byte COMMAND_BATCH = 8;
  private static final byte BATCH_SET = 1;
  private static final byte BATCH_REMOVE = 2;

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
  private final DataOutputStream out = new DataOutputStream(buffer);

  private CommandCodec() {}

  /** Encodes {@code command}. */
  public static byte[] encode(Command command) {
    CommandCodec codec = new CommandCodec();
    command.dispatch(codec, 0);
    return codec.buffer.toByteArray();
  }

  /** Decodes a command written by {@link #encode}. */
  public static Command decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
      byte type = in.readByte();
      return switch (type) {
        case PUT -> new Put(bytes(in), bytes(in), in.readLong(), strings(in), in.readBoolean(), in.readLong(), in.readLong());
        case DELETE -> new Delete(bytes(in), in.readLong(), in.readLong());
        case TOUCH -> new Touch(bytes(in), in.readLong(), in.readLong());
        case INCREMENT -> new Increment(bytes(in), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        case COMPARE_AND_SET -> new CompareAndSet(bytes(in), bytes(in), in.readBoolean(), bytes(in), in.readLong(),
            strings(in), in.readLong());
        case REMOVE_BATCH -> {
          RemoveBatch.Cause cause = RemoveBatch.Cause.values()[in.readByte()];
          int n = in.readInt();
          List<RemoveBatch.VersionedKey> entries = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            entries.add(new RemoveBatch.VersionedKey(bytes(in), in.readLong()));
          }
          yield new RemoveBatch(cause, entries, in.readLong());
        }
        case WRITE_BATCH -> writeBatch(in);
        case COMMAND_BATCH -> commandBatch(in);
        default -> throw new IllegalArgumentException("unknown command type " + type);
      };
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed command", e);
    }
  }

  /**
   * The entry of a {@link CommandBatch} whose commands are already encoded (each by {@link #encode}), without
   * decoding and encoding them again: what a leader that merges waiting proposals writes.
   */
  public static byte[] encodeBatch(List<byte[]> encodedCommands) {
    int size = 5;
    for (byte[] c : encodedCommands) {
      size += 4 + c.length;
    }
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
    out.put(COMMAND_BATCH).putInt(encodedCommands.size());
    for (byte[] c : encodedCommands) {
      out.putInt(c.length).put(c);
    }
    return out.array();
  }

  private static CommandBatch commandBatch(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 2 || n > CommandBatch.MAX_COMMANDS) {
      throw new IOException("bad command count " + n);
    }
    List<Command> commands = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] encoded = bytes(in);
      if (encoded.length > 0 && encoded[0] == COMMAND_BATCH) {
        throw new IOException("a command batch inside a command batch");
      }
      commands.add(decode(encoded));
    }
    return new CommandBatch(commands);
  }

  private static WriteBatch writeBatch(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 1 || n > WriteBatch.MAX_WRITES) {
      throw new IOException("bad write count " + n);
    }
    List<WriteBatch.Write> writes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte kind = in.readByte();
      writes.add(switch (kind) {
        case BATCH_SET -> new WriteBatch.SetValue(bytes(in), bytes(in), in.readLong(), strings(in));
        case BATCH_REMOVE -> new WriteBatch.RemoveKey(bytes(in));
        default -> throw new IOException("unknown write kind " + kind);
      });
    }
    return new WriteBatch(writes, in.readLong());
  }

  private static byte[] bytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("bad length " + n);
    }
    return in.readNBytes(n);
  }

  private static List<String> strings(DataInputStream in) throws IOException {
    int n = in.readUnsignedByte();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new String(bytes(in), StandardCharsets.UTF_8));
    }
    return out;
  }

  private void bytes(byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private void strings(List<String> s) throws IOException {
    out.writeByte(s.size());
    for (String v : s) {
      bytes(v.getBytes(StandardCharsets.UTF_8));
    }
  }

  private Void write(IoBody body) {
    try {
      body.run();
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FunctionalInterface
  private interface IoBody {
    void run() throws IOException;
  }

  @Override
  public Void put(long index, Put c) {
    return write(() -> {
      out.writeByte(PUT);
      bytes(c.key());
      bytes(c.value());
      out.writeLong(c.expireAtMillis());
      strings(c.tags());
      out.writeBoolean(c.ifAbsent());
      out.writeLong(c.ifVersion());
      out.writeLong(c.proposedAtMillis());
    });
  }

  @Override
  public Void delete(long index, Delete c) {
    return write(() -> {
      out.writeByte(DELETE);
      bytes(c.key());
      out.writeLong(c.ifVersion());
      out.writeLong(c.proposedAtMillis());
    });
  }

  @Override
  public Void touch(long index, Touch c) {
    return write(() -> {
      out.writeByte(TOUCH);
      bytes(c.key());
      out.writeLong(c.expireAtMillis());
      out.writeLong(c.proposedAtMillis());
    });
  }

  @Override
  public Void increment(long index, Increment c) {
    return write(() -> {
      out.writeByte(INCREMENT);
      bytes(c.key());
      out.writeLong(c.delta());
      out.writeLong(c.initial());
      out.writeLong(c.expireAtIfCreated());
      out.writeLong(c.proposedAtMillis());
    });
  }

  @Override
  public Void compareAndSet(long index, CompareAndSet c) {
    return write(() -> {
      out.writeByte(COMPARE_AND_SET);
      bytes(c.key());
      bytes(c.expectedValue());
      out.writeBoolean(c.expectAbsent());
      bytes(c.newValue());
      out.writeLong(c.expireAtMillis());
      strings(c.tags());
      out.writeLong(c.proposedAtMillis());
    });
  }

  @Override
  public Void removeBatch(long index, RemoveBatch c) {
    return write(() -> {
      out.writeByte(REMOVE_BATCH);
      out.writeByte(c.cause().ordinal());
      out.writeInt(c.entries().size());
      for (RemoveBatch.VersionedKey k : c.entries()) {
        bytes(k.key());
        out.writeLong(k.version());
      }
      out.writeLong(c.proposedAtMillis());
    });
  }

  @Override
  public Void commandBatch(long index, CommandBatch c) {
    return write(() -> {
      out.writeByte(COMMAND_BATCH);
      out.writeInt(c.commands().size());
      for (Command each : c.commands()) {
        bytes(encode(each));
      }
    });
  }

  @Override
  public Void writeBatch(long index, WriteBatch c) {
    return write(() -> {
      out.writeByte(WRITE_BATCH);
      out.writeInt(c.writes().size());
      for (WriteBatch.Write w : c.writes()) {
        if (w instanceof WriteBatch.SetValue set) {
          out.writeByte(BATCH_SET);
          bytes(set.key());
          bytes(set.value());
          out.writeLong(set.expireAtMillis());
          strings(set.tags());
        } else {
          out.writeByte(BATCH_REMOVE);
          bytes(w.key());
        }
      }
      out.writeLong(c.proposedAtMillis());
    });
  }
}
