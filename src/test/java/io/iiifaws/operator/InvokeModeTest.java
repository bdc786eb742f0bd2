package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.demo.AwsQuery;
import io.iiifaws.handler.S3EventHandler;
import io.iiifaws.testing.FaultyAws.LambdaAnswer;
import io.iiifaws.testing.GoIiifDouble;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import io.iiifaws.testing.TaskOutcome;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;

class InvokeModeTest {
    OperatorHarness h;
    String function;

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness().start();
        function = "iiif-" + UUID.randomUUID().toString().substring(0, 8);
        String role = new AwsQuery(h.moto.endpoint(), OperatorHarness.REGION, OperatorHarness.CREDENTIALS)
                .createLambdaRole("role-" + function);
        byte[] code = zip();
        try (LambdaClient lambda = LambdaClient.builder()
                .region(Region.of(OperatorHarness.REGION))
                .endpointOverride(h.moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                .build()) {
            lambda.createFunction(r -> r.functionName(function)
                    .runtime(Runtime.JAVA21)
                    .role(role)
                    .handler("io.iiifaws.handler.S3EventHandler::handleRequest")
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(code))));
        }
    }

    @AfterEach
    void stop() {
        h.close();
    }

    IiifJob invokeJob(String name, String type, String... uris) {
        IiifJob job = OperatorHarness.job(name, h.spec(uris));
        Specs.with(job, "mode", "Invoke");
        Specs.with(job, "task", null);
        Specs.with(job, "network", null);
        Specs.with(job, "lambda.functionName", function);
        return Specs.with(job, "lambda.invocationType", type);
    }

    @Test
    void requestResponseRecordsTheAnswerAndSendsAnS3EventForTheUris() {
        h.create(invokeJob("rr", "RequestResponse", "avocado.png", "red flower.jpg"));

        IiifJob job = h.awaitFinished("rr");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().condition(Condition.COMPLETE).orElseThrow().reason())
                .isEqualTo("InvocationSucceeded");
        assertThat(job.getStatus().invocation().statusCode()).isEqualTo(200);
        assertThat(job.getStatus().invocation().functionError()).isNull();
        JsonNode event = h.aws.requests("Invoke").get(0);
        assertThat(event.path("Records"))
                .extracting(r -> r.path("s3").path("object").path("key").asText())
                .containsExactly("avocado.png", "red+flower.jpg");
        assertThat(event.path("Records").get(0).path("eventSource").asText()).isEqualTo("aws:s3");
    }

    @Test
    void aFunctionErrorFailsTheJobWithTheError() {
        h.aws.function(
                function,
                payload -> new LambdaAnswer(
                        "{\"errorMessage\":\"no such bucket: museum-images\",\"errorType\":\"IllegalStateException\"}",
                        "Unhandled"));
        h.create(invokeJob("broken", "RequestResponse", "a.jpg"));

        IiifJob job = h.awaitFinished("broken");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Failed);
        Condition failed = job.getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("InvocationFailed");
        assertThat(failed.message()).contains("failed (Unhandled)", "no such bucket: museum-images");
        assertThat(job.getStatus().invocation().functionError()).isEqualTo("Unhandled");
    }

    @Test
    void anEventInvocationSucceedsOnceAcceptedAndSaysThatIsAllItKnows() {
        h.create(invokeJob("async", "Event", "a.jpg"));

        IiifJob job = h.awaitFinished("async");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().invocation().statusCode()).isEqualTo(202);
        Condition complete = job.getStatus().condition(Condition.COMPLETE).orElseThrow();
        assertThat(complete.reason()).isEqualTo("InvocationAccepted");
        assertThat(complete.message()).contains("accepted", "outcome is not followed");
    }

    @Test
    void theTaskTheFunctionNamesIsFollowedToItsEnd() {
        h.aws.function(
                function, payload -> new LambdaAnswer("{\"TaskId\":\"" + launchThroughFaultLayer() + "\"}", null));
        h.aws.outcomes(task -> TaskOutcome.exit(2));
        h.create(invokeJob("follow", "RequestResponse", "a.jpg"));

        IiifJob job = h.awaitFinished("follow");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Failed);
        assertThat(job.getStatus().invocation().taskArn()).isNotNull();
        assertThat(job.getStatus().tasks()).singleElement().satisfies(t -> {
            assertThat(t.taskArn()).isEqualTo(job.getStatus().invocation().taskArn());
            assertThat(t.exitCode()).isEqualTo(2);
        });
        Condition failed = job.getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("TaskFailed");
        assertThat(failed.message()).contains("exited 2");
    }

    @Test
    void aFollowedTaskThatSucceedsCompletesTheJob() {
        h.aws.function(
                function,
                payload -> new LambdaAnswer(
                        "{\"TaskId\":\"" + launchThroughFaultLayer() + "\",\"URIs\":[\"a.jpg\"]}", null));
        h.create(invokeJob("follow-ok", "RequestResponse", "a.jpg"));

        IiifJob job = h.awaitFinished("follow-ok");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().condition(Condition.COMPLETE).orElseThrow().reason())
                .isEqualTo("TaskSucceeded");
        assertThat(job.getStatus().tasks().get(0).lastStatus()).isEqualTo("STOPPED");
    }

    @Test
    void theImagesOfTheTaskThatTheIiifAwsFunctionStartsAreCheckedWhereItsAnswerSays(@TempDir Path dir)
            throws Exception {
        String bucket = "invoke-reports-" + UUID.randomUUID().toString().substring(0, 8);
        try (GoIiifDouble goIiif = new GoIiifDouble(h.moto.endpoint())) {
            goIiif.createBucket(bucket);
            goIiif.runTasksOf(
                    h.aws,
                    origin ->
                            origin.equals("corrupt.jpg") ? GoIiifDouble.Result.FAILED : GoIiifDouble.Result.PROCESSED);
            Path credentials = dir.resolve("credentials");
            Files.writeString(credentials, "[iiif]\naws_access_key_id = test\naws_secret_access_key = test\n");
            S3EventHandler handler = new S3EventHandler(handlerEnvironment(bucket, credentials));
            h.aws.function(function, payload -> {
                try {
                    return new LambdaAnswer(handler.handleJson(payload, "req-1"), null);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            h.create(Specs.with(
                    invokeJob("checked", "RequestResponse", "uploads/avocado.png", "uploads/corrupt.jpg"),
                    "process.maxFailedImages",
                    1));

            IiifJob job = h.awaitFinished("checked");

            assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
            assertThat(job.getStatus().invocation().reports())
                    .isEqualTo("s3://" + bucket + "/reports/lambda/req-1/batch-0/?region=us-east-1");
            assertThat(job.getStatus().invocation().uris()).containsExactly("avocado.png", "corrupt.jpg");
            assertThat(job.getStatus().images().processed()).isEqualTo(1);
            assertThat(job.getStatus().images().failedImages())
                    .containsExactly(new io.iiifaws.api.FailedImage("corrupt.jpg", "go-iiif derived nothing from it"));
            assertThat(job.getStatus()
                            .condition(Condition.COMPLETE)
                            .orElseThrow()
                            .message())
                    .contains("go-iiif processed 1 image", "1 failed (spec.process.maxFailedImages allows 1)");
        }
    }

    private Map<String, String> handlerEnvironment(String bucket, Path credentials) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", h.aws.endpoint().toString());
        env.put("IIIF_PROCESS_ECS_DSN", "region=us-east-1 credentials=" + credentials + ":iiif");
        env.put("IIIF_PROCESS_CLUSTER", h.cluster);
        env.put("IIIF_PROCESS_TASK", h.taskDefinition);
        env.put("IIIF_PROCESS_CONTAINER", OperatorHarness.CONTAINER);
        env.put("IIIF_PROCESS_SUBNET", h.network.subnet());
        env.put("IIIF_PROCESS_SECURITY_GROUP", h.network.securityGroup());
        env.put("IIIF_PROCESS_GO_IIIF_STYLE", "v4");
        env.put("IIIF_PROCESS_REPORTS", "s3://" + bucket + "/reports/");
        return env;
    }

    /** What go-iiif-aws's function does: start the go-iiif task and answer its ARN. */
    private String launchThroughFaultLayer() {
        try (EcsClient ecs = EcsClient.builder()
                .region(Region.of(OperatorHarness.REGION))
                .endpointOverride(h.aws.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                .build()) {
            return ecs.runTask(r -> r.cluster(h.cluster)
                            .taskDefinition(h.taskDefinition)
                            .launchType(LaunchType.FARGATE)
                            .networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(h.network.subnet())
                                    .securityGroups(h.network.securityGroup())
                                    .assignPublicIp(AssignPublicIp.DISABLED)))
                            .overrides(o -> o.containerOverrides(c -> c.name(OperatorHarness.CONTAINER)
                                    .command(List.of("/bin/iiif-process", "--", "a.jpg")))))
                    .tasks()
                    .get(0)
                    .taskArn();
        }
    }

    private static byte[] zip() throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("handler.txt"));
            zip.write("iiif-aws".getBytes());
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}
