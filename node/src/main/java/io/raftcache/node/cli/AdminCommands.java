package io.raftcache.node.cli;

import io.raftcache.node.persist.PostgresConfigStore;
import io.raftcache.node.persist.PostgresDatabase;
import io.raftcache.node.security.Role;
import io.raftcache.node.security.TokenSecrets;
import io.raftcache.proto.v1.CreateTokenRequest;
import io.raftcache.proto.v1.CreateTokenResponse;
import io.raftcache.proto.v1.EraseTagRequest;
import io.raftcache.proto.v1.EraseTagResponse;
import io.raftcache.proto.v1.Grant;
import io.raftcache.proto.v1.ListTokensRequest;
import io.raftcache.proto.v1.NamespaceInfo;
import io.raftcache.proto.v1.RevokeTokenRequest;
import io.raftcache.proto.v1.SetNamespaceRequest;
import io.raftcache.proto.v1.SetQuotaRequest;
import io.raftcache.proto.v1.TokenInfo;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code raftcache admin ...}: configuration changes, stored in the cluster's PostgreSQL. */
@Command(name = "admin", mixinStandardHelpOptions = true,
    subcommands = {AdminCommands.Namespace.class, AdminCommands.Quota.class, AdminCommands.Token.class,
        AdminCommands.EraseTag.class},
    description = "Changes the cluster's configuration (stored in PostgreSQL; every node follows it).")
final class AdminCommands {
  private AdminCommands() {}

