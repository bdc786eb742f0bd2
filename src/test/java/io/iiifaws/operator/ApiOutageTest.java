package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.TcpProxy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator through a network link to the API server that the tests cut and restore: the
 * connections open when it is cut go silent for good, as after an outage that left half-open
 * sockets behind.
 */
class ApiOutageTest {
    OperatorHarness h;
    TcpProxy link;
    KubernetesClient throughLink;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness();
        link = new TcpProxy(URI.create(h.client().getConfiguration().getMasterUrl()));
        throughLink = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(h.client().getConfiguration())
                        .withMasterUrl(link.uri().toString())
                        .withRequestTimeout(2000)
                        .withConnectionTimeout(2000)
                        .build())
                .build();
    }

    @AfterEach
    void stop() {
        h.close();
        throughLink.close();
        link.close();
    }

    IiifJobOperator operator() {
        IiifJobOperator operator = new IiifJobOperator(
                throughLink,
                h.awsClients(),
                h.config("behind-a-link").withApiCheck(Duration.ofMillis(500)).withCloseClient(false),
                Clock.systemUTC());
        return operator;
    }

    int status(HealthServer server, String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void aJobCreatedWhileTheWatchWentSilentIsTakenUpSoonAfterTheApiServerAnswersAgain() throws Exception {
        try (IiifJobOperator operator = operator();
                HealthServer health =
                        new HealthServer(0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), operator)) {
            operator.start();
            h.create(h.taskJob("before", "a.jpg"));
            assertThat(h.awaitFinished("before").getStatus().phase()).isEqualTo(Phase.Succeeded);

            link.cut();
            h.create(h.taskJob("during", "a.jpg"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(health, "/readyz") == 503);
            assertThat(status(health, "/healthz")).isEqualTo(200);
            link.restore();

            // The silent watch would deliver nothing for minutes; the watchdog lists the jobs anew.
            IiifJob job = h.awaitFinished("during", Duration.ofSeconds(20));
            assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(health, "/readyz") == 200);
        }
    }

    @Test
    void startedWhileTheApiServerIsAwayTheOperatorWaitsAliveAndNotReadyThenRuns() throws Exception {
        link.cut();
        try (IiifJobOperator operator = operator();
                HealthServer health =
                        new HealthServer(0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), operator)) {
            CompletableFuture<Void> started = CompletableFuture.runAsync(operator::start);
            assertThat(status(health, "/healthz")).isEqualTo(200);
            assertThat(status(health, "/readyz")).isEqualTo(503);
            h.create(h.taskJob("waiting", "a.jpg"));

            started.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(status(health, "/readyz")).isEqualTo(503);
            link.restore();

            assertThat(h.awaitFinished("waiting", Duration.ofSeconds(30))
                            .getStatus()
                            .phase())
                    .isEqualTo(Phase.Succeeded);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(health, "/readyz") == 200);
        }
    }

    @Test
    void aLeaderThatLosesItsLeaseWhileTheApiServerIsAwayStandsForItAgainInsteadOfExiting() throws Exception {
        var config = h.config("leader").withApiCheck(Duration.ofMillis(500)).withCloseClient(false);
        var electing =
                new IiifJobOperator.Config(
                        config.namespaces(),
                        config.instance(),
                        config.settings(),
                        Optional.of(io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder
                                .aLeaderElectionConfiguration("iiif-aws-operator")
                                .withLeaseNamespace(OperatorHarness.NAMESPACE)
                                .withIdentity("leader")
                                .withLeaseDuration(Duration.ofSeconds(4))
                                .withRenewDeadline(Duration.ofSeconds(3))
                                .withRetryPeriod(Duration.ofMillis(500))
                                .build()),
                        config.josdkMetrics(),
                        config.jobMetrics(),
                        false,
                        config.apiCheck());
        try (IiifJobOperator operator = new IiifJobOperator(throughLink, h.awsClients(), electing, Clock.systemUTC())) {
            operator.start();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(operator::isLeader);

            link.cut();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !operator.isLeader());
            link.restore();

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(operator::isLeader);
            h.create(h.taskJob("after", "a.jpg"));
            assertThat(h.awaitFinished("after").getStatus().phase()).isEqualTo(Phase.Succeeded);
        }
    }
}
