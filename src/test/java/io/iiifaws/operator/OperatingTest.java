package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.testing.FaultyAws;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.TaskOutcome;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What an operations team sees: metrics, health endpoints, log lines. */
class OperatingTest {
    OperatorHarness h;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    HttpResponse<String> get(HealthServer server, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsCountLaunchesOutcomesAwsCallsAndReconciliations() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        OperatorMetrics metrics = new OperatorMetrics(registry);
        var config = new IiifJobOperator.Config(
                h.config("metrics").namespaces(),
                "metrics",
                OperatorHarness.fastSettings(),
                Optional.empty(),
                MicrometerMetrics.withoutPerResourceMetrics(registry),
                metrics,
                true);
        IiifJobOperator operator = h.startOperator(config, metrics.awsCalls());
        h.aws.failNext("DescribeTasks", FaultyAws.Fault.throttling());
        h.aws.refuseNextRunTasks("RESOURCE:MEMORY (container instance i-0abc)");
        h.aws.outcomes(t -> t.batch() == 0 ? TaskOutcome.SUCCESS : TaskOutcome.exit(2));
        h.create(io.iiifaws.testing.Specs.with(
                io.iiifaws.testing.Specs.with(h.taskJob("counted", "a.jpg", "b.jpg"), "batch.size", 1),
                "backoffLimit",
                0));
        IiifJob job = h.awaitFinished("counted");
        assertThat(job.getStatus().phase()).isEqualTo(Phase.Failed);

        try (HealthServer server = new HealthServer(0, registry, operator)) {
            String text = get(server, "/metrics").body();
            assertThat(text).contains("iiif_tasks_launched_total 2.0");
            assertThat(text).contains("iiif_launch_refusals_total{reason=\"RESOURCE:MEMORY\"} 1.0");
            assertThat(text)
                    .contains(
                            "iiif_task_outcomes_total{exit_status=\"0\",result=\"Succeeded\",stop_code=\"EssentialContainerExited\"} 1.0");
            assertThat(text)
                    .contains(
                            "iiif_task_outcomes_total{exit_status=\"nonzero\",result=\"Failed\",stop_code=\"EssentialContainerExited\"} 1.0");
            assertThat(text).contains("iiif_jobs_finished_total{phase=\"Failed\",reason=\"BackoffLimitExceeded\"} 1.0");
            // The throttle was absorbed by the call's own retry: the call is ok, the attempt counted.
            assertThat(text).contains("iiif_aws_throttles_total{operation=\"DescribeTasks\",service=\"Ecs\"} 1.0");
            assertThat(text)
                    .containsPattern(
                            "iiif_aws_calls_total\\{operation=\"RunTask\",outcome=\"ok\",service=\"Ecs\"} 3.0");
            assertThat(text).containsPattern("iiif_task_duration_seconds_count\\{result=\"Succeeded\"} 1");
            assertThat(text).containsPattern("operator_sdk_reconciliations_success_total\\{[^}]*} [1-9]");
            HttpResponse<String> health = get(server, "/healthz");
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(server, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready: informers synced; no leader election\n");
        }
    }

    @Test
    void everyLogLineOfAJobNamesTheJobAndEveryTaskLineItsTask() {
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.iiifaws");
        lines.start();
        logger.addAppender(lines);
        try {
            h.start();
            h.create(h.taskJob("logged", "a.jpg"));
            h.awaitFinished("logged");
        } finally {
            logger.detachAppender(lines);
        }
        List<ILoggingEvent> events = lines.list.stream()
                .filter(e -> e.getFormattedMessage().contains("event="))
                .toList();
        assertThat(events).isNotEmpty();
        assertThat(events).allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("job=test/logged "));
        assertThat(events).allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("job", "test/logged"));
        assertThat(events)
                .filteredOn(e -> e.getFormattedMessage().contains("event=Launched"))
                .singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).containsPattern("task=arn:aws:ecs:\\S+/\\S+"));
    }

    @Test
    void theJsonLogFormatWritesOneObjectPerLineWithTheJob() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(((LoggerContext) LoggerFactory.getILoggerFactory()).getMDCAdapter());
        var configurator = new ch.qos.logback.classic.joran.JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(OperatingTest.class.getResource("/logback-json.xml"));
        var appender = (ch.qos.logback.core.OutputStreamAppender<ILoggingEvent>)
                context.getLogger("ROOT").getAppender("STDOUT");
        var out = new java.io.ByteArrayOutputStream();
        appender.setOutputStream(out);
        org.slf4j.MDC.put("job", "museum/accession-17");
        try {
            context.getLogger("io.iiifaws.operator.EcsRunner")
                    .info("job={} task={} event=Launched", "museum/accession-17", "arn:aws:ecs:x:1:task/c/t");
        } finally {
            org.slf4j.MDC.remove("job");
        }
        String line = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(line.lines()).hasSize(1);
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("INFO");
        assertThat(json.path("mdc").path("job").asText()).isEqualTo("museum/accession-17");
        assertThat(json.path("formattedMessage").asText())
                .isEqualTo("job=museum/accession-17 task=arn:aws:ecs:x:1:task/c/t event=Launched");
    }
}
