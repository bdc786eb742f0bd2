package io.iiifaws.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.iiifaws.cli.Main;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.TaskView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Lambda function fed the documents S3, SNS and SQS deliver, launching through moto_server. */
class S3EventHandlerTest {
    static OperatorHarness h;

    @TempDir
    static Path dir;

    static Map<String, String> env;

    @BeforeAll
    static void setUp() throws IOException {
        h = new OperatorHarness();
        Path credentials = dir.resolve("credentials");
        Files.writeString(credentials, "[iiif]\naws_access_key_id = test\naws_secret_access_key = test\n");
        env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", h.aws.endpoint().toString());
        env.put("IIIF_PROCESS_ECS_DSN", "region=us-east-1 credentials=" + credentials + ":iiif");
        env.put("IIIF_PROCESS_MODE", "lambda");
        env.put("IIIF_PROCESS_CLUSTER", h.cluster);
        env.put("IIIF_PROCESS_TASK", h.taskDefinition);
        env.put("IIIF_PROCESS_CONTAINER", OperatorHarness.CONTAINER);
        env.put("IIIF_PROCESS_SUBNET", h.network.subnet() + "," + h.network.subnet());
        env.put("IIIF_PROCESS_SECURITY_GROUP", h.network.securityGroup());
        env.put("IIIF_PROCESS_REPORT", "true");
    }

    @AfterAll
    static void tearDown() {
        h.close();
    }

