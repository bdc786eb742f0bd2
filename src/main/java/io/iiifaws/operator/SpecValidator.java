package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.LaunchType;
import io.iiifaws.api.ManifestSource;
import io.iiifaws.api.Mode;
import io.iiifaws.api.ProcessSpec;
import io.iiifaws.api.ProcessStyle;
import io.iiifaws.api.S3Source;
import io.iiifaws.api.SourceSpec;
import io.iiifaws.api.TaskSpec;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.collection.Snapshot;
import io.iiifaws.collection.SourceKeys;
import io.iiifaws.collection.SourceListing;
import io.iiifaws.ecs.Batch;
import io.iiifaws.ecs.BatchPlanner;
import io.iiifaws.goiiif.BlobLocation;
import io.iiifaws.goiiif.ProcessCommand;
import io.iiifaws.goiiif.ReportLocation;
import io.iiifaws.goiiif.UriCheck;
import io.iiifaws.lambda.LambdaInvoker;
import io.iiifaws.lambda.S3Events;
import io.iiifaws.operator.TaskLabels.RunId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * Checks a spec before any AWS call and works out its plan. Each problem names the field, so the
 * job's Failed condition tells the user what to change.
 */
final class SpecValidator {
    /** Batches a job may have: status records each, and a resource must stay well under 1.5 MB. */
    static final int MAX_BATCHES = 500;
    /**
     * The most spec an object may have so that it and a status of JobProgress.STATUS_BUDGET fit in
     * etcd's 1.5 MiB request limit, with room for metadata.
     */
    static final long MAX_SPEC_BYTES = 1536 * 1024 - JobProgress.STATUS_BUDGET - 64 * 1024;
    /** ECS's limit on a container's name. */
    static final int MAX_CONTAINER_NAME = 255;
    /** The longest deadline: ten years, well within what times in status can hold. */
    static final long MAX_DEADLINE_SECONDS = 315_360_000L;
    /** Tags ECS allows on a task, minus the four the operator adds. */
    static final int MAX_USER_TAGS = 50 - 4;

    private static final Pattern SUBNET = Pattern.compile("subnet-[0-9a-f]{8,17}");
    private static final Pattern SECURITY_GROUP = Pattern.compile("sg-[0-9a-f]{8,17}");

    private final AwsClients aws;
    private final Optional<String> defaultReports;

    /** @param defaultReports the operator's reports location for jobs that name none */
    SpecValidator(AwsClients aws, Optional<String> defaultReports) {
        this.aws = aws;
        this.defaultReports = defaultReports;
    }

