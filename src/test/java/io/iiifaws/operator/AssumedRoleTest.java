package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.NetworkSpec;
import io.iiifaws.api.Phase;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.demo.AwsQuery;
import io.iiifaws.demo.MotoFixtures;
import io.iiifaws.testing.FaultyAws;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.PolicyCases;
import io.iiifaws.testing.Specs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * A policy's aws.roleArn against moto's STS: the team's jobs run in the team's account, with
 * credentials the operator assumed for the namespace and renews before they expire.
 */
class AssumedRoleTest {
    static final String TEAM_ACCOUNT = "222222222222";
    static final String ROLE = "arn:aws:iam::" + TEAM_ACCOUNT + ":role/iiif-aws-team-a";
    static final String EXTERNAL_ID = "team-a-7f3c";

    OperatorHarness h;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    String cluster = "team-a-" + UUID.randomUUID().toString().substring(0, 8);
    MotoFixtures.Network network;

    @BeforeEach
    void start() throws Exception {
        logs.start();
        root.addAppender(logs);
        h = new OperatorHarness();
        h.client()
                .namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(h.namespace)
                        .withLabels(Map.of("iiif-aws.io/team", "a"))
                        .endMetadata()
                        .build())
                .create();
        // The team's cluster, task definition and network, made in its own account.
        Credentials team;
        try (StsClient sts = StsClient.builder()
                .endpointOverride(h.moto.endpoint())
                .region(Region.of(OperatorHarness.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                .build()) {
            team = sts.assumeRole(r -> r.roleArn(ROLE).roleSessionName("setup").durationSeconds(900))
                    .credentials();
        }
        var credentials = AwsSessionCredentials.create(team.accessKeyId(), team.secretAccessKey(), team.sessionToken());
        try (EcsClient ecs = EcsClient.builder()
                .endpointOverride(h.moto.endpoint())
                .region(Region.of(OperatorHarness.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(credentials))
                .build()) {
            MotoFixtures.ecs(ecs, cluster, "go-iiif-team-a", OperatorHarness.CONTAINER);
        }
        network = MotoFixtures.network(new AwsQuery(h.moto.endpoint(), OperatorHarness.REGION, credentials));
        h.client()
                .resource(PolicyCases.policy(
                        "team-a", "a", Map.of("aws", Map.of("roleArn", ROLE, "externalId", EXTERNAL_ID))))
                .create();
    }

    @AfterEach
    void stop() {
        h.close();
        root.detachAppender(logs);
    }

    IiifJob teamJob(String name, String... uris) {
        IiifJob job = h.taskJob(name, uris);
        IiifJobSpec spec = Specs.with(job.getSpec(), "task.cluster", cluster);
        spec = Specs.with(spec, "task.taskDefinition", "go-iiif-team-a:1");
        spec = Specs.with(
                spec, "network", new NetworkSpec(List.of(network.subnet()), List.of(network.securityGroup()), null));
        job.setSpec(spec);
        return job;
    }

    @Test
    void theTeamsJobRunsInItsAccountWithCredentialsRenewedBeforeTheyExpire() {
        // Sessions of 15 minutes, renewed after a second or two: a renewal happens while the task runs.
        Duration session = Duration.ofMinutes(15);
        h.start(
                OperatorHarness.fastSettings(),
                AwsClients.Settings.fromEnvironment(false)
                        .withRoleSessions(new AwsClients.RoleSessions(
                                session, session.minusSeconds(1), session.minusSeconds(2))));
        h.aws.holdRunning(task -> true);
        h.create(teamJob("in-its-account", "a.jpg"));

        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> h.aws.calls("STS AssumeRole") >= 2
                        && h.aws.accessKeys("DescribeTasks").stream().distinct().count() >= 2);
        h.aws.holdRunning(task -> false);
        IiifJob done = h.awaitFinished("in-its-account");

        assertThat(done.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(done.getStatus().tasks()).extracting(TaskStatus::taskArn).allSatisfy(arn -> assertThat(arn)
                .startsWith("arn:aws:ecs:us-east-1:" + TEAM_ACCOUNT + ":task/"));
        for (JsonNode assume : h.aws.requests("STS AssumeRole")) {
            assertThat(assume.path("RoleArn").asText()).isEqualTo(ROLE);
            assertThat(assume.path("ExternalId").asText()).isEqualTo(EXTERNAL_ID);
            assertThat(assume.path("RoleSessionName").asText()).isEqualTo("iiif-aws@" + h.namespace);
            assertThat(assume.path("DurationSeconds").asText()).isEqualTo("900");
        }
        // Every call of the job was signed with an assumed key, none with the operator's own.
        for (String operation : List.of("RunTask", "DescribeTasks", "STS AssumeRole")) {
            List<String> keys = h.aws.accessKeys(operation);
            assertThat(keys).as(operation).isNotEmpty();
            if (!operation.startsWith("STS")) {
                assertThat(keys).as(operation).allSatisfy(key -> assertThat(key).startsWith("ASIA"));
            } else {
                assertThat(keys).as(operation).containsOnly(OperatorHarness.CREDENTIALS.accessKeyId());
            }
        }
        // The secrets STS gave reach no status, event or log line.
        List<String> secrets = new java.util.ArrayList<>();
        for (String answer : h.aws.stsAnswers()) {
            var found = java.util.regex.Pattern.compile("<(SecretAccessKey|SessionToken)>([^<]+)<")
                    .matcher(answer);
            while (found.find()) {
                secrets.add(found.group(2));
            }
        }
        assertThat(secrets).hasSizeGreaterThanOrEqualTo(4);
        String told = h.client().getKubernetesSerialization().asYaml(done)
                + h.events("in-its-account")
                + logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        for (String secret : secrets) {
            assertThat(told).doesNotContain(secret);
        }
    }

    @Test
    void aRoleThatCannotBeAssumedFailsTheJobNamingIt() {
        h.aws.failNext(
                "STS AssumeRole",
                FaultyAws.Fault.accessDenied("sts:AssumeRole"),
                FaultyAws.Fault.accessDenied("sts:AssumeRole"),
                FaultyAws.Fault.accessDenied("sts:AssumeRole"));
        h.start();
        h.create(teamJob("refused", "a.jpg"));

        IiifJob failed = h.awaitFinished("refused");

        assertThat(failed.getStatus().phase()).isEqualTo(Phase.Failed);
        assertThat(failed.getStatus()
                        .condition(io.iiifaws.api.Condition.FAILED)
                        .orElseThrow()
                        .message())
                .contains(ROLE)
                .contains("AccessDenied");
        assertThat(h.aws.calls("RunTask")).isZero();
    }

    @Test
    void anAssumeRoleRefusalThatQuotesTheSignedRequestReachesNoStatusEventOrLog() {
        h.aws.failNext(
                "STS AssumeRole",
                new FaultyAws.Fault(403, "SignatureDoesNotMatch", SecretsTest.INVALID_SIGNATURE),
                new FaultyAws.Fault(403, "SignatureDoesNotMatch", SecretsTest.INVALID_SIGNATURE),
                new FaultyAws.Fault(403, "SignatureDoesNotMatch", SecretsTest.INVALID_SIGNATURE));
        h.start();
        h.create(teamJob("quoted", "a.jpg"));

        IiifJob failed = h.awaitFinished("quoted");

        assertThat(failed.getStatus()
                        .condition(io.iiifaws.api.Condition.FAILED)
                        .orElseThrow()
                        .message())
                .startsWith("RunTask: assuming " + ROLE + " (sts:AssumeRole): SignatureDoesNotMatch")
                .contains("[the canonical request and string to sign are removed]");
        SecretsTest.assertNothingSecretIn(
                h.client().getKubernetesSerialization().asJson(failed));
        h.events("quoted").stream()
                .map(io.fabric8.kubernetes.api.model.events.v1.Event::getNote)
                .forEach(SecretsTest::assertNothingSecretIn);
        assertThat(logs.list).isNotEmpty();
        logs.list.stream().map(ILoggingEvent::getFormattedMessage).forEach(SecretsTest::assertNothingSecretIn);
    }
}
