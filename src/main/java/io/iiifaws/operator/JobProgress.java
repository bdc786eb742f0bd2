package io.iiifaws.operator;

import io.iiifaws.api.BatchStatus;
import io.iiifaws.api.BatchesDone;
import io.iiifaws.api.Condition;
import io.iiifaws.api.ContainerResult;
import io.iiifaws.api.FailedImage;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.ImagesStatus;
import io.iiifaws.api.InvocationStatus;
import io.iiifaws.api.Phase;
import io.iiifaws.api.SourceStatus;
import io.iiifaws.api.TaskResult;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.api.UriRange;
import io.iiifaws.ecs.Batch;
import io.iiifaws.ecs.ContainerState;
import io.iiifaws.ecs.TaskObservation;
import io.iiifaws.ecs.TaskVerdict;
import io.iiifaws.ecs.Vanished;
import io.iiifaws.goiiif.ImageCheck;
import io.iiifaws.goiiif.ReportLocation;
import io.iiifaws.operator.TaskLabels.RunId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A job's status while one reconciliation works on it: it takes what ECS and Lambda say and what
 * the operator does, keeps batches, tasks, counters and conditions consistent, and collects the
 * events to record. It makes no calls itself.
 */
final class JobProgress {
    /** Tasks kept in status; past this, finished runs that a later run replaced are dropped. */
    static final int MAX_TASKS = 1000;
    /**
     * Bytes of status the operator keeps to: with a spec of at most SpecValidator.MAX_SPEC_BYTES,
     * the object stays within etcd's 1.5 MiB request limit.
     */
    static final long STATUS_BUDGET = 512 * 1024;
    /** Below this many tasks, status is far from its budget and is not measured. */
    static final int BUDGET_CHECK_FROM = 200;
    /** What status says of a task that ECS described and then answered MISSING for, once. */
    static final String MISSING = "MISSING";
    /** Failed images a batch names in status; its counts cover the rest. */
    static final int FAILED_IMAGES_PER_BATCH = 5;
    /** Finished tasks a spec.source job keeps in status: its batches and results hold the rest. */
    static final int SOURCE_FINISHED_TASKS = 20;
    /** Failed images the job names in status and in messages. */
    static final int FAILED_IMAGES_SHOWN = 20;

    private final IiifJob job;
    private final Instant now;
    private final Backoffs backoffs;
    private final List<BatchStatus> batches;
    private final List<TaskStatus> tasks;
    private final List<JobEvent> events = new ArrayList<>();
    private List<Condition> conditions;
    private String startTime;
    private String completionTime;
    private InvocationStatus invocation;
    private String reports;
    /** The images of the task an Invoke-mode job follows, which has no batches. */
    private ImagesStatus unbatchedImages;
    /** spec.source jobs: the listing, how many batches the stored status counted, the batches folded. */
    private SourceStatus source;

    private final int recordedBatches;
    private final java.util.BitSet folded = new java.util.BitSet();
    private final ImagesStatus foldedImages;
    private final int foldedFailures;
    private String results;

    private String lastVerdict;
    /** A wait this pass asks for that status does not show (a throttled call, say). */
    private Duration lookAgain;

    JobProgress(IiifJob job, List<Batch> plan, Instant now, Backoffs backoffs) {
        this.job = job;
        this.now = now;
        this.backoffs = backoffs;
        IiifJobStatus status = job.getStatus() == null ? IiifJobStatus.EMPTY : job.getStatus();
        this.tasks = new ArrayList<>(status.tasks());
        this.conditions = status.conditions();
        this.startTime = status.startTime();
        this.completionTime = status.completionTime();
        this.invocation = status.invocation();
        this.reports = status.reports();
        this.unbatchedImages = status.batches().isEmpty() ? status.images() : null;
        this.source = status.source();
        this.results = status.results();
        this.recordedBatches = source == null ? 0 : source.batches();
        if (job.getSpec() != null && job.getSpec().source() != null) {
            // Only the batches with a history are listed; the others are pending, or folded into batchesDone.
            BatchesDone done = status.batchesDone();
            this.foldedImages = done == null || done.images() == null ? ImagesStatus.NONE : done.images();
            this.foldedFailures = done == null ? 0 : done.failures();
            if (done != null) {
                Ranges.parse(done.ranges()).forEach(folded::set);
            }
            this.batches = new ArrayList<>();
            java.util.Map<Integer, BatchStatus> listed = new java.util.HashMap<>();
            status.batches().forEach(b -> listed.put(b.index(), b));
            for (int i = 0; i < recordedBatches; i++) {
                BatchStatus pending = BatchStatus.pending(i, null);
                batches.add(folded.get(i) ? pending.succeeded(null) : listed.getOrDefault(i, pending));
            }
            return;
        }
        this.foldedImages = ImagesStatus.NONE;
        this.foldedFailures = 0;
        this.batches = new ArrayList<>(status.batches());
        // A finished job keeps the status it ended with, also one written without its lists.
        if (batches.isEmpty() && !status.isFinished()) {
            plan.forEach(b -> batches.add(BatchStatus.pending(b.index(), b.range())));
        }
    }

