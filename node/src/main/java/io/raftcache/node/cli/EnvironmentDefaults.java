package io.raftcache.node.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;

/**
 * Supplies option defaults from {@code RAFTCACHE_*} environment variables, then from a properties config file.
 *
 * <p>Precedence: command-line flag, then environment ({@code --max-memory} reads {@code RAFTCACHE_MAX_MEMORY}),
 * then the config file (key {@code max-memory}), then the built-in default.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
  private final Map<String, String> environment;
  private final Properties file = new Properties();

  EnvironmentDefaults(Map<String, String> environment, Path configFile) {
    this.environment = environment;
    if (configFile != null) {
      try (Reader reader = Files.newBufferedReader(configFile)) {
        file.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read config file " + configFile, e);
      }
    }
  }

  @Override
  public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
    if (!(argSpec instanceof CommandLine.Model.OptionSpec option) || !option.longestName().startsWith("--")) {
      return null;
    }
    String name = option.longestName().substring(2);
    String env = environment.get(envName(name));
    if (env != null) {
      return env;
    }
    String fromFile = file.getProperty(name);
    return fromFile != null ? fromFile : argSpec.defaultValue();
  }

  /** The environment variable of a long option name: {@code max-memory} becomes {@code RAFTCACHE_MAX_MEMORY}. */
  static String envName(String optionName) {
    return "RAFTCACHE_" + optionName.replace('-', '_').toUpperCase(Locale.ROOT);
  }
}
