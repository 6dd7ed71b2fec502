package io.raftcache.node.statemachine;

import io.raftcache.proto.v1.ErrorReason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The binary form of outcomes, for answering a proposal that another node forwarded. */
public final class OutcomeCodec {
  private OutcomeCodec() {}

  /** Encodes {@code outcome}. */
  public static byte[] encode(Outcome outcome) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      write(outcome, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  private static void write(Outcome outcome, DataOutputStream out) throws IOException {
    if (outcome instanceof Outcome.Written w) {
      out.writeByte(1);
      out.writeLong(w.version());
      out.writeLong(w.expireAtMillis());
    } else if (outcome instanceof Outcome.Unchanged u) {
      out.writeByte(2);
      out.writeLong(u.version());
      out.writeLong(u.expireAtMillis());
      out.writeInt(u.currentValue().length);
      out.write(u.currentValue());
    } else if (outcome instanceof Outcome.Deleted d) {
      out.writeByte(3);
      out.writeLong(d.version());
    } else if (outcome instanceof Outcome.Absent) {
      out.writeByte(4);
    } else if (outcome instanceof Outcome.Touched t) {
      out.writeByte(5);
      out.writeLong(t.version());
      out.writeLong(t.expireAtMillis());
    } else if (outcome instanceof Outcome.Incremented i) {
      out.writeByte(6);
      out.writeLong(i.value());
      out.writeLong(i.version());
      out.writeLong(i.expireAtMillis());
    } else if (outcome instanceof Outcome.Removed r) {
      out.writeByte(7);
      out.writeByte(r.cause().ordinal());
      out.writeInt(r.count());
    } else if (outcome instanceof Outcome.Rejected r) {
      out.writeByte(8);
      out.writeInt(r.reason().getNumber());
      out.writeUTF(r.message());
    } else if (outcome instanceof Outcome.Batch b) {
      out.writeByte(9);
      out.writeInt(b.outcomes().size());
      for (Outcome each : b.outcomes()) {
        write(each, out);
      }
    }
  }

  /** Decodes an outcome written by {@link #encode}. */
  public static Outcome decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return read(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed outcome", e);
    }
  }

  private static Outcome read(DataInputStream in) throws IOException {
    byte type = in.readByte();
    return switch (type) {
      case 1 -> new Outcome.Written(in.readLong(), in.readLong());
      case 2 -> new Outcome.Unchanged(in.readLong(), in.readLong(), in.readNBytes(in.readInt()));
      case 3 -> new Outcome.Deleted(in.readLong());
      case 4 -> new Outcome.Absent();
      case 5 -> new Outcome.Touched(in.readLong(), in.readLong());
      case 6 -> new Outcome.Incremented(in.readLong(), in.readLong(), in.readLong());
      case 7 -> new Outcome.Removed(RemoveBatch.Cause.values()[in.readByte()], in.readInt());
      case 8 -> new Outcome.Rejected(ErrorReason.forNumber(in.readInt()), in.readUTF());
      case 9 -> {
        int n = in.readInt();
        if (n < 0 || n > WriteBatch.MAX_WRITES) {
          throw new IOException("bad outcome count " + n);
        }
        List<Outcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          outcomes.add(read(in));
        }
        yield new Outcome.Batch(outcomes);
      }
      default -> throw new IllegalArgumentException("unknown outcome type " + type);
    };
  }
}
