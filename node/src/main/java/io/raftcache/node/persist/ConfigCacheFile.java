package io.raftcache.node.persist;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.raftcache.node.config.LiveConfig;
import io.raftcache.node.config.NamespaceDefaults;
import io.raftcache.node.config.NamespaceSettings;
import io.raftcache.node.security.ApiToken;
import io.raftcache.node.security.Role;
import io.raftcache.node.security.TokenTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The last configuration a node loaded from PostgreSQL, kept as JSON in its data directory so it starts and
 * serves (with the same tokens and limits) while PostgreSQL is down. Tokens appear only as SHA-256 digests.
 */
final class ConfigCacheFile {
  private static final int FORMAT = 2;
  private final Path file;

  ConfigCacheFile(Path file) {
    this.file = file;
  }

  Path path() {
    return file;
  }

  /** The cached configuration (what PostgreSQL held, flags not merged), or null if there is none. */
  LiveConfig read() throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    JsonObject json = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    if (!json.has("format") || json.get("format").getAsInt() != FORMAT) {
      throw new IOException("written by another version (format " + json.get("format") + ")");
    }
    Map<String, NamespaceSettings> namespaces = new HashMap<>();
    for (Map.Entry<String, JsonElement> e : json.getAsJsonObject("namespaces").entrySet()) {
      JsonObject ns = e.getValue().getAsJsonObject();
      namespaces.put(e.getKey(), new NamespaceSettings(Duration.ofMillis(ns.get("defaultTtlMs").getAsLong()),
          ns.get("maxEntries").getAsLong(), ns.get("maxBytes").getAsLong(), ns.get("opsPerSecond").getAsInt(),
          ns.get("encrypted").getAsBoolean()));
    }
    Map<String, ApiToken> tokens = new HashMap<>();
    for (JsonElement element : json.getAsJsonArray("tokens")) {
      JsonObject t = element.getAsJsonObject();
      Map<String, Role> grants = new HashMap<>();
      t.getAsJsonObject("grants").entrySet().forEach(g -> grants.put(g.getKey(), Role.parse(g.getValue().getAsString())));
      tokens.put(t.get("sha256").getAsString(), new ApiToken(t.get("name").getAsString(), grants,
          instant(t, "expiresAtMs"), instant(t, "revokedAtMs"), t.get("opsPerSecond").getAsInt()));
    }
    return new LiveConfig(new NamespaceDefaults(namespaces), new TokenTable(tokens));
  }

  /** Replaces the cached configuration atomically. */
  void write(LiveConfig config) throws IOException {
    JsonObject namespaces = new JsonObject();
    config.namespaces().byName().forEach((name, s) -> {
      JsonObject ns = new JsonObject();
      ns.addProperty("defaultTtlMs", s.defaultTtl().toMillis());
      ns.addProperty("maxEntries", s.maxEntries());
      ns.addProperty("maxBytes", s.maxBytes());
      ns.addProperty("opsPerSecond", s.opsPerSecond());
      ns.addProperty("encrypted", s.encrypted());
      namespaces.add(name, ns);
    });
    JsonArray tokens = new JsonArray();
    config.tokens().bySha256Hex().forEach((sha, token) -> {
      JsonObject t = new JsonObject();
      t.addProperty("sha256", sha);
      t.addProperty("name", token.name());
      JsonObject grants = new JsonObject();
      token.grants().forEach((ns, role) -> grants.addProperty(ns, role.label()));
      t.add("grants", grants);
      if (token.expiresAt() != null) {
        t.addProperty("expiresAtMs", token.expiresAt().toEpochMilli());
      }
      if (token.revokedAt() != null) {
        t.addProperty("revokedAtMs", token.revokedAt().toEpochMilli());
      }
      t.addProperty("opsPerSecond", token.opsPerSecond());
      tokens.add(t);
    });
    JsonObject json = new JsonObject();
    json.addProperty("format", FORMAT);
    json.add("namespaces", namespaces);
    json.add("tokens", tokens);
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, json.toString(), StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static Instant instant(JsonObject json, String field) {
    return json.has(field) ? Instant.ofEpochMilli(json.get(field).getAsLong()) : null;
  }
}
