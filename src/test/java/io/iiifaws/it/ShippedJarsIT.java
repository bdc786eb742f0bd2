package io.iiifaws.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.iiifaws.api.Phase;
import io.iiifaws.testing.OperatorHarness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The operator image's jar and the Lambda function's jar: what they leave out, and that each still
 * does its work when run on its own.
 */
class ShippedJarsIT {
    static final Path OPERATOR_JAR =
            Path.of(System.getProperty("iiifaws.operator.jar", "target/iiif-aws-operator.jar"));
    static final Path LAMBDA_JAR = Path.of(System.getProperty("iiifaws.lambda.jar", "target/iiif-aws-lambda.jar"));
    /** Lambda's limit for a package uploaded directly. */
    static final long LAMBDA_DIRECT_UPLOAD = 50L * 1000 * 1000;

    static List<String> entries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void theOperatorJarLeavesOutTheDemoAndItsEmulatorsAndSaysSo() throws Exception {
        assertThat(entries(OPERATOR_JAR))
                .contains("io/iiifaws/operator/IiifJobOperator.class", "META-INF/fabric8/iiifjobs.iiif-aws.io-v1.yml")
                .noneMatch(e -> e.startsWith("io/iiifaws/demo/"))
                .noneMatch(e -> e.startsWith("io/fabric8/mockwebserver/"))
                .noneMatch(e -> e.startsWith("io/fabric8/kubernetes/client/server/mock/"))
                .noneMatch(e -> e.startsWith("io/vertx/"));

        PackagedJarIT.Run demo =
                PackagedJarIT.run(Map.of(), PackagedJarIT.java(), "-jar", OPERATOR_JAR.toString(), "demo");

        assertThat(demo.status()).isEqualTo(2);
        assertThat(demo.err()).contains("leaves the demo and its emulators out", "iiif-aws.jar");
    }

    @Test
    void theOperatorJarRunsAJobOnARealApiServerToSuccess() throws Exception {
        try (OperatorHarness h = OperatorHarness.onRealApiServer()) {
            Path log = Files.createTempFile("operator", ".log");
            ProcessBuilder builder = new ProcessBuilder(
                            PackagedJarIT.java(),
                            "-jar",
                            OPERATOR_JAR.toString(),
                            "operator",
                            "--namespace",
                            h.namespace,
                            "--http-port",
                            "0",
                            "--poll-interval",
                            "1s")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment()
                    .putAll(Map.of(
                            "KUBECONFIG",
                            h.real().kubeconfig().toString(),
                            "AWS_ENDPOINT_URL",
                            h.aws.endpoint().toString(),
                            "AWS_REGION",
                            OperatorHarness.REGION,
                            "AWS_ACCESS_KEY_ID",
                            "test",
                            "AWS_SECRET_ACCESS_KEY",
                            "test"));
            Process operator = builder.start();
            try {
                h.create(h.taskJob("gallery", "avocado.png", "collection/IMG_0084.JPG"));

                var job = h.awaitFinished("gallery", Duration.ofSeconds(90));

                assertThat(job.getStatus().phase()).as(Files.readString(log)).isEqualTo(Phase.Succeeded);
                assertThat(h.aws.launched()).hasSize(1);
            } finally {
                operator.destroy();
                operator.waitFor(20, TimeUnit.SECONDS);
                operator.destroyForcibly();
            }
        }
    }

    @Test
    void theLambdaJarHasNoKubernetesAndServesAnS3EventOnTheRuntimeApi() throws Exception {
        assertThat(Files.size(LAMBDA_JAR)).isLessThan(LAMBDA_DIRECT_UPLOAD);
        assertThat(entries(LAMBDA_JAR))
                .contains("io/iiifaws/handler/S3EventHandler.class")
                .noneMatch(e -> e.startsWith("io/fabric8/"))
                .noneMatch(e -> e.startsWith("io/javaoperatorsdk/"))
                .noneMatch(e -> e.startsWith("io/iiifaws/operator/"))
                .noneMatch(e -> e.startsWith("io/iiifaws/demo/"));

        try (OperatorHarness h = new OperatorHarness()) {
            CompletableFuture<String> answer = new CompletableFuture<>();
            String event = "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                    + "\"s3\":{\"bucket\":{\"name\":\"museum\"},\"object\":{\"key\":\"accessions/IMG_0084.JPG\"}}}]}";
            HttpServer runtimeApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            runtimeApi.createContext("/2018-06-01/runtime/invocation/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                byte[] body;
                if (path.endsWith("/next") && !answer.isDone()) {
                    exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", "req-1");
                    body = event.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                } else if (path.endsWith("/next")) {
                    body = new byte[0];
                    exchange.sendResponseHeaders(410, -1);
                } else {
                    String sent = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    answer.complete(path.substring(path.lastIndexOf('/') + 1) + ": " + sent);
                    body = new byte[0];
                    exchange.sendResponseHeaders(202, -1);
                }
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            runtimeApi.start();
            try {
                Map<String, String> env = Map.of(
                        "AWS_LAMBDA_RUNTIME_API",
                        "127.0.0.1:" + runtimeApi.getAddress().getPort(),
                        "AWS_ENDPOINT_URL",
                        h.aws.endpoint().toString(),
                        "AWS_ACCESS_KEY_ID",
                        "test",
                        "AWS_SECRET_ACCESS_KEY",
                        "test",
                        "IIIF_PROCESS_ECS_DSN",
                        "region=us-east-1 credentials=env:",
                        "IIIF_PROCESS_CLUSTER",
                        h.cluster,
                        "IIIF_PROCESS_TASK",
                        h.taskDefinition,
                        "IIIF_PROCESS_CONTAINER",
                        OperatorHarness.CONTAINER,
                        "IIIF_PROCESS_SUBNET",
                        h.network.subnet(),
                        "IIIF_PROCESS_SECURITY_GROUP",
                        h.network.securityGroup());

                PackagedJarIT.Run run = PackagedJarIT.run(env, PackagedJarIT.java(), "-jar", LAMBDA_JAR.toString());

                assertThat(answer.getNow("no answer")).as(run.out() + run.err()).startsWith("response: ");
                assertThat(answer.get()).contains("\"URIs\":[\"IMG_0084.JPG\"]", ":task/" + h.cluster + "/");
                assertThat(h.aws.launched()).singleElement().satisfies(t -> assertThat(t.command())
                        .anyMatch(arg -> arg.contains("IMG_0084.JPG")));
            } finally {
                runtimeApi.stop(0);
            }
        }
    }
}
