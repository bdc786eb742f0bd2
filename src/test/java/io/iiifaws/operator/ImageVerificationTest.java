package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.api.Condition;
import io.iiifaws.api.FailedImage;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.api.TaskResult;
import io.iiifaws.testing.FaultyAws.Fault;
import io.iiifaws.testing.GoIiifDouble;
import io.iiifaws.testing.GoIiifDouble.Result;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import io.iiifaws.testing.TaskOutcome;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Jobs judged by go-iiif's reports in moto's S3, not by the container's exit code alone. */
class ImageVerificationTest {
    OperatorHarness h;
    GoIiifDouble goIiif;
    String bucket;
    /** What go-iiif does with each image, by origin; processed unless the test says otherwise. */
    final Map<String, Result> results = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness().start();
        goIiif = new GoIiifDouble(h.moto.endpoint());
        bucket = "reports-" + UUID.randomUUID().toString().substring(0, 8);
        goIiif.createBucket(bucket);
        goIiif.runTasksOf(h.aws, origin -> results.getOrDefault(origin, Result.PROCESSED));
    }

    @AfterEach
    void stop() {
        goIiif.close();
        h.close();
    }

    IiifJob job(String name, String... uris) {
        return Specs.with(h.taskJob(name, uris), "process.reports", "s3://" + bucket + "/iiif-reports/");
    }

    @Test
    void everyImageIsCheckedInGoIiifsReportsBeforeTheJobSucceeds() {
        h.create(job("all-good", "avocado.png", "collection/IMG_0084.JPG", "plain.jpg"));

        IiifJob job = h.awaitFinished("all-good");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        String uid = job.getMetadata().getUid();
        assertThat(job.getStatus().reports())
                .isEqualTo("s3://" + bucket + "/iiif-reports/test/all-good/" + uid + "/?region=us-east-1");
        assertThat(job.getStatus().images().processed()).isEqualTo(3);
        assertThat(job.getStatus().images().failed()).isZero();
        assertThat(job.getStatus().batches().get(0).images().processed()).isEqualTo(3);
        assertThat(job.getStatus().tasks().get(0).result()).isEqualTo(TaskResult.Succeeded);
        assertThat(job.getStatus().condition(Condition.COMPLETE).orElseThrow().message())
                .isEqualTo("All 1 batch (3 URIs) succeeded; go-iiif processed 3 images");
        assertThat(h.eventReasons("all-good")).contains("Verifying", "ImagesProcessed", "Completed");

        var task = h.aws.launched().get(0);
        assertThat(task.command())
                .containsSubsequence(
                        "-report",
                        "-report-template",
                        "process_{sha256_origin}.json",
                        "--",
                        "file:///avocado.png?target=%2Favocado.png",
                        "file:///collection/IMG_0084.JPG?target=%2Fcollection%2FIMG_0084.JPG",
                        "file:///plain.jpg?target=%2Fplain.jpg");
        String bucketUri = "s3blob://" + bucket + "?prefix=iiif-reports/test/all-good/" + uid + "/batch-0/attempt-1/"
                + "&region=us-east-1&credentials=iam:";
        // go-iiif 7 and 8 read the first, go-iiif 4 to 6 the second.
        assertThat(task.environment())
                .containsEntry("IIIF_REPORT_BUCKET_URI", bucketUri)
                .containsEntry("IIIF_REPORT_SOURCE", bucketUri);
        var keys = goIiif.s3().listObjectsV2(r -> r.bucket(bucket)).contents().stream()
                .map(o -> o.key())
                .toList();
        assertThat(keys).hasSize(3).allSatisfy(k -> assertThat(k)
                .startsWith("iiif-reports/test/all-good/" + uid + "/batch-0/attempt-1/process_"));
    }

    @Test
    void imagesThatFailWithinMaxFailedImagesLeaveTheJobSucceededAndNamed() {
        results.put("corrupt.jpg", Result.FAILED);
        results.put("missing.jpg", Result.NO_REPORT);
        h.create(
                Specs.with(job("some-bad", "avocado.png", "corrupt.jpg", "missing.jpg"), "process.maxFailedImages", 2));

        IiifJob job = h.awaitFinished("some-bad");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().images().processed()).isEqualTo(1);
        assertThat(job.getStatus().images().failed()).isEqualTo(2);
        assertThat(job.getStatus().images().failedImages())
                .containsExactly(
                        new FailedImage("corrupt.jpg", "go-iiif derived nothing from it"),
                        new FailedImage("missing.jpg", "go-iiif wrote no report"));
        assertThat(job.getStatus().condition(Condition.COMPLETE).orElseThrow().message())
                .contains(
                        "go-iiif processed 1 image",
                        "2 failed (spec.process.maxFailedImages allows 2)",
                        "corrupt.jpg (go-iiif derived nothing from it)");
        assertThat(h.events("some-bad"))
                .filteredOn(e -> "ImagesFailed".equals(e.getReason()))
                .singleElement()
                .satisfies(e -> assertThat(e.getNote()).contains("2 of 3 images failed", "corrupt.jpg", "missing.jpg"));
    }

    @Test
    void moreFailedImagesThanAllowedFailTheJobNamingThem() {
        results.put("corrupt.jpg", Result.FAILED);
        h.create(job("too-many", "avocado.png", "corrupt.jpg"));

        IiifJob job = h.awaitFinished("too-many");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Failed);
        Condition failed = job.getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("ImagesFailed");
        assertThat(failed.message())
                .isEqualTo(
                        "1 image failed, more than spec.process.maxFailedImages (0): corrupt.jpg (go-iiif derived nothing from it)");
        assertThat(job.getStatus().tasks()).hasSize(1);
    }

    @Test
    void aRunThatExitedZeroButWroteNoReportIsAFailedRunAndRetried() {
        AtomicInteger runs = new AtomicInteger();
        h.aws.outcomes(task -> {
            if (task.attempt() > 1) {
                goIiif.run(task, origin -> Result.PROCESSED);
            }
            runs.incrementAndGet();
            return TaskOutcome.SUCCESS;
        });
        h.create(job("silent", "avocado.png", "plain.jpg"));

        IiifJob job = h.awaitFinished("silent");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().tasks())
                .extracting(t -> t.result())
                .containsExactly(TaskResult.Failed, TaskResult.Succeeded);
        assertThat(job.getStatus().batches().get(0).failures()).isEqualTo(1);
        assertThat(h.events("silent"))
                .filteredOn(e -> "TaskFailed".equals(e.getReason()))
                .singleElement()
                .satisfies(e -> assertThat(e.getNote())
                        .contains("container exited 0, but go-iiif wrote no report for any of its 2 images"));

        h.aws.outcomes(task -> TaskOutcome.SUCCESS);
        h.create(Specs.with(job("always-silent", "avocado.png"), "backoffLimit", 0));
        Condition failed = h.awaitFinished("always-silent")
                .getStatus()
                .condition(Condition.FAILED)
                .orElseThrow();
        assertThat(failed.reason()).isEqualTo("BackoffLimitExceeded");
        assertThat(failed.message()).contains("go-iiif wrote no report for any of its 1 image");
    }

    @Test
    void reportsTheOperatorMayNotReadFailTheJobWithS3sAnswer() {
        h.aws.failNext("ListObjectsV2", new Fault(403, "AccessDenied", "Access Denied"));
        h.create(job("denied", "avocado.png"));

        Condition failed = h.awaitFinished("denied")
                .getStatus()
                .condition(Condition.FAILED)
                .orElseThrow();

        assertThat(failed.reason()).isEqualTo("AwsError");
        assertThat(failed.message())
                .startsWith("Reading go-iiif's reports at s3://" + bucket + "/iiif-reports/test/denied/")
                .contains("/batch-0/attempt-1/: AccessDenied: Access Denied", "s3:ListBucket and s3:GetObject");
    }

    @Test
    void s3ErrorsThatMayPassAreRetried() {
        h.aws.failNext(
                "ListObjectsV2",
                new Fault(503, "SlowDown", "Please reduce your request rate."),
                new Fault(500, "InternalError", "We encountered an internal error."));
        h.aws.failNext("GetObject", new Fault(503, "SlowDown", "Please reduce your request rate."));
        h.create(job("slow", "avocado.png"));

        IiifJob job = h.awaitFinished("slow");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().images().processed()).isEqualTo(1);
    }

    @Test
    void withoutAReportsLocationTheImagesGoUncheckedAndStatusSaysSo() {
        h.create(h.taskJob("unchecked", "avocado.png", "plain.jpg"));

        IiifJob job = h.awaitFinished("unchecked");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().reports()).isNull();
        assertThat(job.getStatus().images().unverified()).isEqualTo(2);
        assertThat(job.getStatus().condition(Condition.COMPLETE).orElseThrow().message())
                .isEqualTo(
                        "All 1 batch (2 URIs) succeeded; 2 images were not checked (no reports location: set spec.process.reports or"
                                + " the operator's --reports)");
        assertThat(h.aws.launched().get(0).command()).doesNotContain("-report-bucket-uri");
    }

    @Test
    void aTaskDefinitionVariableThatWouldOverrideTheOperatorsFlagsIsRefusedBeforeLaunch() {
        String family = "go-iiif-env-" + UUID.randomUUID().toString().substring(0, 8);
        h.motoEcs.registerTaskDefinition(r -> r.family(family)
                .networkMode("awsvpc")
                .requiresCompatibilitiesWithStrings("FARGATE")
                .cpu("1024")
                .memory("2048")
                .containerDefinitions(c -> c.name(OperatorHarness.CONTAINER)
                        .image("go-iiif")
                        .memory(2048)
                        .environment(
                                e -> e.name("IIIF_CONFIG_SOURCE")
                                        .value("s3blob://elsewhere?region=us-east-1&credentials=iam:"),
                                e -> e.name("IIIF_REPORT").value("false"),
                                e -> e.name("IIIF_VERBOSE").value("true"))));
        h.create(Specs.with(job("overridden", "avocado.png"), "task.taskDefinition", family + ":1"));

        Condition failed = h.awaitFinished("overridden")
                .getStatus()
                .condition(Condition.FAILED)
                .orElseThrow();

        assertThat(failed.reason()).isEqualTo("InvalidSpec");
        assertThat(failed.message())
                .isEqualTo(
                        "spec.task.taskDefinition: " + family + ":1 sets IIIF_CONFIG_SOURCE (over"
                                + " -config-source), IIIF_REPORT (over -report) in container iiif, and go-iiif lets such a variable win over the flag"
                                + " it is given. Remove them from the task definition and set the value where the flag comes from");
        assertThat(h.aws.calls("RunTask")).isZero();

        h.motoEcs.registerTaskDefinition(r -> r.family(family + "-quiet")
                .networkMode("awsvpc")
                .requiresCompatibilitiesWithStrings("FARGATE")
                .cpu("1024")
                .memory("2048")
                .containerDefinitions(c -> c.name(OperatorHarness.CONTAINER)
                        .image("go-iiif")
                        .memory(2048)
                        .environment(e -> e.name("IIIF_VERBOSE").value("true"))));
        h.create(Specs.with(job("verbose", "avocado.png"), "task.taskDefinition", family + "-quiet:1"));
        assertThat(h.awaitFinished("verbose").getStatus().phase()).isEqualTo(Phase.Succeeded);
    }

    @Test
    void theOperatorsReportsLocationServesJobsThatNameNone() {
        h.stop();
        h.start(OperatorHarness.fastSettings().withReports("s3://" + bucket + "/default/"));
        h.create(h.taskJob("defaulted", "avocado.png"));

        IiifJob job = h.awaitFinished("defaulted");

        assertThat(job.getStatus().reports()).startsWith("s3://" + bucket + "/default/test/defaulted/");
        assertThat(job.getStatus().images().processed()).isEqualTo(1);
    }
}
