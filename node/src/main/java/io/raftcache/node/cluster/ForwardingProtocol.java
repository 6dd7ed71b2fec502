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

  static final MethodDescriptor<byte[], byte[]> PROPOSE = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Propose"))
      .setRequestMarshaller(new BytesMarshaller())
      .setResponseMarshaller(new BytesMarshaller())
      .build();

  private ForwardingProtocol() {}

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
