package io.raftcache.node.cluster;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The internal node-to-node method that carries a forwarded proposal: request {@code [partition:4][command]},
 * response an encoded outcome. Plain bytes with the state machine's own codecs, so the public contract carries
 * nothing internal.
 */
final class ForwardingProtocol {
  static final String SERVICE = "raftcache.internal.v1.Forwarding";

  static final MethodDescriptor<byte[], byte[]> PROPOSE = bytesMethod("Propose");

  /** Keys read on a follower, for the leader's LRU ticks: partition, count, then length-prefixed keys. */
  static final MethodDescriptor<byte[], byte[]> ACCESSED = bytesMethod("Accessed");

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
    java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(buffer)) {
      out.writeInt(partition);
      out.writeInt(keys.size());
      for (byte[] key : keys) {
        out.writeInt(key.length);
        out.write(key);
      }
    } catch (java.io.IOException impossible) {
      throw new java.io.UncheckedIOException(impossible);
    }
    return buffer.toByteArray();
  }

  /** The keys of an {@link #ACCESSED} request; at most {@code maxKeys}, each at most {@code maxKeyBytes}. */
  static java.util.List<byte[]> accessedKeys(byte[] request, int maxKeys, int maxKeyBytes) throws java.io.IOException {
    java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(request, 4, request.length - 4));
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
