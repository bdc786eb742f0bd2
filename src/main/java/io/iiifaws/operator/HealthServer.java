package io.iiifaws.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The operator's HTTP endpoints: {@code /metrics} in Prometheus text format, {@code /healthz}
 * (liveness: the informers are healthy) and {@code /readyz} (readiness: started and the informers
 * synced and healthy; the body says whether this replica holds the lease or stands by).
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
    Thread thread = new Thread(r, "http");
    thread.setDaemon(true);
    return thread;
  });

  public HealthServer(int port, PrometheusMeterRegistry registry, IiifJobOperator operator) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/healthz", exchange -> {
      boolean healthy = !operator.runtimeInfo().isStarted() || operator.runtimeInfo().allEventSourcesAreHealthy();
      respond(exchange, healthy ? 200 : 503, "text/plain; charset=utf-8",
          healthy ? "ok\n" : "unhealthy: " + operator.runtimeInfo().unhealthyEventSources() + "\n");
    });
    server.createContext("/readyz", exchange -> {
      String role = !operator.electsLeader() ? "no leader election" : operator.isLeader() ? "leader" : "standby, waiting for the lease";
      if (!operator.runtimeInfo().isStarted()) {
        respond(exchange, 503, "text/plain; charset=utf-8", "not ready: starting\n");
      } else if (!operator.runtimeInfo().allEventSourcesAreHealthy()) {
        respond(exchange, 503, "text/plain; charset=utf-8", "not ready: informers unhealthy: " + operator.runtimeInfo().unhealthyEventSources() + "\n");
      } else {
        respond(exchange, 200, "text/plain; charset=utf-8", "ready: informers synced; " + role + "\n");
      }
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