    // ---- source -----------------------------------------------------------------------------

    boolean hasSource() {
        return job.getSpec() != null && job.getSpec().source() != null;
    }

    Optional<SourceStatus> source() {
        return Optional.ofNullable(source);
    }

    /**
     * Takes in how far the listing came: more batches to run, and the Listing condition. Batches
     * the stored status did not count yet wait for the next pass to launch: their objects are
     * then part of the snapshot for good.
     */
    void listed(SourceStatus latest) {
        source = latest;
        while (batches.size() < latest.batches()) {
            batches.add(BatchStatus.pending(batches.size(), null));
        }
        String counts = counts(latest);
        conditions = latest.isListed()
                ? set(Condition.LISTING, false, "Listed", "Listed " + counts + " into " + latest.snapshot())
                : set(
                        Condition.LISTING,
                        true,
                        "Listing",
                        "Listing into " + latest.snapshot() + ": " + counts + " so far");
    }

    /** The listing ended: an event says what it found and what it left out. */
    void listingEnded(SourceStatus latest) {
        String counts = counts(latest);
        String skipped = latest.skippedExamples().stream()
                .limit(3)
                .map(e -> io.iiifaws.goiiif.UriCheck.phrase("'" + e.entry() + "'", e.reason()))
                .collect(java.util.stream.Collectors.joining("; "));
        event(
                latest.skipped() == 0
                        ? JobEvent.normal("Listed", "Listed " + counts)
                        : JobEvent.warning(
                                "Listed",
                                "Listed " + counts + ": " + skipped
                                        + (latest.skipped() > 3 ? "; see status.source.skippedExamples" : "")));
    }

    /** "5,000 URIs in 50 batches, 3 entries skipped". */
    private static String counts(SourceStatus listing) {
        return String.format("%,d URIs in %,d batches", listing.uris(), listing.batches())
                + (listing.skipped() > 0 ? String.format(", %,d entries skipped", listing.skipped()) : "");
    }

    /** Where the per-image results of a spec.source job go. */
    void resultsAt(String location) {
        if (results == null) {
            results = location;
        }
    }

    Instant now() {
        return now;
    }

    String jobName() {
        return job.namespacedName();
    }

    List<JobEvent> events() {
        return events;
    }

    /** The pass should look at the job again within this long, for a reason status does not hold. */
    void lookAgainWithin(Duration wait) {
        lookAgain = lookAgain == null || wait.compareTo(lookAgain) < 0 ? wait : lookAgain;
    }

    Optional<Duration> lookAgain() {
        return Optional.ofNullable(lookAgain);
    }

    void event(JobEvent event) {
        events.add(event);
    }

    // ---- lifetime -------------------------------------------------------------------------

    boolean isFinished() {
        return isTrue(Condition.COMPLETE) || isTrue(Condition.FAILED);
    }

    boolean isSuspended() {
        return isTrue(Condition.SUSPENDED);
    }

    /** Starts the clock for activeDeadlineSeconds, as a Job's startTime. */
    /** Whether no pass has started the job: no launch of it can have happened. */
    boolean neverStarted() {
        return startTime == null
                && tasks.isEmpty()
                && condition(Condition.SUSPENDED).isEmpty();
    }

    void start() {
        if (startTime == null) {
            startTime = Times.format(now);
        }
    }

