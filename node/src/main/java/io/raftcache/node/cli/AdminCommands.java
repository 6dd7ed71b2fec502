package io.raftcache.node.cli;

import io.raftcache.proto.v1.NamespaceInfo;
import io.raftcache.proto.v1.SetNamespaceRequest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code raftcache admin ...}: configuration changes, stored in the cluster's PostgreSQL. */
@Command(name = "admin", mixinStandardHelpOptions = true, subcommands = AdminCommands.Namespace.class,
    description = "Changes the cluster's configuration (stored in PostgreSQL; every node follows it).")
final class AdminCommands {

  @Command(name = "namespace", mixinStandardHelpOptions = true,
      description = {"Creates or changes a namespace's default TTL (recorded in config_history and the audit trail).",
          "Needs a node started with --postgres-url."})
  static final class Namespace implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", description = "The namespace.") String name;
    @Option(names = "--ttl", required = true, converter = DurationConverter.class,
        description = "Default time to live of entries written without one, e.g. 30m; 0 never expires.")
    Duration ttl;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      return ClientCommands.withChannel(options, channel -> {
        NamespaceInfo info = ClientCommands.admin(channel, options)
            .setNamespace(SetNamespaceRequest.newBuilder().setName(name).setDefaultTtlMs(ttl.toMillis()).build());
        out.println("namespace " + info.getName() + ": default TTL "
            + (info.getDefaultTtlMs() == 0 ? "none" : Duration.ofMillis(info.getDefaultTtlMs()).toString()));
        return 0;
      });
    }
  }
}
