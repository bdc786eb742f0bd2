package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.iiifaws.api.IiifJob;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.cli.Main;
import io.iiifaws.testing.FaultyAws.Fault;
import io.iiifaws.testing.OperatorHarness;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * AWS's signature errors quote the signed request, session token included (as ECS's
 * InvalidSignatureException and S3's SignatureDoesNotMatch do): none of it may reach a status, an
 * event, a log line or stderr.
 */
class SecretsTest {
    static final String TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDrwqYdK7n8Lq0ExampleSessionToken"
            + "ExampleSessionTokenExampleSessionToken+AnotherPartOfTheTokenThatRunsOnForAWhile/AndSomeMore==";
    static final String KEY_ID = "ASIAQXEXAMPLE7KEYID4";
    static final String SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    /** ECS's answer to a request signed with a wrong key (the JSON services' InvalidSignatureException). */
    static final String INVALID_SIGNATURE =
            "The request signature we calculated does not match the signature you provided."
                    + " Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                    + "The Canonical String for this request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.1\n"
                    + "host:ecs.us-east-1.amazonaws.com\nx-amz-date:20261201T120000Z\nx-amz-security-token:" + TOKEN
                    + "\n"
                    + "x-amz-target:AmazonEC2ContainerServiceV20141113.RunTask\n\ncontent-type;host;x-amz-date;x-amz-security-token;"
                    + "x-amz-target\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'\n\nThe String-to-Sign should have"
                    + " been\n'AWS4-HMAC-SHA256\n20261201T120000Z\n20261201/us-east-1/ecs/aws4_request\n" + SIGNATURE
                    + "'\n";
    /** The other shapes: a presigned URL, an Authorization header, S3's XML error document. */
    static final String QUOTED_ELSEWHERE =
            "AccessDenied: https://museum-iiif.s3.amazonaws.com/reports/a?X-Amz-Algorithm="
                    + "AWS4-HMAC-SHA256&X-Amz-Credential=" + KEY_ID
                    + "%2F20261201%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token="
                    + TOKEN.replace("/", "%2F") + "&X-Amz-Signature=" + SIGNATURE
                    + " Authorization: AWS4-HMAC-SHA256 Credential=" + KEY_ID
                    + "/20261201/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + SIGNATURE
                    + " <AWSAccessKeyId>" + KEY_ID
                    + "</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20261201T120000Z</StringToSign>"
                    + "<SignatureProvided>" + SIGNATURE
                    + "</SignatureProvided><CanonicalRequest>GET\n/\nx-amz-security-token:" + TOKEN
                    + "</CanonicalRequest>";

    OperatorHarness h;
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void start() throws Exception {
        logs.start();
        root.addAppender(logs);
        h = new OperatorHarness().start();
    }

    @AfterEach
    void stop() {
        h.close();
        root.detachAppender(logs);
    }

    static void assertNothingSecretIn(String text) {
        assertThat(text)
                .doesNotContain(
                        TOKEN.substring(0, 40), KEY_ID, SIGNATURE, "IQoJb3Jp", TOKEN.substring(TOKEN.length() - 30));
    }

