package io.raftcache.node.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
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

  ManagedChannel channel() {
    return NettyChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(512 * 1024 * 1024).build();
  }
}
