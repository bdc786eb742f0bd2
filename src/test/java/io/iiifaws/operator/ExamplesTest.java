package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Mode;
import io.iiifaws.api.Phase;
import io.iiifaws.demo.AwsQuery;
import io.iiifaws.goiiif.ReportLocation;
import io.iiifaws.testing.GoIiifDouble;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * Every example manifest runs to success under the operator against the emulator (with the
 * emulator's cluster, task definition and network in place of the example's); CrdAdmissionTest
 * has the real API server admit them.
 */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("examples");
    static OperatorHarness h;
    static GoIiifDouble goIiif;

    @BeforeAll
    static void start() throws Exception {
        h = new OperatorHarness().start();
        goIiif = new GoIiifDouble(h.moto.endpoint());
        String role = new AwsQuery(h.moto.endpoint(), OperatorHarness.REGION, OperatorHarness.CREDENTIALS)
                .createLambdaRole("examples-" + h.cluster);
        try (LambdaClient lambda = LambdaClient.builder()
                .region(Region.of(OperatorHarness.REGION))
                .endpointOverride(h.moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                .build()) {
            lambda.createFunction(r -> r.functionName("iiif-process")
                    .runtime(Runtime.JAVA21)
                    .role(role)
                    .handler("io.iiifaws.handler.S3EventHandler::handleRequest")
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(
                            new byte[] {80, 75, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))));
        } catch (ResourceConflictException alreadyThere) {
            // another test created it in the shared emulator
        }
    }

    @AfterAll
    static void stop() {
        goIiif.close();
        h.close();
    }

    static Stream<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("manifests")
    void anExampleJobRunsToSuccess(Path manifest) throws Exception {
        IiifJob job = new KubernetesSerialization().unmarshal(Files.readString(manifest), IiifJob.class);
        job.getMetadata().setNamespace(OperatorHarness.NAMESPACE);
        if (job.getSpec().mode() == Mode.Task) {
            Specs.with(job, "task.cluster", h.cluster);
            Specs.with(job, "task.taskDefinition", h.taskDefinition);
            Specs.with(job, "network.subnets", List.of(h.network.subnet()));
            Specs.with(job, "network.securityGroups", List.of(h.network.securityGroup()));
        }
        boolean checked = job.getSpec().process().reports() != null;
        if (checked) {
            // The example's bucket, in the emulator, and go-iiif writing its reports there.
            String bucket = ReportLocation.parse(job.getSpec().process().reports(), OperatorHarness.REGION)
                    .bucket();
            if (!goIiif.s3().listBuckets().buckets().stream()
                    .anyMatch(b -> b.name().equals(bucket))) {
                goIiif.createBucket(bucket);
            }
            goIiif.runTasksOf(h.aws, origin -> GoIiifDouble.Result.PROCESSED);
        }
        int images = job.getSpec().uris().size();
        if (job.getSpec().source() != null && job.getSpec().source().s3() != null) {
            // The collection, in the emulator's S3: images of each suffix, and a file that is none.
            var s3 = job.getSpec().source().s3();
            goIiif.createBucket(s3.bucket());
            List<String> keys = new java.util.ArrayList<>(List.of("notes.txt"));
            s3.suffixes().forEach(suffix -> keys.add("box-1/IMG_0001" + suffix));
            for (String key : keys) {
                goIiif.s3()
                        .putObject(
                                r -> r.bucket(s3.bucket()).key(s3.prefix() + key),
                                software.amazon.awssdk.core.sync.RequestBody.fromString("image"));
            }
            images = keys.size() - 1;
        }
        h.create(job);

        IiifJob done = h.awaitFinished(job.getMetadata().getName());
        assertThat(done.getStatus().phase())
                .as(String.valueOf(done.getStatus().conditions()))
                .isEqualTo(Phase.Succeeded);
        if (checked) {
            assertThat(done.getStatus().images().processed()).isEqualTo(images);
        }
    }

    @Test
    void theOtherExamplesAreWellFormedAndAgree() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode taskDefinition =
                json.readTree(EXAMPLES.resolve("ecs/task-definition.json").toFile());
        assertThat(taskDefinition.at("/containerDefinitions/0/name").asText()).isEqualTo("iiif");
        assertThat(taskDefinition.at("/networkMode").asText()).isEqualTo("awsvpc");
        JsonNode config = json.readTree(EXAMPLES.resolve("go-iiif/config.json").toFile());
        assertThat(config.at("/graphics/driver").asText()).isEqualTo("native://");
        assertThat(config.at("/images/source/uri").asText()).startsWith("s3blob://");
        JsonNode instructions =
                json.readTree(EXAMPLES.resolve("go-iiif/instructions.json").toFile());
        instructions.forEach(i -> assertThat(i.has("size")).isTrue());
        try (Stream<Path> policies = Files.list(EXAMPLES.resolve("iam"))) {
            for (Path policy : policies.toList()) {
                JsonNode document = json.readTree(policy.toFile());
                assertThat(document.path("Version").asText())
                        .as(policy.toString())
                        .isEqualTo("2012-10-17");
                document.path("Statement")
                        .forEach(s -> assertThat(s.path("Action").toString())
                                .as(policy.toString())
                                .doesNotContain("*\""));
            }
        }
        JsonNode trust = json.readTree(
                EXAMPLES.resolve("iam/team-role-trust-policy.json").toFile());
        assertThat(trust.at("/Statement/0/Action").asText()).isEqualTo("sts:AssumeRole");
        assertThat(trust.at("/Statement/0/Condition/StringEquals/sts:RoleSessionName")
                        .asText())
                .as("the session name the operator gives a namespace's jobs")
                .isEqualTo(JobPolicyCatalog.sessionName(namespaced("team-a")));
        JsonNode assume = json.readTree(
                EXAMPLES.resolve("iam/operator-assume-team-roles.json").toFile());
        assertThat(assume.at("/Statement/0/Action").asText()).isEqualTo("sts:AssumeRole");
        JsonNode operatorPolicy =
                json.readTree(EXAMPLES.resolve("iam/operator-policy.json").toFile());
        assertThat(operatorPolicy.toString())
                .contains(
                        "ecs:RunTask",
                        "ecs:DescribeTasks",
                        "ecs:ListTasks",
                        "ecs:StopTask",
                        "ecs:TagResource",
                        "iam:PassRole");
    }

    @Test
    void theTaskEventsRuleSendsWhatTheOperatorReadsToTheQueueItMayRead() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode pattern =
                json.readTree(EXAMPLES.resolve("task-events/event-pattern.json").toFile());
        for (JsonNode lastStatus : pattern.at("/detail/lastStatus")) {
            var event = json.createObjectNode();
            event.put("source", pattern.at("/source/0").asText());
            event.put("detail-type", pattern.at("/detail-type/0").asText());
            event.putObject("detail")
                    .put("taskArn", "arn:aws:ecs:us-east-1:1:task/iiif/t")
                    .put("version", 2)
                    .put("lastStatus", lastStatus.asText());
            assertThat(io.iiifaws.ecs.TaskEvents.parse(event.toString()))
                    .as(lastStatus.asText())
                    .isPresent();
        }
        assertThat(pattern.at("/detail/lastStatus").toString()).contains("RUNNING", "STOPPED");
        String queue = json.readTree(
                        EXAMPLES.resolve("task-events/queue-policy.json").toFile())
                .at("/Statement/0/Resource")
                .asText();
        JsonNode operatorPolicy =
                json.readTree(EXAMPLES.resolve("iam/operator-policy.json").toFile());
        assertThat(operatorPolicy.path("Statement")).anySatisfy(statement -> {
            assertThat(statement.path("Resource").asText()).isEqualTo(queue);
            assertThat(statement.path("Action").toString()).contains("sqs:ReceiveMessage", "sqs:DeleteMessage");
        });
    }

    static IiifJob namespaced(String namespace) {
        IiifJob job = new IiifJob();
        job.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName("j")
                .withNamespace(namespace)
                .build());
        return job;
    }
}