    @Test
    void signatureErrorsReachNoStatusEventOrLogWithTheSessionTokenInThem() {
        h.aws.failNext("RunTask", new Fault(400, "InvalidSignatureException", INVALID_SIGNATURE));
        h.create(h.taskJob("signed", "a.jpg"));

        IiifJob job = h.awaitFinished("signed");

        String message = job.getStatus().condition("Failed").orElseThrow().message();
        assertThat(message)
                .startsWith("RunTask: InvalidSignatureException: The request signature we calculated does not match"
                        + " the signature you provided.")
                .contains("[the canonical request and string to sign are removed]");
        assertNothingSecretIn(h.client().getKubernetesSerialization().asJson(job));
        List<String> notes = h.events("signed").stream().map(Event::getNote).toList();
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("InvalidSignatureException"));
        notes.forEach(SecretsTest::assertNothingSecretIn);
        List<String> lines = new ArrayList<>(
                logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("InvalidSignatureException"));
        lines.forEach(SecretsTest::assertNothingSecretIn);
    }

    @Test
    void aListingOfASourceThatQuotesTheSignatureReachesNoStatusEventOrLog() {
        String bucket = "signed-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        try (var goIiif = new io.iiifaws.testing.GoIiifDouble(h.moto.endpoint())) {
            goIiif.createBucket(bucket);
        }
        h.aws.failNext("ListObjectsV2", new Fault(403, "SignatureDoesNotMatch", INVALID_SIGNATURE));
        IiifJob source = io.iiifaws.testing.Specs.with(
                h.taskJob("listed"), "source.s3", java.util.Map.of("bucket", bucket, "prefix", "a/"));
        h.create(io.iiifaws.testing.Specs.with(source, "process.reports", "s3://" + bucket + "/reports/"));

        IiifJob job = h.awaitFinished("listed");

        assertThat(job.getStatus().condition("Failed").orElseThrow().message())
                .startsWith("Listing s3://" + bucket + "/a/: SignatureDoesNotMatch")
                .contains("[the canonical request and string to sign are removed]");
        assertNothingSecretIn(h.client().getKubernetesSerialization().asJson(job));
        h.events("listed").stream().map(Event::getNote).forEach(SecretsTest::assertNothingSecretIn);
        logs.list.stream().map(ILoggingEvent::getFormattedMessage).forEach(SecretsTest::assertNothingSecretIn);
    }

    @Test
    void aDescribeOfTheTrackerThatQuotesTheSignatureReachesNoStatusEventOrLog() {
        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("described", "a.jpg"));
        h.await(
                "described",
                j -> j.getStatus() != null && !j.getStatus().tasks().isEmpty());
        h.aws.failNext("DescribeTasks", new Fault(400, "InvalidSignatureException", INVALID_SIGNATURE));

        IiifJob job = h.awaitFinished("described");

        assertThat(job.getStatus().condition("Failed").orElseThrow().message())
                .startsWith("DescribeTasks: InvalidSignatureException");
        assertNothingSecretIn(h.client().getKubernetesSerialization().asJson(job));
        h.events("described").stream().map(Event::getNote).forEach(SecretsTest::assertNothingSecretIn);
        List<String> lines = new ArrayList<>(
                logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).contains("event=DescribeTasksFailed", "InvalidSignatureException"));
        lines.forEach(SecretsTest::assertNothingSecretIn);
    }

    @Test
    void theCommandLineSaysWhatAwsSaidWithoutTheSecrets(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path credentials = dir.resolve("credentials");
        java.nio.file.Files.writeString(
                credentials, "[iiif]\naws_access_key_id = test\naws_secret_access_key = test\n");
        h.aws.failNext("RunTask", new Fault(400, "InvalidSignatureException", INVALID_SIGNATURE));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(
                Map.of("AWS_ENDPOINT_URL", h.aws.endpoint().toString()),
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "process-ecs",
                "-ecs-dsn",
                "region=us-east-1 credentials=" + credentials + ":iiif",
                "-cluster",
                h.cluster,
                "-task",
                h.taskDefinition,
                "-container",
                "iiif",
                "-subnet",
                h.network.subnet(),
                "a.jpg");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("iiif-aws process-ecs: RunTask: InvalidSignatureException");
        assertNothingSecretIn(err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyShapeOfQuotedCredentialsIsScrubbed() {
        String scrubbed = AwsErrors.scrub(QUOTED_ELSEWHERE);
        assertNothingSecretIn(scrubbed);
        assertThat(scrubbed)
                .startsWith(
                        "AccessDenied: https://museum-iiif.s3.amazonaws.com/reports/a?X-Amz-Algorithm=AWS4-HMAC-SHA256")
                .contains("<StringToSign>[removed]</StringToSign>");
        assertThat(AwsErrors.scrub("ClientException: Unable to describe task definition."))
                .isEqualTo("ClientException: Unable to describe task definition.");
    }
}