    static String event(String name) throws IOException {
        try (InputStream in = S3EventHandlerTest.class.getResourceAsStream("/events/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    TaskView launched(String arn) {
        return h.aws.launched().stream()
                .filter(t -> t.arn().equals(arn))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anS3EventStartsOneTaskForItsImagesWithDecodedKeys() throws IOException {
        ProcessResponse response = new S3EventHandler(env).handle(event("s3-put.json"), null);

        assertThat(response.uris()).containsExactly("red flower.jpg", "Café de Fløre (1902).TIF");
        assertThat(response.skipped()).containsExactly("accessions/2024/catalogue notes.txt");
        assertThat(response.taskIds()).containsExactly(response.taskId());
        TaskView task = launched(response.taskId());
        assertThat(task.command())
                .containsExactly(
                        "/bin/iiif-process",
                        "-config",
                        "/etc/go-iiif/config.json",
                        "-instructions",
                        "/etc/go-iiif/instructions.json",
                        "-report",
                        "-report-name",
                        "process.json",
                        "-uri=red flower.jpg",
                        "-uri=Café de Fløre (1902).TIF");
    }

    @Test
    void snsAndSqsWrappedEventsAreUnwrapped() throws IOException {
        S3EventHandler handler = new S3EventHandler(env);
        ProcessResponse sns = handler.handle(event("sns-s3.json"), null);
        assertThat(sns.uris()).containsExactly("red flower.jpg", "Café de Fløre (1902).TIF");

        // Each SQS message starts its own task.
        ProcessResponse sqs = handler.handle(event("sqs-s3.json"), null);
        assertThat(sqs.uris()).containsExactly("red flower.jpg", "Café de Fløre (1902).TIF");
        assertThat(sqs.skipped()).containsExactly("accessions/2024/catalogue notes.txt");
        assertThat(sqs.taskIds()).hasSize(2);
        assertThat(launched(sqs.taskIds().get(0)).command()).endsWith("-uri=red flower.jpg");
        assertThat(launched(sqs.taskIds().get(1)).command()).endsWith("-uri=Café de Fløre (1902).TIF");
        assertThat(sqs.batchItemFailures()).isEmpty();
    }

    @Test
    void noImageMeansNoTaskAndAnAnswerThatSaysSo() throws IOException {
        S3EventHandler handler = new S3EventHandler(env);
        int before = h.aws.calls("RunTask");

        ProcessResponse empty = handler.handle(event("empty-batch.json"), null);
        ProcessResponse test = handler.handle(event("s3-test-event.json"), null);
        ProcessResponse textOnly =
                handler.handle(io.iiifaws.lambda.S3Events.forUris(List.of("notes.txt"), "us-east-1", "b"), null);

        assertThat(empty.taskId()).isNull();
        assertThat(empty.message()).isEqualTo("the event names no created object; no task started");
        assertThat(test.message()).isEqualTo("the event names no created object; no task started");
        assertThat(textOnly.taskId()).isNull();
        assertThat(textOnly.skipped()).containsExactly("notes.txt");
        assertThat(textOnly.message()).isEqualTo("no image among the event's 1 key; no task started");
        assertThat(h.aws.calls("RunTask")).isEqualTo(before);
    }

    @Test
    void theAnswerIsGoIiifAwsJsonAndBadEventsOrSettingsAreErrors() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new S3EventHandler(env)
                .handleRequest(
                        new java.io.ByteArrayInputStream(
                                io.iiifaws.lambda.S3Events.forUris(List.of("a.jpg"), "us-east-1", null)
                                        .getBytes(StandardCharsets.UTF_8)),
                        out,
                        null);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .matches("\\{\"TaskId\":\"arn:aws:ecs:[^\"]+\",\"TaskIds\":\\[.*],\"URIs\":\\[\"a.jpg\"]}");

        assertThatThrownBy(() -> new S3EventHandler(env).handle("{\"detail-type\":\"Object Created\"}", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no Records");
        Map<String, String> incomplete = new HashMap<>(env);
        incomplete.remove("IIIF_PROCESS_CONTAINER");
        assertThatThrownBy(() -> new S3EventHandler(incomplete).handle(event("s3-put.json"), null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "the function's IIIF_PROCESS_* settings are incomplete: -container is required (or IIIF_PROCESS_CONTAINER)");
    }

    @Test
    void lambdaModeServesTheLambdaRuntimeApi() throws Exception {
        List<String> answers = new CopyOnWriteArrayList<>();
        AtomicInteger polls = new AtomicInteger();
        String s3 = event("s3-put.json");
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/2018-06-01/runtime/invocation/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (path.endsWith("/next")) {
                    if (polls.incrementAndGet() == 1) {
                        byte[] body = s3.getBytes(StandardCharsets.UTF_8);
                        exchange.getResponseHeaders().set("Lambda-Runtime-Aws-Request-Id", "req-1");
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                    } else {
                        exchange.sendResponseHeaders(500, -1);
                    }
                } else {
                    answers.add(
                            path + " " + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    exchange.sendResponseHeaders(202, -1);
                }
            }
        });
        api.start();
        try {
            Map<String, String> lambdaEnv = new HashMap<>(env);
            lambdaEnv.put(
                    "AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + api.getAddress().getPort());
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status =
                    Main.run(lambdaEnv, System.out, new PrintStream(err, true, StandardCharsets.UTF_8), "process-ecs");
            assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(answers)
                    .singleElement()
                    .asString()
                    .startsWith("/2018-06-01/runtime/invocation/req-1/response {\"TaskId\":\"arn:aws:ecs:")
                    .contains("\"URIs\":[\"red flower.jpg\",\"Café de Fløre (1902).TIF\"]");
        } finally {
            api.stop(0);
        }
    }

    static String sqsRecord(String messageId, String body) {
        return "{\"messageId\":\"" + messageId + "\",\"eventSource\":\"aws:sqs\",\"body\":\""
                + body.replace("\"", "\\\"") + "\"}";
    }

    @Test
    void eachSqsMessageIsAnsweredOnItsOwnAndOnlyTheFailedOnesAreDeliveredAgain() throws IOException {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String good = io.iiifaws.lambda.S3Events.forUris(List.of("good-" + id + ".jpg"), "us-east-1", "b");
        String removal = io.iiifaws.lambda.S3Events.forUris(List.of("gone.jpg"), "us-east-1", "b")
                .replace("ObjectCreated:Put", "ObjectRemoved:Delete");
        String throttled = io.iiifaws.lambda.S3Events.forUris(List.of("later-" + id + ".jpg"), "us-east-1", "b");
        String batch =
                "{\"Records\":[" + sqsRecord("m-throttled-" + id, throttled) + "," + sqsRecord("m-hello-" + id, "hello")
                        + "," + sqsRecord("m-removal-" + id, removal) + "," + sqsRecord("m-good-" + id, good) + "]}";
        int before = h.aws.launched().size();
        h.aws.refuseNextRunTasks("RESOURCE:MEMORY");

        ProcessResponse response = new S3EventHandler(env).handle(batch, "req-" + id);

        assertThat(response.batchItemFailures())
                .extracting(ProcessResponse.ItemFailure::itemIdentifier)
                .containsExactly("m-throttled-" + id, "m-hello-" + id);
        assertThat(response.uris()).containsExactly("good-" + id + ".jpg");
        assertThat(response.skipped()).containsExactly("gone.jpg");
        assertThat(launched(response.taskId()).command()).endsWith("-uri=good-" + id + ".jpg");
        assertThat(h.aws.launched()).hasSize(before + 1);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(new S3EventHandler(env)
                                .handleJson("{\"Records\":[" + sqsRecord("m-hello-" + id, "hello") + "]}", "x"))
                        .path("batchItemFailures")
                        .get(0)
                        .path("itemIdentifier")
                        .asText())
                .isEqualTo("m-hello-" + id);

        // SQS delivers the whole batch again under another request id: only the refused message starts a task.
        ProcessResponse again = new S3EventHandler(env).handle(batch, "req2-" + id);
        assertThat(again.batchItemFailures())
                .extracting(ProcessResponse.ItemFailure::itemIdentifier)
                .containsExactly("m-hello-" + id);
        assertThat(h.aws.launched()).hasSize(before + 2);
        assertThat(again.taskIds()).contains(response.taskId());
    }

    @Test
    void aKeyGoIiifCannotTakeIsSkippedAndTheOthersAreProcessed() throws IOException {
        String event = io.iiifaws.lambda.S3Events.forUris(
                List.of("uploads/-evil.jpg", "uploads/fine.jpg", "bad\nname.jpg", "uploads/nul\u0000.jpg"),
                "us-east-1",
                "b");

        ProcessResponse response = new S3EventHandler(env).handle(event, null);

        assertThat(response.uris()).containsExactly("fine.jpg");
        assertThat(response.skipped()).containsExactly("uploads/-evil.jpg", "bad\nname.jpg", "uploads/nul\u0000.jpg");
        assertThat(launched(response.taskId()).command()).endsWith("-uri=fine.jpg");
    }

    @Test
    void aRetriedInvocationStartsNoSecondTask() throws IOException {
        String event = io.iiifaws.lambda.S3Events.forUris(List.of("retried.jpg"), "us-east-1", "b");
        int before = h.aws.launched().size();

        ProcessResponse first = new S3EventHandler(env).handle(event, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
        ProcessResponse retry = new S3EventHandler(env).handle(event, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");

        assertThat(retry.taskId()).isEqualTo(first.taskId());
        assertThat(h.aws.launched()).hasSize(before + 1);
    }
}