    /**
     * Fixes where the job's runs write their reports, before its first launch; a job that launched
     * without a location keeps running unchecked, and one that has a location keeps it.
     */
    void reportsAt(Optional<ReportLocation> location) {
        if (reports == null && tasks.isEmpty() && location.isPresent()) {
            reports = location.get().uri();
        }
    }

    /**
     * Where a run's go-iiif writes its reports, if its images are checked: under the job's location
     * in Task mode, where the function's answer says in Invoke mode.
     */
    Optional<ReportLocation> reportsOf(TaskStatus run) {
        if (invocation != null) {
            return Optional.ofNullable(invocation.reports()).map(r -> ReportLocation.parse(r, run.region()));
        }
        return Optional.ofNullable(reports)
                .map(r -> ReportLocation.parse(r, run.region()).run(run.batch(), run.attempt()));
    }

    Optional<Instant> deadline() {
        Long seconds = job.getSpec().activeDeadlineSeconds();
        if (seconds == null || startTime == null || isSuspended()) {
            return Optional.empty();
        }
        return Optional.of(Times.parse(startTime).plusSeconds(seconds));
    }

    /** Past the deadline: targets failure with DeadlineExceeded and returns true. */
    boolean targetDeadline() {
        if (deadline().map(d -> !now.isBefore(d)).orElse(false)) {
            failureTarget(
                    "DeadlineExceeded",
                    "Job was active longer than its activeDeadlineSeconds ("
                            + job.getSpec().activeDeadlineSeconds() + " s)");
            return true;
        }
        return false;
    }

    void suspend() {
        if (!isSuspended()) {
            conditions = set(Condition.SUSPENDED, true, "JobSuspended", "Job suspended");
            event(JobEvent.normal("Suspended", "Job suspended: running tasks are stopped, nothing is launched"));
        }
        // As for a Job, the deadline counts from the resume.
        startTime = null;
    }

    void resumeIfSuspended() {
        if (isSuspended()) {
            conditions = set(Condition.SUSPENDED, false, "JobResumed", "Job resumed");
            event(JobEvent.normal("Resumed", "Job resumed"));
        }
    }

    Optional<Condition> failureTarget() {
        return condition(Condition.FAILURE_TARGET).filter(Condition::isTrue);
    }

    /** The job will fail once its tasks have stopped. */
    void failureTarget(String reason, String message) {
        if (failureTarget().isEmpty()) {
            conditions = set(Condition.FAILURE_TARGET, true, reason, message);
        }
    }

    /** Fails the job now. */
    void fail(String reason, String message) {
        conditions = set(Condition.FAILED, true, reason, message);
        completionTime = Times.format(now);
        event(JobEvent.warning(reason, message));
    }

    /** Fails the job as its FailureTarget condition says. */
    void failAsTargeted() {
        Condition target = failureTarget().orElseThrow();
        fail(target.reason(), target.message());
    }

    void complete(String reason, String message) {
        conditions = set(Condition.COMPLETE, true, reason, message);
        completionTime = Times.format(now);
        event(JobEvent.normal("Completed", message));
    }

    // ---- tasks ----------------------------------------------------------------------------

    List<TaskStatus> tasks() {
        return List.copyOf(tasks);
    }

    List<TaskStatus> activeTasks() {
        return tasks.stream().filter(TaskStatus::isActive).toList();
    }

    boolean knows(String taskArn) {
        return tasks.stream().anyMatch(t -> t.taskArn().equals(taskArn));
    }

    Optional<TaskStatus> task(RunId run) {
        return tasks.stream()
                .filter(t -> t.batch() == run.batch() && t.attempt() == run.attempt())
                .findFirst();
    }

    /** The number of the next run of a batch. */
    int nextAttempt(int batch) {
        int recorded = tasks.stream()
                .filter(t -> t.batch() == batch)
                .mapToInt(TaskStatus::attempt)
                .max()
                .orElse(0);
        int launched = batch < batches.size() ? batches.get(batch).attempts() : 0;
        return Math.max(recorded, launched) + 1;
    }

    /** Refusals recorded for a batch, which make its next client token differ from the refused one. */
    int refusals(int batch) {
        return batch < batches.size() ? batches.get(batch).refusals() : 0;
    }

