package io.raftcache.node.cluster;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The internal node-to-node methods of partition traffic: a forwarded proposal (request
 * {@code [partition:4][command]}, response an encoded outcome), reads and tag removals for partitions the caller
 * does not host, leader lookups, and access hints. Plain bytes with the state machine's own codecs, so the public
 * contract carries nothing internal. Every request starts with the partition number.
 *
 * <p>A callee that cannot serve a partition (it does not host it, or does not lead it for a proposal) answers
 * FAILED_PRECONDITION, with the leader it knows in the {@link #LEADER_HINT} trailer: nothing was done, so the
 * caller may try elsewhere.
 */
final class ForwardingProtocol {
  static final String SERVICE = "raftcache.internal.v1.Forwarding";

  static final MethodDescriptor<byte[], byte[]> PROPOSE = bytesMethod("Propose");

  /** Keys read on a follower, for the leader's LRU ticks: partition, count, then length-prefixed keys. */
  static final MethodDescriptor<byte[], byte[]> ACCESSED = bytesMethod("Accessed");

  /**
   * Reads keys of a partition hosted by the callee: {@code [partition:4][consistency:4][count:4]{[len:4][key]}};
   * response {@code [served-by UTF][count:4]{[len:4][entry]}} with len -1 for a missing key and the entry in {@link
   * io.raftcache.node.storage.EntryCodec}'s layout.
   */
  static final MethodDescriptor<byte[], byte[]> READ = bytesMethod("Read");

  /**
   * The leader of a partition as a replica of it sees it: request {@code [partition:4]}; response
   * {@code [term:8][leader UTF][voterCount:4]{[raft address UTF]}}, the voters listed only when the callee leads.
   */
  static final MethodDescriptor<byte[], byte[]> LEADER = bytesMethod("Leader");

  /**
   * Removes a namespace's entries (with a tag, or all) from a partition hosted by the callee:
   * {@code [partition:4][namespace UTF][hasTag:1][tag UTF]}; response {@code [removed:8]}.
   */
  static final MethodDescriptor<byte[], byte[]> REMOVE = bytesMethod("Remove");

  /** Trailer naming (by node id) the leader the callee knows, on a FAILED_PRECONDITION. */
  static final io.grpc.Metadata.Key<String> LEADER_HINT =
      io.grpc.Metadata.Key.of("raftcache-internal-leader", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

  private static MethodDescriptor<byte[], byte[]> bytesMethod(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(new BytesMarshaller())
        .setResponseMarshaller(new BytesMarshaller())
        .build();
  }

  private ForwardingProtocol() {}

  static byte[] accessed(int partition, java.util.List<byte[]> keys) {
    return message(partition, out -> {
      out.writeInt(keys.size());
      for (byte[] key : keys) {
        out.writeInt(key.length);
        out.write(key);
      }
    });
  }

  /** The keys of an {@link #ACCESSED} request; at most {@code maxKeys}, each at most {@code maxKeyBytes}. */
  static java.util.List<byte[]> accessedKeys(byte[] request, int maxKeys, int maxKeyBytes) throws java.io.IOException {
    java.io.DataInputStream in = body(request);
    int n = in.readInt();
    if (n < 0 || n > maxKeys) {
      throw new java.io.IOException("bad key count " + n);
    }
    java.util.List<byte[]> keys = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int length = in.readInt();
      if (length < 1 || length > maxKeyBytes) {
        throw new java.io.IOException("bad key length " + length);
      }
      byte[] key = new byte[length];
      in.readFully(key);
      keys.add(key);
    }
    return keys;
  }

  /** A request: {@code [partition:4]} then whatever {@code body} writes. */
  static byte[] message(int partition, Body body) {
    return bytes(out -> {
      out.writeInt(partition);
      body.write(out);
    });
  }

  /** Whatever {@code body} writes (a response: no partition header). */
  static byte[] bytes(Body body) {
    java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(buffer)) {
      body.write(out);
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return buffer.toByteArray();
  }

  /** The body of a request after its partition number. */
  static java.io.DataInputStream body(byte[] request) {
    return new java.io.DataInputStream(new ByteArrayInputStream(request, 4, request.length - 4));
  }

  /** A response to read. */
  private static java.io.DataInputStream in(byte[] response) {
    return new java.io.DataInputStream(new ByteArrayInputStream(response));
  }

  /** Writes a message body. */
  @FunctionalInterface
  interface Body {
    void write(java.io.DataOutputStream out) throws IOException;
  }

  /** The most keys one {@link #READ} carries, and the longest key: far above what the public API allows. */
  static final int MAX_READ_KEYS = 100_000;
  static final int MAX_KEY_BYTES = 64 * 1024;

  /** A parsed {@link #READ} request. */
  record ReadRequest(int partition, io.raftcache.proto.v1.Consistency consistency, java.util.List<byte[]> keys) {}

  static byte[] readRequest(int partition, io.raftcache.proto.v1.Consistency consistency, java.util.List<byte[]> keys) {
    return message(partition, out -> {
      out.writeInt(consistency.getNumber());
      out.writeInt(keys.size());
      for (byte[] key : keys) {
        out.writeInt(key.length);
        out.write(key);
      }
    });
  }

  static ReadRequest parseRead(byte[] request) throws IOException {
    java.io.DataInputStream in = body(request);
    io.raftcache.proto.v1.Consistency consistency = io.raftcache.proto.v1.Consistency.forNumber(in.readInt());
    if (consistency == null || consistency == io.raftcache.proto.v1.Consistency.UNRECOGNIZED) {
      throw new IOException("unknown consistency");
    }
    int n = in.readInt();
    if (n < 1 || n > MAX_READ_KEYS) {
      throw new IOException("bad key count " + n);
    }
    java.util.List<byte[]> keys = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int length = in.readInt();
      if (length < 1 || length > MAX_KEY_BYTES) {
        throw new IOException("bad key length " + length);
      }
      byte[] key = new byte[length];
      in.readFully(key);
      keys.add(key);
    }
    return new ReadRequest(partitionOf(request), consistency, keys);
  }

  static byte[] readResponse(String servedBy, java.util.List<io.raftcache.node.storage.StoredEntry> entries) {
    return bytes(out -> {
      out.writeUTF(servedBy);
      out.writeInt(entries.size());
      for (io.raftcache.node.storage.StoredEntry entry : entries) {
        if (entry == null) {
          out.writeInt(-1);
        } else {
          byte[] encoded = io.raftcache.node.storage.EntryCodec.encode(entry);
          out.writeInt(encoded.length);
          out.write(encoded);
        }
      }
    });
  }

  static io.raftcache.node.partition.Partition.Served parseReadResponse(byte[] response, int expected) {
    try {
      java.io.DataInputStream in = in(response);
      String servedBy = in.readUTF();
      int n = in.readInt();
      if (n != expected) {
        throw new IOException("expected " + expected + " entries, got " + n);
      }
      java.util.List<io.raftcache.node.storage.StoredEntry> entries = new java.util.ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int length = in.readInt();
        if (length < 0) {
          entries.add(null);
        } else {
          byte[] bytes = new byte[length];
          in.readFully(bytes);
          entries.add(io.raftcache.node.storage.EntryCodec.decode(bytes));
        }
      }
      return new io.raftcache.node.partition.Partition.Served(servedBy, entries);
    } catch (IOException e) {
      throw new UncheckedIOException("malformed read response", e);
    }
  }

  /**
   * A partition's leader as one replica sees it.
   *
   * @param leader node id, or empty while the replica knows none
   * @param voters raft addresses of the voters, listed only by the leader itself (else empty)
   */
  record LeaderView(long term, String leader, java.util.Set<String> voters) {}

  static byte[] leaderResponse(LeaderView view) {
    return bytes(out -> {
      out.writeLong(view.term());
      out.writeUTF(view.leader());
      out.writeInt(view.voters().size());
      for (String voter : view.voters()) {
        out.writeUTF(voter);
      }
    });
  }

  static LeaderView parseLeader(byte[] response) {
    try {
      java.io.DataInputStream in = in(response);
      long term = in.readLong();
      String leader = in.readUTF();
      int n = in.readInt();
      java.util.Set<String> voters = new java.util.LinkedHashSet<>();
      for (int i = 0; i < n; i++) {
        voters.add(in.readUTF());
      }
      return new LeaderView(term, leader, voters);
    } catch (IOException e) {
      throw new UncheckedIOException("malformed leader response", e);
    }
  }

  /** A parsed {@link #REMOVE} request: a flush of the namespace when {@code tag} is null. */
  record RemoveRequest(int partition, String namespace, String tag) {}

  static byte[] removeRequest(int partition, String namespace, String tag) {
    return message(partition, out -> {
      out.writeUTF(namespace);
      out.writeBoolean(tag != null);
      out.writeUTF(tag == null ? "" : tag);
    });
  }

  static RemoveRequest parseRemove(byte[] request) throws IOException {
    java.io.DataInputStream in = body(request);
    String namespace = in.readUTF();
    boolean tagged = in.readBoolean();
    String tag = in.readUTF();
    return new RemoveRequest(partitionOf(request), namespace, tagged ? tag : null);
  }

  static byte[] removeResponse(long removed) {
    return bytes(out -> out.writeLong(removed));
  }

  static long parseRemoved(byte[] response) throws IOException {
    return in(response).readLong();
  }

  static byte[] request(int partition, byte[] command) {
    byte[] out = new byte[4 + command.length];
    out[0] = (byte) (partition >>> 24);
    out[1] = (byte) (partition >>> 16);
    out[2] = (byte) (partition >>> 8);
    out[3] = (byte) partition;
    System.arraycopy(command, 0, out, 4, command.length);
    return out;
  }

  static int partitionOf(byte[] request) {
    return ((request[0] & 0xff) << 24) | ((request[1] & 0xff) << 16) | ((request[2] & 0xff) << 8) | (request[3] & 0xff);
  }

  static byte[] commandOf(byte[] request) {
    return java.util.Arrays.copyOfRange(request, 4, request.length);
  }

  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
