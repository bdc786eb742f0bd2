package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.SourceStatus;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.goiiif.ImageCheck;
import io.iiifaws.goiiif.ReportLocation;
import io.iiifaws.operator.TaskLabels.RunId;
import io.iiifaws.testing.Specs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The status of a spec.source job of many URIs, planned pass by pass with no AWS: batches
 * launched, run and checked as the operator records them, tasks as ECS describes them.
 */
final class SourceStatusSize {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final String REPORTS = "s3://museum-iiif/reports/collections/accession-2024/"
            + "6f1c2a4e-0b7d-4c3e-9a55-2d4e8f9b1c07/?region=eu-west-1";

    /** How far the job came. */
    record Stage(String name, int done, int running, int retrying, int failedImagesPerBatch) {}

    record Measured(Stage stage, long statusBytes, long objectBytes, int batchesListed, int tasksListed) {}

    private SourceStatusSize() {}

    static IiifJob job(long uris, int batchSize, int parallelism) {
        IiifJob job = JobProgressTest.job(null);
        job.setSpec(Specs.with(
                Specs.with(
                        Specs.with(
                                Specs.with(job.getSpec(), "uris", null),
                                "source.s3",
                                Map.of("bucket", "museum-masters", "prefix", "accessions/2024/")),
                        "batch.size",
                        batchSize),
                "parallelism",
                parallelism));
        int batches = (int) ((uris + batchSize - 1) / batchSize);
        job.setStatus(new IiifJobStatus(
                null,
                3L,
                Times.format(T0),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                REPORTS,
                null,
                null,
                new SourceStatus(
                        REPORTS.replace("/?region=eu-west-1", "/snapshot/"),
                        true,
                        uris,
                        batches,
                        120L,
                        List.of(new SourceStatus.SkippedEntry("accessions/2024/-draft.jpg", "starts with '-'")),
                        "accessions/2024/box-9999/IMG_999999.JPG",
                        null,
                        null),
                null,
                null));
        return job;
    }

    static Measured measure(long uris, int batchSize, int parallelism, Stage stage) {
        IiifJob job = job(uris, batchSize, parallelism);
        JobProgress progress = new JobProgress(job, List.of(), T0.plusSeconds(3600), JobProgressTest.FIXED);
        ReportLocation reports = ReportLocation.parse(REPORTS, "eu-west-1");
        int batch = 0;
        for (; batch < stage.done(); batch++) {
            TaskStatus task = run(progress, batch);
            progress.observe(task, JobProgressTest.stopped(task.taskArn(), 0), 0, "iiif", Duration.ofSeconds(30));
            TaskStatus verifying = progress.verifying().get(0);
            progress.imagesChecked(verifying, check(batch, batchSize, stage.failedImagesPerBatch()), reports);
        }
        for (int i = 0; i < stage.retrying(); i++, batch++) {
            TaskStatus task = run(progress, batch);
            progress.observe(task, JobProgressTest.stopped(task.taskArn(), 1), 0, "iiif", Duration.ofSeconds(30));
        }
        for (int i = 0; i < stage.running(); i++, batch++) {
            TaskStatus task = run(progress, batch);
            progress.observe(task, JobProgressTest.running(task.taskArn()), 0, "iiif", Duration.ofSeconds(30));
        }
        IiifJobStatus status = progress.toStatus();
        job.setStatus(status);
        return new Measured(
                stage,
                StatusSize.of(status),
                StatusSize.of(job),
                status.batches().size(),
                status.tasks().size());
    }

    private static TaskStatus run(JobProgress progress, int batch) {
        return progress.launched(
                new RunId(batch, 1),
                "arn:aws:ecs:eu-west-1:123456789012:task/iiif-production/" + String.format("%032x", batch * 7919L),
                "iiif-production");
    }

    private static ImageCheck check(int batch, int size, int failed) {
        List<ImageCheck.Image> images = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String uri = String.format("box-%04d/IMG_%06d.JPG", batch, batch * size + i);
            images.add(new ImageCheck.Image(uri, i < failed ? "go-iiif derived nothing from it" : null, 4));
        }
        return new ImageCheck(images, size);
    }
}