    /** Records a task RunTask just started, or one found in ECS that status did not know. */
    TaskStatus launched(RunId run, String taskArn, String cluster) {
        UriRange uris = batches.isEmpty()
                ? new UriRange(0, job.getSpec().uris().size() - 1)
                : batches.get(run.batch()).uris();
        TaskStatus task = TaskStatus.launched(taskArn, run.batch(), run.attempt(), uris, cluster, Times.format(now));
        tasks.add(task);
        updateBatch(run.batch(), b -> b.launched(run.attempt()));
        return task;
    }

    /** A launch that AWS turned down for a reason that may pass: try again later. */
    Duration launchDeferred(int batch, String why, boolean refused) {
        Duration wait = Backoffs.delay(backoffs.afterRetry(), batches.get(batch).retries() + 1);
        updateBatch(batch, b -> b.retried(Times.format(now.plus(wait)), why, refused));
        return wait;
    }

    /** The operator asked ECS to stop the task. */
    void stopRequested(TaskStatus task) {
        replace(task, task.withDesiredStatus(TaskObservation.STOPPED));
    }

    /**
     * Takes in what DescribeTasks said of a task status records as active. Only the latest run of a
     * batch moves the batch; an older run found late is recorded and nothing more.
     *
     * @param container the container whose exit code decides, or null for all of them
     * @param missingInARow how many describes in a row ECS did not know the task: it is lost once
     *     two describes after it was known said so
     * @param missingGrace how long after launch a task ECS does not know is taken for ECS's
     *     eventual consistency rather than lost
     */
    void observe(TaskStatus task, TaskObservation seen, int missingInARow, String container, Duration missingGrace) {
        boolean latest = task.batch() >= batches.size()
                || task.attempt() >= batches.get(task.batch()).attempts();
        String subject = "Task " + task.taskArn() + " (batch " + task.batch() + ", attempt " + task.attempt() + ")";
        if (seen.missing()) {
            boolean knownBefore = task.lastStatus() != null;
            if (Vanished.judge(knownBefore, missingInARow, Times.parse(task.launchedAt()), now, missingGrace)
                    == Vanished.WAIT) {
                if (knownBefore && !MISSING.equals(task.lastStatus())) {
                    replace(task, task.withLastStatus(MISSING));
                }
                return;
            }
            replace(task, task.withResult(TaskResult.Lost));
            lastVerdict = "ECS no longer knows the task";
            String why =
                    subject + " is no longer known to ECS" + (latest ? "; batch " + task.batch() + " runs again" : "");
            if (latest) {
                retryLater(task.batch(), why);
            }
            event(JobEvent.warning("TaskLost", why).about(task.taskArn()));
            return;
        }
        TaskVerdict verdict = TaskVerdict.judge(seen, container, TaskLabels.STOP_MARKER);
        TaskResult result =
                switch (verdict.outcome()) {
                    case RUNNING -> null;
                    case SUCCEEDED -> TaskResult.Succeeded;
                    case FAILED -> TaskResult.Failed;
                    case INTERRUPTED -> TaskResult.Interrupted;
                    case STOPPED_ON_REQUEST -> TaskResult.Stopped;
                };
        TaskStatus updated = describedAs(task, seen, container, verdict, result);
        if (updated.equals(task)) {
            return;
        }
        replace(task, updated);
        if (result == null) {
            return;
        }
        lastVerdict = verdict.explanation();
        switch (result) {
            case Succeeded -> {
                if (reportsOf(task).isPresent()) {
                    replace(updated, updated.withResult(TaskResult.Verifying));
                    event(JobEvent.normal(
                                    "Verifying", subject + ": " + verdict.explanation() + "; reading go-iiif's reports")
                            .about(task.taskArn()));
                } else {
                    if (latest) {
                        updateBatch(
                                task.batch(),
                                b -> b.succeeded(new ImagesStatus(0, 0, b.uris().count(), null)));
                    }
                    event(JobEvent.normal("TaskSucceeded", subject + ": " + verdict.explanation())
                            .about(task.taskArn()));
                }
            }
            case Failed -> {
                if (latest) {
                    updateBatch(
                            task.batch(),
                            b -> b.failed(
                                    Times.format(now.plus(Backoffs.delay(backoffs.afterFailure(), b.failures() + 1))),
                                    verdict.explanation()));
                }
                event(JobEvent.warning("TaskFailed", subject + " failed: " + verdict.explanation())
                        .about(task.taskArn()));
            }
            case Interrupted -> {
                if (latest) {
                    retryLater(task.batch(), subject + " " + verdict.explanation());
                }
                event(JobEvent.warning("TaskInterrupted", subject + " " + verdict.explanation())
                        .about(task.taskArn()));
            }
            case Stopped -> {
                if (latest) {
                    updateBatch(task.batch(), b -> b.phase() == Phase.Succeeded ? b : b.withPhase(Phase.Pending));
                }
                event(JobEvent.normal("TaskStopped", subject + " " + verdict.explanation())
                        .about(task.taskArn()));
            }
            case Lost -> throw new IllegalStateException("a described task is not lost");
        }
    }

