package io.raftcache.node.cli;

import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code raftcache} command line: runs a node, or talks to one. */
@Command(name = "raftcache", mixinStandardHelpOptions = true, version = "raftcache 0.1.0",
    description = "A gRPC-native distributed cache.",
    subcommands = {NodeCommand.class, DevCommand.class, ClientCommands.Get.class, ClientCommands.Set.class, ClientCommands.Del.class,
        ClientCommands.Stats.class, ClientCommands.RemoveNode.class, AdminCommands.class})
public final class RaftCacheCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line with environment and config-file defaults. */
  static CommandLine commandLine(Map<String, String> environment, Path configFile) {
    CommandLine cli = new CommandLine(new RaftCacheCommand());
    cli.setDefaultValueProvider(new EnvironmentDefaults(environment, configFile));
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("raftcache: " + describe(e));
      return e instanceof StatusRuntimeException ? 2 : 1;
    });
    return cli;
  }

  /** One line for an error: a gRPC status with its ErrorInfo reason, or the exception's message. */
  static String describe(Exception e) {
    if (e instanceof StatusRuntimeException sre) {
      com.google.rpc.Status status = StatusProto.fromThrowable(sre);
      String reason = "";
      if (status != null) {
        for (com.google.protobuf.Any detail : status.getDetailsList()) {
          if (detail.is(ErrorInfo.class)) {
            try {
              reason = " " + detail.unpack(ErrorInfo.class).getReason();
            } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
              // leave the reason out
            }
          }
        }
      }
      return sre.getStatus().getCode() + reason + ": " + sre.getStatus().getDescription();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** The entry point; exits explicitly, since a failed start can leave non-daemon threads behind. */
  public static void main(String[] args) {
    Path configFile = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        configFile = Path.of(args[i + 1]);
      } else if (args[i].startsWith("--config=")) {
        configFile = Path.of(args[i].substring("--config=".length()));
      }
    }
    if (configFile == null && System.getenv("RAFTCACHE_CONFIG") != null) {
      configFile = Path.of(System.getenv("RAFTCACHE_CONFIG"));
    }
    int code;
    try {
      code = commandLine(System.getenv(), configFile).execute(args);
    } catch (RuntimeException e) {
      System.err.println("raftcache: " + describe(e));
      code = 1;
    }
    System.exit(code);
  }
}