    JobPlan plan(IiifJob job) throws InvalidSpecException {
        IiifJobSpec spec = job.getSpec();
        if (spec == null) {
            throw new InvalidSpecException("spec is required");
        }
        checkRanges(spec);
        if (spec.source() != null && !spec.uris().isEmpty()) {
            throw new InvalidSpecException("spec names either uris or source, not both");
        }
        if (spec.source() != null && spec.mode() != Mode.Task) {
            throw new InvalidSpecException("spec.source needs spec.mode Task: Invoke mode sends its URIs in one event");
        }
        ProcessCommand command = command(spec.process());
        List<String> uris = spec.source() != null ? List.of() : uris(spec, command);
        Region region;
        try {
            region = aws.region(spec.region());
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("spec.region: " + e.getMessage());
        }
        if (spec.mode() == Mode.Invoke) {
            boolean invoked = job.getStatus() != null
                    && job.getStatus().invocation() != null
                    && job.getStatus().invocation().statusCode() != null;
            return new JobPlan(
                    job,
                    region,
                    command,
                    uris,
                    List.of(),
                    invoked ? null : invocationPayload(spec, uris, region),
                    Optional.empty(),
                    null,
                    Optional.empty());
        }
        Optional<ReportLocation> reports = Optional.empty();
        String unchecked = null;
        try {
            reports = reports(job, command, region);
        } catch (UncheckedException e) {
            if (spec.source() != null) {
                throw new InvalidSpecException("spec.source needs the job's reports location, where its snapshot of"
                        + " URIs is written, and " + e.getMessage());
            }
            unchecked = e.getMessage();
        }
        TaskSpec task = spec.task();
        if (task == null) {
            throw new InvalidSpecException("spec.task is required in Task mode");
        }
        require(task.cluster(), "spec.task.cluster is required in Task mode");
        require(task.taskDefinition(), "spec.task.taskDefinition is required in Task mode");
        require(
                task.container(),
                "spec.task.container is required in Task mode: it names the container that runs iiif-process");
        if (task.container().length() > MAX_CONTAINER_NAME) {
            throw new InvalidSpecException(
                    "spec.task.container is " + task.container().length() + " characters; ECS names"
                            + " containers in at most " + MAX_CONTAINER_NAME);
        }
        checkPlacement(spec);
        checkTags(task.tags());
        RunId longest = new RunId(999_999, 999_999);
        Map<String, String> longestLabels = TaskLabels.environment(job, longest);
        Optional<ReportLocation> longestReports = reports.map(r -> r.run(longest.batch(), longest.attempt()));
        java.util.function.Supplier<BatchPlanner.Filler> fillers = () ->
                new BatchPlanner.Filler(spec.batch().size(), command, longestReports, task.container(), longestLabels);
        if (spec.source() != null) {
            try {
                fillers.get();
            } catch (BatchPlanner.CommandTooLongException e) {
                throw new InvalidSpecException("spec.process: " + e.getMessage());
            }
            SourcePlan source = source(spec, region, reports.orElseThrow(), command, fillers);
            return new JobPlan(job, region, command, uris, List.of(), null, reports, null, Optional.of(source));
        }
        if (job.getStatus() != null && !job.getStatus().batches().isEmpty()) {
            // A started job keeps the batches it recorded, whatever spec.batch.size becomes.
            return new JobPlan(job, region, command, uris, List.of(), null, reports, unchecked, Optional.empty());
        }
        List<Batch> batches;
        try {
            batches = BatchPlanner.plan(
                    uris,
                    spec.batch().size(),
                    command,
                    reports.map(r -> r.run(longest.batch(), longest.attempt())),
                    task.container(),
                    longestLabels);
        } catch (BatchPlanner.CommandTooLongException e) {
            throw new InvalidSpecException("spec.process: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("spec.uris: " + e.getMessage());
        }
        if (batches.size() > MAX_BATCHES) {
            throw new InvalidSpecException(
                    "spec.batch.size: the URIs make " + batches.size() + " batches and a job may have at most "
                            + MAX_BATCHES + "; raise spec.batch.size or split the job");
        }
        return new JobPlan(job, region, command, uris, batches, null, reports, unchecked, Optional.empty());
    }

    /** What a spec.source job lists, and where its snapshot and results go, under its reports location. */
    private SourcePlan source(
            IiifJobSpec spec,
            Region region,
            ReportLocation reports,
            ProcessCommand command,
            java.util.function.Supplier<BatchPlanner.Filler> fillers)
            throws InvalidSpecException {
        SourceSpec source = spec.source();
        boolean strip = spec.process().stripPaths();
        Snapshot snapshot = new Snapshot(reports.child("snapshot"));
        ReportLocation results = reports.child("results");
        if ((source.s3() == null) == (source.manifest() == null)) {
            throw new InvalidSpecException("spec.source names either s3 or manifest");
        }
        if (source.s3() != null) {
            S3Source s3 = source.s3();
            require(s3.bucket(), "spec.source.s3.bucket is required");
            if (!s3.bucket().matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new InvalidSpecException(
                        "spec.source.s3.bucket ('" + s3.bucket() + "') is not an S3 bucket name");
            }
            String bucketRegion = region(s3.region(), "spec.source.s3.region", region);
            SourceKeys keys =
                    new SourceKeys(s3.keepPrefix() ? "" : s3.prefix(), s3.suffixes(), strip, command, fillers.get());
            return new SourcePlan(
                    new SourceListing.Source.Prefix(s3), bucketRegion, keys, fillers, strip, snapshot, results);
        }
        ManifestSource manifest = source.manifest();
        java.util.regex.Matcher uri = java.util.regex.Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)")
                .matcher(manifest.uri() == null ? "" : manifest.uri());
        if (!uri.matches()) {
            throw new InvalidSpecException(
                    "spec.source.manifest.uri ('" + manifest.uri() + "') is not an S3 object such as s3://bucket/key");
        }
        String manifestRegion = region(manifest.region(), "spec.source.manifest.region", region);
        SourceKeys keys = new SourceKeys("", List.of(), strip, command, fillers.get());
        return new SourcePlan(
                new SourceListing.Source.Manifest(manifest, uri.group(1), uri.group(2)),
                manifestRegion,
                keys,
                fillers,
                true,
                snapshot,
                results);
    }

