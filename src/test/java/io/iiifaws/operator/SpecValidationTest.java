package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.Phase;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.testing.FaultyAws;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** A spec that cannot work fails with InvalidSpec, names the field, calls no AWS API and is not requeued. */
class SpecValidationTest {
    static FaultyAws aws;
    static AwsClients clients;
    static JobRunner runner;

    @BeforeAll
    static void setUp() throws Exception {
        aws = new FaultyAws(URI.create("http://127.0.0.1:9"));
        clients = new AwsClients(AwsClients.Settings.fromEnvironment(false)
                .withEndpoint(aws.endpoint())
                .withDefaultRegion("us-east-1")
                .withCredentials(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS)));
        runner = new JobRunner(clients, OperatorHarness.fastSettings(), JobMetrics.NONE, Clock.systemUTC());
    }

    @AfterAll
    static void tearDown() {
        clients.close();
        aws.close();
    }

    static IiifJobSpec valid() {
        return new IiifJobSpec(
                List.of("a.jpg"),
                null,
                null,
                null,
                new io.iiifaws.api.TaskSpec(
                        "iiif", "go-iiif:1", "iiif", io.iiifaws.api.LaunchType.FARGATE, null, null, null),
                new io.iiifaws.api.NetworkSpec(
                        List.of("subnet-0123456789abcdef0"), List.of("sg-0123456789abcdef0"), null),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    static Stream<Arguments> invalid() {
        IiifJobSpec ok = valid();
        return Stream.of(
                Arguments.of(Specs.with(ok, "task.cluster", null), "spec.task.cluster is required"),
                Arguments.of(Specs.with(ok, "task.taskDefinition", null), "spec.task.taskDefinition is required"),
                Arguments.of(Specs.with(ok, "task.container", null), "spec.task.container is required"),
                Arguments.of(Specs.with(ok, "task", null), "spec.task is required"),
                Arguments.of(Specs.with(ok, "mode", "Invoke"), "spec.lambda.functionName is required"),
                Arguments.of(
                        Specs.with(ok, "uris", List.of("a.jpg", "-config=/tmp/x.json")),
                        "spec.uris[1] ('-config=/tmp/x.json') starts with '-'"),
                Arguments.of(Specs.with(ok, "uris", List.of()), "spec.uris must list at least one URI"),
                Arguments.of(Specs.with(ok, "uris", List.of("a\nb.jpg")), "spec.uris[0] contains a control character"),
                Arguments.of(
                        Specs.with(ok, "uris", List.of("x".repeat(9000) + ".jpg")), "spec.uris: URI 0 is too long"),
                Arguments.of(
                        Specs.with(ok, "process.command", List.of("/bin/iiif-process", "-x".repeat(4100))),
                        "spec.process: the go-iiif command and the operator's variables need 8"),
                Arguments.of(
                        Specs.with(ok, "region", "mars-north-1"), "spec.region: 'mars-north-1' is not an AWS region"),
                Arguments.of(
                        Specs.with(ok, "network.subnets", List.of()), "spec.network.subnets is required for Fargate"),
                Arguments.of(
                        Specs.with(ok, "network.subnets", List.of("subnet-XYZ")),
                        "spec.network.subnets[0] ('subnet-XYZ') is not a subnet ID"),
                Arguments.of(
                        Specs.with(ok, "network.securityGroups", List.of("default")),
                        "spec.network.securityGroups[0] ('default') is not a security group ID"),
                Arguments.of(
                        Specs.with(
                                ok,
                                "task.capacityProviderStrategy",
                                List.of(java.util.Map.of("capacityProvider", "FARGATE_SPOT"))),
                        "spec.task.launchType and spec.task.capacityProviderStrategy cannot both be set"),
                Arguments.of(
                        Specs.with(ok, "task.tags", java.util.Map.of("aws:owner", "x")),
                        "spec.task.tags['aws:owner']: the aws: prefix is reserved"),
                Arguments.of(
                        Specs.with(ok, "task.tags", java.util.Map.of("iiif-aws.io/job", "x")),
                        "spec.task.tags['iiif-aws.io/job']"),
                Arguments.of(
                        Specs.with(Specs.with(ok, "process.style", "v2"), "process.config", "s3blob://b/c.json"),
                        "spec.process.config must be an absolute path in the container for style v2"),
                Arguments.of(
                        Specs.with(ok, "process.instructions", "instructions.json"),
                        "spec.process.instructions: 'instructions.json' is neither"),
                Arguments.of(
                        Specs.with(Specs.with(ok, "batch.size", 1), "uris", distinct(501, "%03d.jpg")),
                        "spec.batch.size: the URIs make 501 batches and a job may have at most 500"),
                Arguments.of(
                        Specs.with(
                                Specs.with(
                                        Specs.with(Specs.with(ok, "mode", "Invoke"), "lambda.functionName", "f"),
                                        "lambda.invocationType",
                                        "Event"),
                                "uris",
                                distinct(20_000, "collection/images/IMG_%06d.JPG")),
                        "Lambda takes at most 1048576 for Event invocations"),
                Arguments.of(
                        Specs.with(Specs.with(ok, "uris", null), "source.s3", Map.of("bucket", "museum")),
                        "spec.source needs the job's reports location, where its snapshot of URIs is written, and no"
                                + " reports location"),
                Arguments.of(
                        Specs.with(ok, "source.s3", Map.of("bucket", "museum")),
                        "spec names either uris or source, not both"),
                Arguments.of(
                        Specs.with(
                                Specs.with(
                                        Specs.with(Specs.with(ok, "uris", null), "process.reports", "s3://reports/r/"),
                                        "source.manifest",
                                        Map.of("uri", "https://museum.org/list.txt")),
                                "source.manifest.format",
                                "Lines"),
                        "spec.source.manifest.uri ('https://museum.org/list.txt') is not an S3 object"),
                Arguments.of(
                        Specs.with(ok, "uris", List.of("a.jpg", "b.jpg", "a.jpg")),
                        "spec.uris[2] ('a.jpg') is the image of spec.uris[0] again"),
                Arguments.of(
                        Specs.with(Specs.with(ok, "process.stripPaths", true), "uris", List.of("x/a.jpg", "y/a.jpg")),
                        "spec.uris[1] ('y/a.jpg') is the image of spec.uris[0] again once stripPaths reduces it to 'a.jpg'"),
                Arguments.of(
                        Specs.with(ok, "uris", List.of("a.jpg", "100%.jpg")),
                        "spec.uris[1] ('100%.jpg'): go-iiif 4 to 8 read '%' in a key as URI syntax"),
                Arguments.of(
                        Specs.with(ok, "process.config", "s3blob://cfg/go-iiif/config.json?region=us-east-1"),
                        "spec.process.config: 's3blob://cfg/go-iiif/config.json?region=us-east-1': go-iiif opens s3blob:// buckets"
                                + " only with region= and credentials= (add credentials=iam: for the task's role)"),
                Arguments.of(
                        Specs.with(Specs.with(ok, "process.style", "v2"), "process.reports", "s3://reports/iiif/"),
                        "spec.process.reports: go-iiif 1 to 3 (style v2) write their reports beside the derivatives"),
                Arguments.of(
                        Specs.with(
                                Specs.with(ok, "process.reportName", "r.json"),
                                "process.reports",
                                "s3://reports/iiif/"),
                        "spec.process.reportName: the operator names the reports that go to spec.process.reports"),
                Arguments.of(
                        Specs.with(ok, "process.reports", "s3://reports/a//b/"),
                        "spec.process.reports: 's3://reports/a//b/'"),
                Arguments.of(Specs.with(ok, "parallelism", 0), "spec.parallelism: 0 is less than 1"),
                Arguments.of(Specs.with(ok, "parallelism", -3), "spec.parallelism: -3 is less than 1"),
                Arguments.of(Specs.with(ok, "batch.size", 0), "spec.batch.size: 0 is less than 1"),
                Arguments.of(Specs.with(ok, "backoffLimit", -1), "spec.backoffLimit: -1 is less than 0"),
                Arguments.of(
                        Specs.with(ok, "activeDeadlineSeconds", 0), "spec.activeDeadlineSeconds: 0 is less than 1"),
                Arguments.of(
                        Specs.with(ok, "activeDeadlineSeconds", Long.MAX_VALUE),
                        "spec.activeDeadlineSeconds: 9223372036854775807 is more than 315360000"),
                Arguments.of(
                        Specs.with(ok, "ttlSecondsAfterFinished", -5),
                        "spec.ttlSecondsAfterFinished: -5 is less than 0"),
                Arguments.of(
                        Specs.with(
                                Specs.with(ok, "task.launchType", null),
                                "task.capacityProviderStrategy",
                                java.util.Arrays.asList((Object) null)),
                        "spec.task.capacityProviderStrategy[0] is empty"),
                Arguments.of(
                        Specs.with(
                                Specs.with(ok, "task.launchType", null),
                                "task.capacityProviderStrategy",
                                List.of(
                                        java.util.Map.of("capacityProvider", "FARGATE"),
                                        java.util.Map.of("capacityProvider", "FARGATE_SPOT"))),
                        "spec.task.capacityProviderStrategy: of several providers, at least one needs a weight above 0"),
                Arguments.of(
                        Specs.with(ok, "task.container", "c".repeat(300)),
                        "spec.task.container is 300 characters; ECS names" + " containers in at most 255"),
                Arguments.of(
                        Specs.with(ok, "process.maxFailedImages", -1),
                        "spec.process.maxFailedImages: -1 is less than 0"));
    }

    static List<String> distinct(int count, String format) {
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> String.format(format, i))
                .toList();
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void anImpossibleSpecFailsAtOnceNamingTheField(IiifJobSpec spec, String message) {
        int callsBefore = aws.totalCalls();
        IiifJob job = new IiifJob();
        job.setMetadata(new ObjectMetaBuilder()
                .withName("j")
                .withNamespace("ns")
                .withUid("0b2c4a8e-0000-4000-8000-000000000001")
                .withGeneration(1L)
                .build());
        job.setSpec(spec);

        JobRunner.Pass pass = runner.reconcile(job);

        assertThat(pass.status().phase()).isEqualTo(Phase.Failed);
        Condition failed = pass.status().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("InvalidSpec");
        assertThat(failed.message()).contains(message);
        assertThat(pass.requeue()).isEmpty();
        assertThat(pass.events()).singleElement().satisfies(e -> assertThat(e.reason())
                .isEqualTo("InvalidSpec"));
        assertThat(aws.totalCalls()).isEqualTo(callsBefore);
    }
}
