package io.raftcache.node.cli;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.raftcache.proto.RaftCacheMetadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options shared by the commands that talk to a running node. */
final class ClientOptions {
  @Option(names = {"-t", "--target"}, defaultValue = "127.0.0.1:7070",
      description = "host:port of any node (default: ${DEFAULT-VALUE}; env RAFTCACHE_TARGET).")
  String target;

  @Option(names = {"-n", "--namespace"}, defaultValue = "default",
      description = "Namespace of the key (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--deadline", defaultValue = "5s", converter = DurationConverter.class,
      description = "How long to wait for the node (default: ${DEFAULT-VALUE}).")
  Duration deadline;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "API token sent as 'authorization: Bearer' (env RAFTCACHE_TOKEN); not needed with --auth open.")
  String token;

  @Option(names = "--tls-ca", paramLabel = "PEM",
      description = "Connect with TLS, trusting this CA certificate (the node's --tls-ca); default plaintext.")
  Path tlsCa;

  ManagedChannel channel() {
    NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target).maxInboundMessageSize(512 * 1024 * 1024);
    if (token != null && !token.isBlank()) {
      Metadata headers = new Metadata();
      headers.put(RaftCacheMetadata.AUTHORIZATION, "Bearer " + token.trim());
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    if (tlsCa == null) {
      builder.usePlaintext();
    } else {
      if (!Files.isRegularFile(tlsCa) || !Files.isReadable(tlsCa)) {
        throw new IllegalArgumentException("--tls-ca " + tlsCa + ": no such readable file");
      }
      try {
        builder.sslContext(GrpcSslContexts.forClient().trustManager(tlsCa.toFile()).build());
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("--tls-ca " + tlsCa + ": not a PEM CA certificate (" + e.getMessage() + ")", e);
      }
    }
    return builder.build();
  }
}