    private String region(String named, String field, Region job) throws InvalidSpecException {
        if (named == null) {
            return job.id();
        }
        try {
            return aws.region(named).id();
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(field + ": " + e.getMessage());
        }
    }

    /** Why a job's images go unchecked. */
    private static final class UncheckedException extends Exception {
        UncheckedException(String message) {
            super(message);
        }
    }

    /**
     * The job's reports location: what status recorded when the job started, else spec.process.reports
     * or the operator's default, under NAMESPACE/NAME/UID/.
     *
     * @throws UncheckedException saying why the job's images will not be checked
     */
    private Optional<ReportLocation> reports(IiifJob job, ProcessCommand command, Region region)
            throws InvalidSpecException, UncheckedException {
        ProcessSpec process = job.getSpec().process();
        IiifJobStatus status = job.getStatus() == null ? IiifJobStatus.EMPTY : job.getStatus();
        if (process.reports() != null) {
            try {
                ReportLocation.parse(process.reports(), region.id());
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException("spec.process.reports: " + e.getMessage());
            }
            if (!command.reportsReadable()) {
                throw new InvalidSpecException(
                        "spec.process.reports: go-iiif 1 to 3 (style " + process.style()
                                + ") write their reports beside the derivatives, not to a bucket; remove it, or use style v4 for go-iiif 4+");
            }
            if (process.reportName() != null) {
                throw new InvalidSpecException("spec.process.reportName: the operator names the reports that go to"
                        + " spec.process.reports; remove reportName");
            }
        }
        if (status.reports() != null) {
            try {
                return Optional.of(ReportLocation.parse(status.reports(), region.id()));
            } catch (IllegalArgumentException e) {
                throw new UncheckedException("status.reports cannot be read: " + e.getMessage());
            }
        }
        if (!command.reportsReadable()) {
            throw new UncheckedException("go-iiif 1 to 3 (style " + process.style() + ") write their reports where the"
                    + " operator cannot find them");
        }
        Optional<String> configured = Optional.ofNullable(process.reports()).or(() -> defaultReports);
        if (configured.isEmpty()) {
            throw new UncheckedException("no reports location: set spec.process.reports or the operator's --reports");
        }
        if (process.reportName() != null) {
            throw new UncheckedException("spec.process.reportName names go-iiif's reports");
        }
        if (!status.tasks().isEmpty()) {
            throw new UncheckedException("the job started before it had a reports location");
        }
        ReportLocation base = ReportLocation.parse(configured.get(), region.id());
        var meta = job.getMetadata();
        return Optional.of(base.child(meta.getNamespace() + "/" + meta.getName() + "/" + meta.getUid()));
    }

