package io.raftcache.node.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.TextFormat;
import io.grpc.ManagedChannel;
import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.CacheGrpc;
import io.raftcache.proto.v1.DeleteRequest;
import io.raftcache.proto.v1.DeleteResponse;
import io.raftcache.proto.v1.GetRequest;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.GetStatsRequest;
import io.raftcache.proto.v1.RemoveNodeRequest;
import io.raftcache.proto.v1.RemoveNodeResponse;
import io.raftcache.proto.v1.SetRequest;
import io.raftcache.proto.v1.SetResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that talk to a running node through the generated gRPC stubs. */
final class ClientCommands {
  private ClientCommands() {}

  /** Runs {@code body} with a blocking stub bound to the target, closing the channel afterwards. */
  static int withChannel(ClientOptions options, ChannelBody body) throws Exception {
    ManagedChannel channel = options.channel();
    try {
      return body.run(channel);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @FunctionalInterface
  interface ChannelBody {
    int run(ManagedChannel channel) throws Exception;
  }

  private static CacheGrpc.CacheBlockingStub cache(ManagedChannel channel, ClientOptions options) {
    return CacheGrpc.newBlockingStub(channel).withDeadlineAfter(options.deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  static AdminGrpc.AdminBlockingStub admin(ManagedChannel channel, ClientOptions options) {
    return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(options.deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String ttl(long ttlRemainingMs) {
    return ttlRemainingMs < 0 ? "never expires" : "expires in " + Duration.ofMillis(ttlRemainingMs);
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Prints a key's value on stdout; exits 1 on a miss.")
  static final class Get implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", description = "The key (UTF-8).") String key;
    @Option(names = {"-v", "--verbose"}, description = "Also print version, TTL, tags and serving node on stderr.")
    boolean verbose;
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
      return withChannel(options, channel -> {
        GetResponse r = cache(channel, options).get(GetRequest.newBuilder()
            .setNamespace(options.namespace).setKey(ByteString.copyFromUtf8(key)).build());
        if (!r.getFound()) {
          err.println("(miss)");
          return 1;
        }
        out.write(r.getValue().toByteArray());
        out.println();
        if (verbose) {
          err.printf("version %d, %s, tags %s, served by %s partition %d%n", r.getVersion(),
              ttl(r.getTtlRemainingMs()), r.getTagsList(), r.getServedBy().getNodeId(), r.getServedBy().getPartition());
        }
        return 0;
      });
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, description = "Writes a key.")
  static final class Set implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", description = "The key (UTF-8).") String key;
    @Parameters(index = "1", description = "The value (UTF-8), or - to read it from stdin.") String value;
    @Option(names = "--ttl", converter = DurationConverter.class, description = "Time to live, e.g. 30s, 10m.")
    Duration ttl;
    @Option(names = "--if-absent", description = "Write only if the key is absent.") boolean ifAbsent;
    @Option(names = "--if-version", description = "Write only if the entry has this version.") long ifVersion;
    @Option(names = "--tag", description = "Tag to attach (repeatable).") List<String> tags = new ArrayList<>();
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      ByteString bytes = "-".equals(value) ? readStdin() : ByteString.copyFromUtf8(value);
      return withChannel(options, channel -> {
        SetResponse r = cache(channel, options).set(SetRequest.newBuilder()
            .setNamespace(options.namespace).setKey(ByteString.copyFromUtf8(key)).setValue(bytes)
            .setTtlMs(ttl == null ? 0 : ttl.toMillis()).setIfAbsent(ifAbsent).setIfVersion(ifVersion)
            .addAllTags(tags).build());
        if (r.getApplied()) {
          out.printf("OK version %d, %s%n", r.getVersion(), ttl(r.getTtlRemainingMs()));
          return 0;
        }
        out.printf("NOT APPLIED: current version %d%n", r.getVersion());
        return 1;
      });
    }

    private static ByteString readStdin() throws IOException {
      return ByteString.readFrom(System.in);
    }
  }

  @Command(name = "del", mixinStandardHelpOptions = true, description = "Deletes a key; exits 1 if it was absent.")
  static final class Del implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", description = "The key (UTF-8).") String key;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      return withChannel(options, channel -> {
        DeleteResponse r = cache(channel, options).delete(DeleteRequest.newBuilder()
            .setNamespace(options.namespace).setKey(ByteString.copyFromUtf8(key)).build());
        out.println(r.getDeleted() ? "deleted (version " + r.getVersion() + ")" : "not found");
        return r.getDeleted() ? 0 : 1;
      });
    }
  }

  @Command(name = "stats", mixinStandardHelpOptions = true, description = "Prints the node's counters and sizes.")
  static final class Stats implements Callable<Integer> {
    @Mixin ClientOptions options;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      return withChannel(options, channel -> {
        out.print(TextFormat.printer().printToString(admin(channel, options).getStats(GetStatsRequest.getDefaultInstance())));
        return 0;
      });
    }
  }

  @Command(name = "remove-node", mixinStandardHelpOptions = true,
      description = {"Removes a member from the cluster (a dead node that will not return, or one being retired);",
          "every raft group drops its replica. Any member of the cluster can be the target."})
  static final class RemoveNode implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", description = "Id of the member to remove.") String nodeId;
    @Option(names = "--confirm", required = true, description = "The node id again, as a guard against accidents.")
    String confirm;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      return withChannel(options, channel -> {
        RemoveNodeResponse r = admin(channel, options)
            .removeNode(RemoveNodeRequest.newBuilder().setNodeId(nodeId).setConfirm(confirm).build());
        out.println("removed " + nodeId + "; cluster epoch " + r.getEpoch() + ", members " + r.getMembersList());
        return 0;
      });
    }
  }
}