  @Command(name = "namespace", mixinStandardHelpOptions = true,
      description = {"Creates or changes a namespace's default TTL or encryption (recorded in config_history and the",
          "audit trail). Needs a node started with --postgres-url, and an admin token on \"*\"."})
  static final class Namespace implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", description = "The namespace.") String name;
    @Option(names = "--ttl", converter = DurationConverter.class,
        description = "Default time to live of entries written without one, e.g. 30m; 0 never expires.")
    Duration ttl;
    @Option(names = "--encrypted", arity = "1", paramLabel = "true|false",
        description = "Encrypt the namespace's values at rest from now on (AES-256-GCM).")
    Boolean encrypted;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      if (ttl == null && encrypted == null) {
        throw new IllegalArgumentException("give --ttl, --encrypted or both");
      }
      SetNamespaceRequest.Builder request = SetNamespaceRequest.newBuilder().setName(name);
      if (ttl != null) {
        request.setDefaultTtlMs(ttl.toMillis());
      }
      if (encrypted != null) {
        request.setEncrypted(encrypted);
      }
      return ClientCommands.withChannel(options, channel -> {
        NamespaceInfo info = ClientCommands.admin(channel, options).setNamespace(request.build());
        out.println("namespace " + info.getName() + " updated"
            + (ttl == null ? "" : ": default TTL " + (ttl.isZero() ? "none" : ttl.toString()))
            + (encrypted == null ? "" : (ttl == null ? ": " : ", ") + (encrypted ? "encrypted" : "not encrypted")));
        return 0;
      });
    }
  }

  @Command(name = "quota", mixinStandardHelpOptions = true,
      description = {"Sets a namespace's entry, byte and ops/s limits, or with --for-token a token's ops/s limit;",
          "0 removes a limit, an option left out keeps its value. Calls over a limit get RESOURCE_EXHAUSTED",
          "(QUOTA_EXCEEDED) with retry-after-ms."})
  static final class Quota implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", paramLabel = "NAME", description = "The namespace (or the token, with --for-token).")
    String name;
    @Option(names = "--for-token", description = "NAME is a token: only --ops-per-second applies.")
    boolean forToken;
    @Option(names = "--max-entries", description = "Most entries the namespace may hold.") Long maxEntries;
    @Option(names = "--max-bytes", converter = ByteSizeConverter.class,
        description = "Most bytes of keys and values the namespace may hold, e.g. 512MiB.") Long maxBytes;
    @Option(names = "--ops-per-second", description = "Most calls per second, per node.") Integer opsPerSecond;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      SetQuotaRequest.Builder request = SetQuotaRequest.newBuilder();
      if (forToken) {
        request.setToken(name);
      } else {
        request.setNamespace(name);
      }
      if (maxEntries != null) {
        request.setMaxEntries(maxEntries);
      }
      if (maxBytes != null) {
        request.setMaxBytes(maxBytes);
      }
      if (opsPerSecond != null) {
        request.setOpsPerSecond(opsPerSecond);
      }
      return ClientCommands.withChannel(options, channel -> {
        ClientCommands.admin(channel, options).setQuota(request.build());
        out.println((forToken ? "token " : "namespace ") + name + ": quota updated");
        return 0;
      });
    }
  }

  @Command(name = "erase-tag", mixinStandardHelpOptions = true,
      description = {"Erases every entry of the namespace (-n) carrying TAG on every partition: a data subject's",
          "erasure request, recorded with its count in erasure_requests and the audit trail."})
  static final class EraseTag implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", description = "The tag, e.g. user:1234.") String tag;
    @Option(names = "--confirm", required = true, description = "The tag again, as a guard against accidents.")
    String confirm;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      return ClientCommands.withChannel(options, channel -> {
        EraseTagResponse r = ClientCommands.admin(channel, options).eraseTag(EraseTagRequest.newBuilder()
            .setNamespace(options.namespace).setTag(tag).setConfirm(confirm).build());
        out.println("erased " + r.getDeletedCount() + " entries tagged " + tag + " from " + options.namespace
            + (r.getRequestId() == 0 ? " (no PostgreSQL: recorded in the audit spool)" : "; erasure request "
                + r.getRequestId()));
        return 0;
      });
    }
  }

  @Command(name = "token", mixinStandardHelpOptions = true,
      subcommands = {TokenCreate.class, TokenRevoke.class, TokenList.class},
      description = "Creates, revokes and lists API tokens.")
  static final class Token {}

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Creates an API token and prints its secret (shown only once; the cluster stores its SHA-256).",
          "With --postgres-url it writes to PostgreSQL directly, without a node: how the first admin token is made."})
  static final class TokenCreate implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", description = "Unique name of the token (who or what holds it).") String name;
    @Option(names = "--grant", required = true, paramLabel = "NAMESPACE=ROLE", split = ",",
        description = "Role on a namespace (read, write or admin; namespace * means all), repeatable.")
    Map<String, String> grants = new LinkedHashMap<>();
    @Option(names = "--expires-in", converter = DurationConverter.class,
        description = "Lifetime, e.g. 90d; default: never expires.") Duration expiresIn;
    @Option(names = "--ops-per-second", defaultValue = "0", description = "Rate limit per node; 0 means none.")
    int opsPerSecond;
    @Option(names = "--postgres-url", paramLabel = "JDBC_URL",
        description = "Write to this PostgreSQL directly instead of through a node (bootstrap).") String postgresUrl;
    @Option(names = "--postgres-user", defaultValue = "raftcache",
        description = "PostgreSQL role (default: ${DEFAULT-VALUE}); password from RAFTCACHE_POSTGRES_PASSWORD.")
    String postgresUser;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      if (postgresUrl != null && !postgresUrl.isBlank()) {
        return createInDatabase();
      }
      CreateTokenRequest.Builder request = CreateTokenRequest.newBuilder().setName(name)
          .setExpiresInMs(expiresIn == null ? 0 : expiresIn.toMillis()).setOpsPerSecond(opsPerSecond);
      grants.forEach((ns, role) -> request.addGrants(Grant.newBuilder().setNamespace(ns).setRole(role)));
      return ClientCommands.withChannel(options, channel -> {
        CreateTokenResponse r = ClientCommands.admin(channel, options).createToken(request.build());
        print(r.getToken(), r.getExpiresAtMs() == 0 ? null : Instant.ofEpochMilli(r.getExpiresAtMs()));
        return 0;
      });
    }

    private int createInDatabase() throws Exception {
      Map<String, Role> roles = new LinkedHashMap<>();
      grants.forEach((ns, role) -> roles.put(ns, Role.parse(role)));
      String secret = new TokenSecrets(new SecureRandom()).newSecret();
      Instant expiresAt = expiresIn == null ? null : Clock.systemUTC().instant().plus(expiresIn);
      ExecutorService executor = Executors.newSingleThreadExecutor();
      try (PostgresDatabase db = PostgresDatabase.open(postgresUrl, postgresUser,
          System.getenv("RAFTCACHE_POSTGRES_PASSWORD"))) {
        new PostgresConfigStore(db.dataSource(), executor)
            .createToken("cli:" + System.getProperty("user.name"), name, TokenSecrets.sha256(secret), roles,
                expiresAt, opsPerSecond)
            .join();
      } finally {
        executor.shutdownNow();
      }
      print(secret, expiresAt);
      return 0;
    }

    private void print(String secret, Instant expiresAt) {
      out.println("token " + name + " created" + (expiresAt == null ? "" : ", expires " + expiresAt) + ":");
      out.println(secret);
      out.println("Keep it secret; it is not shown again. Send it as 'authorization: Bearer <token>' (--token,"
          + " RAFTCACHE_TOKEN).");
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revokes a token; every node refuses it within seconds.")
  static final class TokenRevoke implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", description = "Name of the token.") String name;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      return ClientCommands.withChannel(options, channel -> {
        ClientCommands.admin(channel, options).revokeToken(RevokeTokenRequest.newBuilder().setName(name).build());
        out.println("token " + name + " revoked");
        return 0;
      });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists tokens (never their secrets).")
  static final class TokenList implements Callable<Integer> {
    @Mixin ClientOptions options;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      return ClientCommands.withChannel(options, channel -> {
        List<TokenInfo> tokens = ClientCommands.admin(channel, options)
            .listTokens(ListTokensRequest.getDefaultInstance()).getTokensList();
        for (TokenInfo t : tokens) {
          List<String> grants = new ArrayList<>();
          t.getGrantsList().forEach(g -> grants.add(g.getNamespace() + "=" + g.getRole()));
          out.printf("%-24s %-40s %s%s%s%n", t.getName(), String.join(",", grants),
              t.getExpiresAtMs() == 0 ? "never expires" : "expires " + Instant.ofEpochMilli(t.getExpiresAtMs()),
              t.getRevokedAtMs() == 0 ? "" : ", revoked " + Instant.ofEpochMilli(t.getRevokedAtMs()),
              t.getOpsPerSecond() == 0 ? "" : ", " + t.getOpsPerSecond() + " ops/s");
        }
        return 0;
      });
    }
  }
}