    /** The URIs as go-iiif will get them: checked, and reduced to base names if asked. */
    private static List<String> uris(IiifJobSpec spec, ProcessCommand command) throws InvalidSpecException {
        if (spec.uris().isEmpty()) {
            throw new InvalidSpecException("spec.uris must list at least one URI, or spec.source name where they are");
        }
        long bytes = spec.uris().stream()
                .mapToLong(u -> u == null ? 5 : u.getBytes(StandardCharsets.UTF_8).length + 3)
                .sum();
        if (bytes > MAX_SPEC_BYTES) {
            throw new InvalidSpecException(
                    "spec.uris: the " + spec.uris().size() + " URIs are " + bytes + " bytes; with the"
                            + " job's status they would not fit in the 1.5 MiB etcd stores of an object ("
                            + MAX_SPEC_BYTES + " bytes of URIs"
                            + " at most): split the job");
        }
        List<String> result = new ArrayList<>(spec.uris().size());
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (int i = 0; i < spec.uris().size(); i++) {
            String uri = spec.uris().get(i);
            String field = "spec.uris[" + i + "]";
            if (uri == null || uri.isBlank()) {
                throw new InvalidSpecException(field + " is empty");
            }
            UriCheck check = UriCheck.of(uri, spec.process().stripPaths(), command);
            if (check.problem().isPresent()) {
                String why = check.problem().get();
                // A URI with a control character is not quoted: it would break the message's line.
                throw new InvalidSpecException(
                        why.contains("control character")
                                ? field + " " + why
                                : UriCheck.phrase(field + " ('" + uri + "')", why));
            }
            String passed = check.passed();
            Integer earlier = seen.putIfAbsent(passed, i);
            if (earlier != null) {
                throw new InvalidSpecException(
                        field + " ('" + uri + "') is the image of spec.uris[" + earlier + "] again"
                                + (passed.equals(uri) ? "" : " once stripPaths reduces it to '" + passed + "'")
                                + ": go-iiif would process it twice into the same place");
            }
            result.add(passed);
        }
        return result;
    }

    /**
     * The CRD's bounds, checked again: the API server may not have enforced them (an older CRD, a
     * server without validation), and the operator must not trust that it did.
     */
    private static void checkRanges(IiifJobSpec spec) throws InvalidSpecException {
        between("spec.parallelism", spec.parallelism(), 1, 1000);
        between("spec.backoffLimit", spec.backoffLimit(), 0, 100);
        if (spec.batch().size() != null) {
            between("spec.batch.size", spec.batch().size(), 1, 100_000);
        }
        if (spec.activeDeadlineSeconds() != null) {
            between("spec.activeDeadlineSeconds", spec.activeDeadlineSeconds(), 1, MAX_DEADLINE_SECONDS);
        }
        if (spec.ttlSecondsAfterFinished() != null) {
            between("spec.ttlSecondsAfterFinished", spec.ttlSecondsAfterFinished(), 0, MAX_DEADLINE_SECONDS);
        }
        between("spec.process.maxFailedImages", spec.process().maxFailedImages(), 0, 100_000);
    }

    private static void between(String field, long value, long least, long most) throws InvalidSpecException {
        if (value < least) {
            throw new InvalidSpecException(field + ": " + value + " is less than " + least);
        }
        if (value > most) {
            throw new InvalidSpecException(field + ": " + value + " is more than " + most);
        }
    }

    private static ProcessCommand command(ProcessSpec process) throws InvalidSpecException {
        for (String part : process.command()) {
            if (part == null || part.isEmpty()) {
                throw new InvalidSpecException("spec.process.command has an empty element");
            }
        }
        for (var file :
                List.of(Map.entry("config", process.config()), Map.entry("instructions", process.instructions()))) {
            String field = "spec.process." + file.getKey();
            if (process.style() == ProcessStyle.v4) {
                try {
                    BlobLocation.parse(file.getValue());
                } catch (IllegalArgumentException e) {
                    throw new InvalidSpecException(field + ": " + e.getMessage());
                }
            } else if (!file.getValue().startsWith("/")) {
                throw new InvalidSpecException(
                        field + " must be an absolute path in the container for style " + process.style());
            }
        }
        return ProcessCommand.of(process);
    }

