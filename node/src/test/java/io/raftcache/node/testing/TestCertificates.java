package io.raftcache.node.testing;

import io.raftcache.node.config.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA and a node certificate made by {@code deploy/dev-certs.sh} (so the tests also check the script): files in
 * {@code dir} named as the script names them.
 */
public record TestCertificates(Path dir) {
  /** Runs the script into {@code dir} for localhost/127.0.0.1; fails clearly when bash or openssl is missing. */
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    Path script = script();
    List<String> command = new ArrayList<>(List.of("bash", script.toString(), dir.toString(), "localhost"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean done = process.waitFor(60, TimeUnit.SECONDS);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) {
      process.destroyForcibly();
      throw new IllegalStateException(script + " did not finish within 60 s: " + output);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(script + " failed (exit " + process.exitValue() + "); the TLS tests need bash"
          + " and openssl on the PATH: " + output);
    }
    return new TestCertificates(dir);
  }

  /** deploy/dev-certs.sh, found from the module directory the tests run in. */
  private static Path script() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve("deploy/dev-certs.sh");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("deploy/dev-certs.sh not found above " + Path.of("").toAbsolutePath());
  }

  public Path ca() {
    return dir.resolve("ca.pem");
  }

  public Path certificate() {
    return dir.resolve("node.pem");
  }

  public Path privateKey() {
    return dir.resolve("node.key");
  }

  /** The node's settings for these files. */
  public TlsSettings settings() {
    return new TlsSettings(certificate(), privateKey(), ca());
  }
}