    /**
     * Takes in the last lines of a run's container log: an event, the log's place in status, and,
     * for a failed run that is its batch's latest, the lines in the batch's message.
     */
    void containerLog(TaskStatus task, FailedRunLogs.Tail tail) {
        if (!tasks.contains(task)) {
            return;
        }
        replace(task, task.withLog(tail.group(), tail.stream()));
        String subject =
                "Container of task " + task.taskArn() + " (batch " + task.batch() + ", attempt " + task.attempt() + ")";
        String where = tail.stream() == null
                ? ""
                : " (aws logs tail " + tail.group() + " --log-stream-names " + tail.stream() + ")";
        String message;
        if (tail.lines().isEmpty()) {
            message = subject + where + ": " + tail.note();
        } else {
            // An event's note holds 1 KiB: the last lines, which say the most, are kept.
            List<String> kept = new ArrayList<>();
            int room = EventRecorder.NOTE_LIMIT - (subject + ", its last 20 lines" + where + ":").length();
            for (int i = tail.lines().size() - 1; i >= 0; i--) {
                room -= tail.lines().get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
                if (room < 0) {
                    break;
                }
                kept.add(0, tail.lines().get(i));
            }
            message = subject + ", its last " + kept.size() + (kept.size() == 1 ? " line" : " lines") + where + ":\n"
                    + String.join("\n", kept);
        }
        event(JobEvent.warning("ContainerLog", message).about(task.taskArn()));
        boolean latest = task.batch() < batches.size()
                && task.attempt() >= batches.get(task.batch()).attempts();
        if (latest && task.result() == TaskResult.Failed && !tail.lines().isEmpty()) {
            updateBatch(
                    task.batch(),
                    b -> b.message() == null
                            ? b
                            : b.withMessage(
                                    b.message() + "; its container's last lines: " + String.join(" | ", tail.lines())));
        }
    }

    /** Runs whose container exited 0 and whose reports are to be read. */
    List<TaskStatus> verifying() {
        return tasks.stream().filter(t -> t.result() == TaskResult.Verifying).toList();
    }

    /**
     * Takes in what go-iiif's reports say of a run's images. A run that left no report at all
     * processed nothing (go-iiif ignored a flag, or could not open the reports bucket): it failed,
     * and counts against the backoff limit. Otherwise the batch succeeded and its images are counted.
     */
    void imagesChecked(TaskStatus task, ImageCheck check, ReportLocation where) {
        boolean latest = task.batch() >= batches.size()
                || task.attempt() >= batches.get(task.batch()).attempts();
        String subject = "Batch " + task.batch() + " (task " + task.taskArn() + ", attempt " + task.attempt() + ")";
        if (check.noReports()) {
            replace(task, task.withResult(TaskResult.Failed));
            String why = "container exited 0, but go-iiif wrote no report for any of its "
                    + check.images().size()
                    + (check.images().size() == 1 ? " image" : " images") + " at " + where
                    + ": it processed none (a flag it ignores, or a reports bucket it cannot write)";
            lastVerdict = why;
            if (latest) {
                updateBatch(
                        task.batch(),
                        b -> b.failed(
                                Times.format(now.plus(Backoffs.delay(backoffs.afterFailure(), b.failures() + 1))),
                                why));
            }
            event(JobEvent.warning("TaskFailed", subject + ": " + why).about(task.taskArn()));
            return;
        }
        replace(task, task.withResult(TaskResult.Succeeded));
        List<ImageCheck.Image> failures = check.failures();
        List<FailedImage> named = failures.stream()
                .limit(FAILED_IMAGES_PER_BATCH)
                .map(i -> new FailedImage(i.uri(), i.problem()))
                .toList();
        ImagesStatus counted = new ImagesStatus(check.processed(), failures.size(), 0, named);
        if (batches.isEmpty()) {
            unbatchedImages = counted;
        } else if (latest) {
            updateBatch(task.batch(), b -> b.succeeded(counted));
        }
        int total = check.images().size();
        if (failures.isEmpty()) {
            event(JobEvent.normal(
                            "ImagesProcessed",
                            subject + ": go-iiif processed " + (total == 1 ? "its image" : "all " + total + " images"))
                    .about(task.taskArn()));
        } else {
            event(JobEvent.warning(
                            "ImagesFailed",
                            subject + ": " + failures.size() + " of " + total + " images failed: "
                                    + describe(
                                            failures.stream()
                                                    .map(i -> new FailedImage(i.uri(), i.problem()))
                                                    .toList(),
                                            failures.size()))
                    .about(task.taskArn()));
        }
    }

