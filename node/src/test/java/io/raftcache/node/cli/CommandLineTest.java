package io.raftcache.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftcache.node.RaftCacheNode;
import io.raftcache.node.config.NodeConfig;
import io.raftcache.node.storage.PartitionStoreFactory;
import io.raftcache.node.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The raftcache command line: parsing, defaults from environment and file, and the client commands. */
class CommandLineTest {
  @TempDir Path dir;

  @Test
  void sizesAndDurationsParseInHumanUnits() {
    ByteSizeConverter sizes = new ByteSizeConverter();
    assertThat(sizes.convert("1024")).isEqualTo(1024);
    assertThat(sizes.convert("64KiB")).isEqualTo(64 << 10);
    assertThat(sizes.convert("512MiB")).isEqualTo(512L << 20);
    assertThat(sizes.convert("2g")).isEqualTo(2L << 30);
    assertThatThrownBy(() -> sizes.convert("lots")).hasMessageContaining("not a size");

    DurationConverter durations = new DurationConverter();
    assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(durations.convert("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(durations.convert("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> durations.convert("soon")).hasMessageContaining("not a duration");
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsTheConfigFile() throws Exception {
    Path config = dir.resolve("node.properties");
    Files.writeString(config, "max-memory=2GiB\nport=7000\nnode-id=from-file\n");
    Map<String, String> env = Map.of("RAFTCACHE_PORT", "7100", "RAFTCACHE_NODE_ID", "from-env");
    CommandLine cli = RaftCacheCommand.commandLine(env, config);
    CommandLine.ParseResult parsed = cli.parseArgs("node", "--node-id", "from-flag");
    NodeCommand node = (NodeCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(node.nodeId).isEqualTo("from-flag");
    assertThat(node.port).isEqualTo(7100);
    assertThat(node.maxMemory).isEqualTo(2L << 30);
    assertThat(node.metricsPort).isEqualTo(9464);
    assertThat(EnvironmentDefaults.envName("max-value-bytes")).isEqualTo("RAFTCACHE_MAX_VALUE_BYTES");
  }

  @Test
  void encryptionKeysComeFromAFileNamedByFlagOrEnvironmentOrFromTheVariableItself() throws Exception {
    String a = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    Path keys = dir.resolve("keys");
    Files.writeString(keys, "# current first\nk2=" + a + "\nk1=" + a.replace('A', 'B') + "\n");

    NodeCommand fromFileEnv = node(Map.of("RAFTCACHE_ENCRYPTION_KEY_FILE", keys.toString()));
    assertThat(fromFileEnv.encryptionKeyFile).isEqualTo(keys);
    assertThat(fromFileEnv.encryptionKeys(Map.of()).ids()).containsExactly("k2", "k1");

    NodeCommand fromVariable = node(Map.of());
    assertThat(fromVariable.encryptionKeys(Map.of(NodeCommand.ENCRYPTION_KEYS_VARIABLE, "k9=" + a)).ids())
        .containsExactly("k9");
    assertThat(fromVariable.encryptionKeys(Map.of()).isEmpty()).isTrue();
    assertThatThrownBy(() -> fromFileEnv.encryptionKeys(Map.of(NodeCommand.ENCRYPTION_KEYS_VARIABLE, "k9=" + a)))
        .hasMessageContaining("give the keys one way");
    assertThatThrownBy(() -> fromVariable.encryptionKeys(Map.of(NodeCommand.ENCRYPTION_KEYS_VARIABLE, "k9=abc")))
        .hasMessageContaining(NodeCommand.ENCRYPTION_KEYS_VARIABLE).hasMessageNotContaining("abc");
  }

  private NodeCommand node(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "node";
    System.arraycopy(args, 0, all, 1, args.length);
    CommandLine.ParseResult parsed = RaftCacheCommand.commandLine(env, null).parseArgs(all);
    return (NodeCommand) parsed.subcommand().commandSpec().userObject();
  }

  @Test
  void clientCommandsTalkToARunningNode() throws Exception {
    NodeConfig config = TestNodes.config(dir.resolve("data"));
    try (RaftCacheNode node = RaftCacheNode.start(config, Clock.systemUTC(), PartitionStoreFactory.inMemory(),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))) {
      String target = "127.0.0.1:" + node.port();
      assertThat(run("set", "-t", target, "greeting", "hello", "--ttl", "10m", "--tag", "demo").code).isZero();
      Result get = run("get", "-t", target, "greeting");
      assertThat(get.code).isZero();
      assertThat(get.out).isEqualTo("hello\n");
      assertThat(run("get", "-t", target, "-n", "other", "greeting").code).isEqualTo(1);
      assertThat(run("set", "-t", target, "greeting", "again", "--if-absent").code).isEqualTo(1);
      assertThat(run("stats", "-t", target).out).contains("entries: 1");
      assertThat(run("del", "-t", target, "greeting").out).startsWith("deleted");
      assertThat(run("del", "-t", target, "greeting").code).isEqualTo(1);

      Result bad = run("set", "-t", target, "-n", "bad ns", "k", "v");
      assertThat(bad.code).isEqualTo(2);
      assertThat(bad.err).contains("INVALID_ARGUMENT INVALID_NAMESPACE");
    }
  }

  record Result(int code, String out, String err) {}

  /** Runs the command line in this JVM and captures what the client commands print. */
  static Result run(String... args) {
    CommandLine cli = RaftCacheCommand.commandLine(Map.of(), null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    java.io.PrintStream stdout = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
    java.io.PrintStream stderr = new java.io.PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    // The client commands write to the streams they hold, so tests can capture them without touching System.out.
    cli.getSubcommands().values().forEach(sub -> {
      Object command = sub.getCommand();
      if (command instanceof ClientCommands.Get g) {
        g.out = stdout;
        g.err = stderr;
      } else if (command instanceof ClientCommands.Set s) {
        s.out = stdout;
      } else if (command instanceof ClientCommands.Del d) {
        d.out = stdout;
      } else if (command instanceof ClientCommands.Stats st) {
        st.out = stdout;
      }
    });
    int code = cli.execute(args);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
  }
}
