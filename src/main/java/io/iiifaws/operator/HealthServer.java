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
import java.util.stream.Collectors;

/**
 * The operator's HTTP endpoints: {@code /metrics} in Prometheus text format, {@code /healthz}
 * (liveness: the process serves) and {@code /readyz} (readiness: the operator may do all it needs,
 * started, the API server answers, and the informers synced and healthy; the body says whether this replica holds the lease or
 * stands by).
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
        server.createContext(
                "/metrics",
                exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        // Alive while it retries: the operator restarts its own informers when they cannot be
        // trusted, so a restart by the kubelet would only add a crash loop to an API server outage.
        server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain; charset=utf-8", "ok\n"));
        server.createContext("/readyz", exchange -> {
            String role = !operator.electsLeader()
                    ? "no leader election"
                    : operator.isLeader() ? "leader" : "standby, waiting for the lease";
            if (!operator.missingPermissions().isEmpty()) {
                respond(
                        exchange,
                        503,
                        "text/plain; charset=utf-8",
                        "not ready: the operator may not "
                                + operator.missingPermissions().stream()
                                        .map(Object::toString)
                                        .collect(Collectors.joining("; "))
                                + "\n");
            } else if (!operator.runtimeInfo().isStarted()) {
                respond(exchange, 503, "text/plain; charset=utf-8", "not ready: starting\n");
            } else if (operator.isApiAway()) {
                respond(
                        exchange,
                        503,
                        "text/plain; charset=utf-8",
                        "not ready: the Kubernetes API server does not answer\n");
            } else if (!operator.runtimeInfo().allEventSourcesAreHealthy()) {
                respond(
                        exchange,
                        503,
                        "text/plain; charset=utf-8",
                        "not ready: informers unhealthy: "
                                + operator.runtimeInfo().unhealthyEventSources() + "\n");
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