    /** The images of the job, over its batches. */
    ImagesStatus images() {
        if (batches.isEmpty()) {
            return unbatchedImages == null ? ImagesStatus.NONE : unbatchedImages;
        }
        int processed = foldedImages.processed();
        int failed = foldedImages.failed();
        int unverified = foldedImages.unverified();
        List<FailedImage> named = new ArrayList<>(foldedImages.failedImages());
        for (BatchStatus batch : batches) {
            ImagesStatus images = batch.images();
            if (images == null) {
                continue;
            }
            processed += images.processed();
            failed += images.failed();
            unverified += images.unverified();
            images.failedImages().stream()
                    .limit(Math.max(0, FAILED_IMAGES_SHOWN - named.size()))
                    .forEach(named::add);
        }
        return new ImagesStatus(processed, failed, unverified, named);
    }

    /** Why the job fails, when go-iiif failed more of its images than {@code allowed}. */
    Optional<String> tooManyFailedImages(int allowed) {
        ImagesStatus images = images();
        if (images.failed() <= allowed) {
            return Optional.empty();
        }
        return Optional.of(images.failed() + (images.failed() == 1 ? " image" : " images") + " failed, more than"
                + " spec.process.maxFailedImages (" + allowed + "): "
                + describe(images.failedImages(), images.failed()));
    }