    private static void checkPlacement(IiifJobSpec spec) throws InvalidSpecException {
        TaskSpec task = spec.task();
        if (task.launchType() != null && !task.capacityProviderStrategy().isEmpty()) {
            throw new InvalidSpecException(
                    "spec.task.launchType and spec.task.capacityProviderStrategy cannot both be set");
        }
        for (int i = 0; i < task.capacityProviderStrategy().size(); i++) {
            if (task.capacityProviderStrategy().get(i) == null) {
                throw new InvalidSpecException("spec.task.capacityProviderStrategy[" + i + "] is empty");
            }
            if (task.capacityProviderStrategy().get(i).capacityProvider() == null) {
                throw new InvalidSpecException(
                        "spec.task.capacityProviderStrategy[" + i + "].capacityProvider is required");
            }
        }
        // ECS refuses a strategy of several providers that all weigh 0 (a missing weight is 0).
        if (task.capacityProviderStrategy().size() > 1
                && task.capacityProviderStrategy().stream().allMatch(c -> c.weight() == null || c.weight() == 0)) {
            throw new InvalidSpecException(
                    "spec.task.capacityProviderStrategy: of several providers, at least one needs a"
                            + " weight above 0");
        }
        boolean fargate = task.launchType() == LaunchType.FARGATE
                || task.capacityProviderStrategy().stream()
                        .anyMatch(c -> c.capacityProvider().startsWith("FARGATE"));
        var network = spec.network();
        if (fargate && network.subnets().isEmpty()) {
            throw new InvalidSpecException("spec.network.subnets is required for Fargate tasks (awsvpc network mode)");
        }
        if (network.subnets().isEmpty() && !network.securityGroups().isEmpty()) {
            throw new InvalidSpecException("spec.network.securityGroups needs spec.network.subnets");
        }
        for (int i = 0; i < network.subnets().size(); i++) {
            if (!SUBNET.matcher(String.valueOf(network.subnets().get(i))).matches()) {
                throw new InvalidSpecException("spec.network.subnets[" + i + "] ('"
                        + network.subnets().get(i) + "') is not a subnet ID (subnet-…)");
            }
        }
        for (int i = 0; i < network.securityGroups().size(); i++) {
            if (!SECURITY_GROUP
                    .matcher(String.valueOf(network.securityGroups().get(i)))
                    .matches()) {
                throw new InvalidSpecException("spec.network.securityGroups[" + i + "] ('"
                        + network.securityGroups().get(i) + "') is not a security group ID (sg-…)");
            }
        }
    }

    private static void checkTags(Map<String, String> tags) throws InvalidSpecException {
        if (tags.size() > MAX_USER_TAGS) {
            throw new InvalidSpecException("spec.task.tags has " + tags.size() + " tags; ECS allows " + MAX_USER_TAGS
                    + " besides the operator's own");
        }
        for (var tag : tags.entrySet()) {
            String key = tag.getKey();
            String field = "spec.task.tags['" + key + "']";
            if (key.isEmpty() || key.length() > 128) {
                throw new InvalidSpecException(field + ": keys are 1 to 128 characters");
            }
            if (key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
                throw new InvalidSpecException(field + ": the aws: prefix is reserved by AWS");
            }
            if (key.startsWith(TaskLabels.TAG_PREFIX)) {
                throw new InvalidSpecException(field + ": the " + TaskLabels.TAG_PREFIX + " prefix is the operator's");
            }
            if (tag.getValue() == null || tag.getValue().length() > 256) {
                throw new InvalidSpecException(field + ": values are 0 to 256 characters");
            }
        }
    }

    private static String invocationPayload(IiifJobSpec spec, List<String> uris, Region region)
            throws InvalidSpecException {
        if (spec.lambda() == null
                || spec.lambda().functionName() == null
                || spec.lambda().functionName().isBlank()) {
            throw new InvalidSpecException("spec.lambda.functionName is required in Invoke mode");
        }
        String payload = S3Events.forUris(uris, region.id(), null);
        var type = LambdaRunner.invocationType(spec.lambda().invocationType());
        int limit = LambdaInvoker.limitFor(type);
        int size = payload.getBytes(StandardCharsets.UTF_8).length;
        if (size > limit) {
            throw new InvalidSpecException("spec.uris: the S3 event for " + uris.size() + " URIs is " + size
                    + " bytes; Lambda takes at most " + limit + " for "
                    + spec.lambda().invocationType() + " invocations. Split the job or use Task mode");
        }
        return payload;
    }

    private static void require(String value, String message) throws InvalidSpecException {
        if (value == null || value.isBlank()) {
            throw new InvalidSpecException(message);
        }
    }
}
