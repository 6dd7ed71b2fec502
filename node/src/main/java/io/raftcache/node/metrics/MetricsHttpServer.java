package io.raftcache.node.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** Serves /metrics (Prometheus text format), /healthz (the process is up) and /readyz (it can serve traffic). */
public final class MetricsHttpServer implements AutoCloseable {
  private final HTTPServer server;

  /** Starts serving on {@code host:port} (port 0 picks a free one). */
  public MetricsHttpServer(String host, int port, CollectorRegistry registry, BooleanSupplier ready)
      throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 16);
    http.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n"));
    http.createContext("/readyz", exchange -> {
      boolean ok = ready.getAsBoolean();
      respond(exchange, ok ? 200 : 503, ok ? "ready\n" : "not ready\n");
    });
    this.server = new HTTPServer.Builder().withHttpServer(http).withRegistry(registry).withDaemonThreads(true).build();
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