    /** "a.jpg (why), b.jpg (why) and 3 more". */
    static String describe(List<FailedImage> shown, int total) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < shown.size() && i < FAILED_IMAGES_SHOWN; i++) {
            text.append(i == 0 ? "" : ", ")
                    .append(shown.get(i).uri())
                    .append(" (")
                    .append(shown.get(i).reason())
                    .append(')');
        }
        int rest = total - Math.min(shown.size(), FAILED_IMAGES_SHOWN);
        return rest > 0 ? text + " and " + rest + " more" : text.toString();
    }

    /** How the last task that stopped in this pass ended, in words. */
    Optional<String> lastVerdict() {
        return Optional.ofNullable(lastVerdict);
    }

    private void retryLater(int batch, String why) {
        if (batch < batches.size()) {
            launchDeferred(batch, why, false);
        }
    }

    private static TaskStatus describedAs(
            TaskStatus task, TaskObservation seen, String container, TaskVerdict verdict, TaskResult result) {
        Optional<ContainerState> named = container == null ? Optional.empty() : seen.container(container);
        List<ContainerResult> others = seen.containers().stream()
                .filter(c -> container == null || !c.name().equals(container))
                .filter(c -> c.exitCode() != null || c.reason() != null)
                .map(c -> new ContainerResult(c.name(), c.exitCode(), c.reason()))
                .toList();
        // A stop the operator asked for stays asked for, whatever a lagging DescribeTasks says.
        String desired =
                TaskObservation.STOPPED.equals(task.desiredStatus()) ? task.desiredStatus() : seen.desiredStatus();
        return new TaskStatus(
                task.taskArn(),
                task.batch(),
                task.attempt(),
                task.uris(),
                task.cluster(),
                task.launchedAt(),
                seen.lastStatus(),
                desired,
                seen.isStopped() ? verdict.exitCode() : null,
                named.map(ContainerState::reason).orElse(null),
                seen.stopCode(),
                seen.stoppedReason(),
                Times.format(seen.startedAt()),
                Times.format(seen.stoppedAt()),
                others.isEmpty() ? null : others,
                result,
                task.logGroup(),
                task.logStream());
    }

    private void replace(TaskStatus old, TaskStatus updated) {
        tasks.set(tasks.indexOf(old), updated);
    }

    private void updateBatch(int index, UnaryOperator<BatchStatus> change) {
        if (index < batches.size()) {
            batches.set(index, change.apply(batches.get(index)));
        }
    }

    // ---- batches --------------------------------------------------------------------------

    List<BatchStatus> batches() {
        return List.copyOf(batches);
    }

    boolean allSucceeded() {
        if (hasSource() && (source == null || !source.isListed() || batches.size() < source.batches())) {
            return false;
        }
        return !batches.isEmpty() && batches.stream().allMatch(b -> b.phase() == Phase.Succeeded);
    }

    /** A spec.source job whose listing found nothing to process. */
    boolean listedNothing() {
        return hasSource() && source != null && source.isListed() && source.batches() == 0;
    }

    /** A batch that failed more often than the backoff limit allows, now marked Failed. */
    Optional<BatchStatus> exhausted(int backoffLimit) {
        Optional<BatchStatus> exhausted =
                batches.stream().filter(b -> b.failures() > backoffLimit).findFirst();
        exhausted.ifPresent(b -> updateBatch(b.index(), x -> x.withPhase(Phase.Failed)));
        return exhausted;
    }

    /** Batches to launch now, in order, within the parallelism left by running tasks. */
    List<BatchStatus> launchable(int parallelism) {
        int slots = parallelism - activeTasks().size();
        if (slots <= 0) {
            return List.of();
        }
        return batches.stream()
                .filter(b -> b.phase() == Phase.Pending)
                .filter(b -> !hasSource() || b.index() < recordedBatches)
                .filter(b -> b.notBefore() == null || !now.isBefore(Times.parse(b.notBefore())))
                .limit(slots)
                .toList();
    }

    /** When a batch waiting out a backoff may launch next, if that is still to come. */
    /** When the first active task that ECS has not described yet runs out of grace. */
    Optional<Instant> graceEnds(Duration missingGrace) {
        return activeTasks().stream()
                .filter(t -> t.lastStatus() == null && t.launchedAt() != null)
                .map(t -> Times.parse(t.launchedAt()).plus(missingGrace))
                .min(Comparator.naturalOrder());
    }

    Optional<Instant> nextLaunch() {
        return batches.stream()
                .filter(b -> b.phase() == Phase.Pending && b.notBefore() != null)
                .map(b -> Times.parse(b.notBefore()))
                .filter(now::isBefore)
                .min(Comparator.naturalOrder());
    }

    // ---- invocation -----------------------------------------------------------------------

    Optional<InvocationStatus> invocation() {
        return Optional.ofNullable(invocation);
    }

    void invocation(InvocationStatus next) {
        invocation = next;
    }

    // ---- the result -----------------------------------------------------------------------

    IiifJobStatus toStatus() {
        int active = activeTasks().size();
        int succeeded =
                (int) batches.stream().filter(b -> b.phase() == Phase.Succeeded).count();
        int failed = foldedFailures
                + batches.stream().mapToInt(BatchStatus::failures).sum();
        Phase phase;
        if (isTrue(Condition.COMPLETE)) {
            phase = Phase.Succeeded;
        } else if (isTrue(Condition.FAILED)) {
            phase = Phase.Failed;
        } else if (active > 0 || invocationInFlight() || startTime != null && !isSuspended()) {
            phase = Phase.Running;
        } else {
            phase = Phase.Pending;
        }
        int total = batches.isEmpty() && !hasSource() ? 1 : batches.size();
        int done = batches.isEmpty() ? (phase == Phase.Succeeded && !hasSource() ? 1 : 0) : succeeded;
        ImagesStatus images = images();
        long uris = hasSource()
                ? (source == null ? 0 : source.uris())
                : job.getSpec() == null ? 0 : job.getSpec().uris().size();
        String imageProgress = uris == 0 ? null : (images.processed() + images.unverified()) + "/" + uris;
        List<BatchStatus> shown = batches;
        BatchesDone batchesDone = null;
        if (hasSource()) {
            shown = batches.stream()
                    .filter(b -> b.phase() != Phase.Succeeded)
                    .filter(b -> !b.equals(BatchStatus.pending(b.index(), null)))
                    .toList();
            batchesDone = batchesDone();
        }
        IiifJobStatus withoutTasks = new IiifJobStatus(
                phase,
                job.getMetadata().getGeneration(),
                startTime,
                completionTime,
                done + "/" + total,
                active,
                done,
                failed,
                conditions.isEmpty() ? null : conditions,
                shown.isEmpty() ? null : List.copyOf(shown),
                null,
                invocation,
                reports,
                images.equals(ImagesStatus.NONE) ? null : images,
                imageProgress,
                source,
                batchesDone,
                results);
        List<TaskStatus> kept = pruned(withoutTasks);
        return withoutTasks.withTasks(kept.isEmpty() ? null : kept);
    }

    /** The batches of a spec.source job that succeeded, folded into ranges and counts. */
    private BatchesDone batchesDone() {
        java.util.BitSet succeeded = new java.util.BitSet();
        int processed = foldedImages.processed();
        int failedImages = foldedImages.failed();
        int unverified = foldedImages.unverified();
        List<FailedImage> named = new ArrayList<>(foldedImages.failedImages());
        int failures = foldedFailures;
        for (BatchStatus batch : batches) {
            if (batch.phase() != Phase.Succeeded) {
                continue;
            }
            succeeded.set(batch.index());
            if (folded.get(batch.index())) {
                continue;
            }
            failures += batch.failures();
            if (batch.images() != null) {
                processed += batch.images().processed();
                failedImages += batch.images().failed();
                unverified += batch.images().unverified();
                batch.images().failedImages().stream()
                        .limit(Math.max(0, FAILED_IMAGES_SHOWN - named.size()))
                        .forEach(named::add);
            }
        }
        if (succeeded.isEmpty()) {
            return null;
        }
        return new BatchesDone(
                Ranges.format(succeeded),
                new ImagesStatus(processed, failedImages, unverified, named.isEmpty() ? null : named),
                failures);
    }

    /**
     * The tasks status keeps: every run still running or being checked, and the newest finished
     * runs, as many as MAX_TASKS and the status budget allow. A finished run dropped from status is
     * not lost to the job: its batch records its attempts, failures and images.
     */
    private List<TaskStatus> pruned(IiifJobStatus without) {
        List<TaskStatus> finished = tasks.stream()
                .filter(t -> !t.isActive() && t.result() != TaskResult.Verifying)
                .toList();
        int room = hasSource() ? SOURCE_FINISHED_TASKS : Math.max(0, MAX_TASKS - (tasks.size() - finished.size()));
        int dropped = Math.max(0, finished.size() - room);
        if (tasks.size() > BUDGET_CHECK_FROM) {
            // Each task takes its JSON and a comma in the list; the list its name.
            long bytes = StatusSize.of(without) + "\"tasks\":[],".length();
            for (TaskStatus task : tasks) {
                bytes += StatusSize.of(task) + 1;
            }
            for (TaskStatus task : finished.subList(0, dropped)) {
                bytes -= StatusSize.of(task) + 1;
            }
            for (int i = dropped; i < finished.size() && bytes > STATUS_BUDGET; i++) {
                bytes -= StatusSize.of(finished.get(i)) + 1;
                dropped = i + 1;
            }
        }
        java.util.Set<TaskStatus> gone = new java.util.HashSet<>(finished.subList(0, dropped));
        return tasks.stream().filter(t -> !gone.contains(t)).toList();
    }

    private boolean invocationInFlight() {
        return invocation != null && invocation.statusCode() == null;
    }

    private boolean isTrue(String type) {
        return condition(type).map(Condition::isTrue).orElse(false);
    }

    private Optional<Condition> condition(String type) {
        return conditions.stream().filter(c -> c.type().equals(type)).findFirst();
    }

    private List<Condition> set(String type, boolean status, String reason, String message) {
        return Conditions.set(
                conditions,
                type,
                status,
                reason,
                message,
                now,
                job.getMetadata().getGeneration());
    }
}
