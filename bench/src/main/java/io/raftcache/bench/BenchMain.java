package io.raftcache.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bench jar's main class: {@code org.openjdk.jmh.Main} with the JVM flags Chronicle Map needs prepended to
 * every forked benchmark JVM.
 *
 * <p>The flags come from the repository's jvm.options argfile, which the build copies into the jar, so
 * {@code java -jar raftcache-bench.jar ...} works from any directory. {@code -Draftcache.jvmOptions=FILE} reads
 * another argfile instead. A {@code -jvmArgsPrepend} given on the command line is kept, after these flags.
 * With {@code -f 0} JMH runs in this JVM, which then needs the flags itself: {@code java @jvm.options -jar ...}.
 */
public final class BenchMain {
  static final String RESOURCE = "jvm.options";
  static final String OPTION = "-jvmArgsPrepend";

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    org.openjdk.jmh.Main.main(withFlags(args, chronicleFlags()).toArray(String[]::new));
  }

  /** {@code args} with one {@code -jvmArgsPrepend} holding {@code flags} followed by any the caller gave. */
  static List<String> withFlags(String[] args, List<String> flags) {
    List<String> prepend = new ArrayList<>(flags);
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(OPTION) && i + 1 < args.length) {
        prepend.add(args[++i]);
      } else if (args[i].startsWith(OPTION + "=")) {
        prepend.add(args[i].substring(OPTION.length() + 1));
      } else {
        rest.add(args[i]);
      }
    }
    List<String> out = new ArrayList<>();
    out.add(OPTION);
    out.add(String.join(" ", prepend));
    out.addAll(rest);
    return out;
  }

  /** The flags of the argfile named by -Draftcache.jvmOptions, else of the jvm.options packed in the jar. */
  static List<String> chronicleFlags() {
    String file = System.getProperty("raftcache.jvmOptions");
    try {
      if (file != null) {
        return parseArgfile(Files.readString(Path.of(file), StandardCharsets.UTF_8));
      }
      try (InputStream in = BenchMain.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(RESOURCE + " is missing from the bench jar; rebuild it with"
              + " `mvn -B -q package -pl bench`, or pass -Draftcache.jvmOptions=/path/to/jvm.options");
        }
        return parseArgfile(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the JVM flags for the benchmark forks", e);
    }
  }

  /**
   * Splits a Java argfile into its options: whitespace separates them, lines starting with # are comments.
   * Quoted options are refused, because JMH splits -jvmArgsPrepend on spaces.
   */
  static List<String> parseArgfile(String text) {
    List<String> flags = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      for (String token : trimmed.split("\\s+")) {
        if (token.contains("\"") || token.contains("'")) {
          throw new IllegalArgumentException("quoted argfile options are not supported here: " + token);
        }
        flags.add(token);
      }
    }
    return flags;
  }
}
