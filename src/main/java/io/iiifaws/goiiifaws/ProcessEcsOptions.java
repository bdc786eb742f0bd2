package io.iiifaws.goiiifaws;

import io.iiifaws.api.ManifestFormat;
import io.iiifaws.api.ManifestSource;
import io.iiifaws.api.ProcessSpec;
import io.iiifaws.api.ProcessStyle;
import io.iiifaws.api.S3Source;
import io.iiifaws.api.SourceStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.Dsn;
import io.iiifaws.collection.SourceKeys;
import io.iiifaws.collection.SourceListing;
import io.iiifaws.ecs.BatchPlanner;
import io.iiifaws.ecs.EcsTasks;
import io.iiifaws.ecs.ProcessTasks;
import io.iiifaws.ecs.TaskTemplate;
import io.iiifaws.goiiif.ImageUris;
import io.iiifaws.goiiif.ProcessCommand;
import io.iiifaws.goiiif.ReportLocation;
import io.iiifaws.goiiif.UriCheck;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.LaunchType;

/**
 * go-iiif-aws's {@code iiif-process-ecs} flags, with their single-dash spelling and defaults, and
 * iiif-aws's additions. Each flag can also come from {@code IIIF_PROCESS_<FLAG>}; the command
 * line wins. The command line and the Lambda handler read their settings from here.
 */
public final class ProcessEcsOptions {
    public static final String ENV_PREFIX = "IIIF_PROCESS_";

    /** What the command does. */
    public enum Mode {
        task,
        invoke,
        lambda
    }

    @Option(
            names = "-mode",
            defaultValue = "task",
            paramLabel = "MODE",
            description =
                    "task: run the ECS task; invoke: invoke the Lambda function; lambda: serve as the Lambda function"
                            + " (in a custom runtime or container image). Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(
            names = "-ecs-dsn",
            paramLabel = "DSN",
            description = "AWS access for ECS: 'region=R credentials=C', C one of iam: (the SDK's default chain), env:,"
                    + " PROFILE or PATH:PROFILE. Default: the SDK's default chain.")
    String ecsDsn;

    @Option(
            names = "-lambda-dsn",
            paramLabel = "DSN",
            description = "AWS access for Lambda (invoke mode), as -ecs-dsn.")
    String lambdaDsn;

    @Option(names = "-cluster", paramLabel = "NAME", description = "ECS cluster that runs the task.")
    String cluster;

    @Option(names = "-task", paramLabel = "FAMILY:REVISION", description = "Task definition of the go-iiif task.")
    String task;

    @Option(
            names = "-container",
            paramLabel = "NAME",
            description =
                    "Container of the task definition that runs iiif-process; its exit code is the task's outcome.")
    String container;

    @Option(
            names = "-subnet",
            split = ",",
            paramLabel = "ID",
            description = "Subnet for the task's network interface; repeat, or separate with commas.")
    List<String> subnets = new ArrayList<>();

    @Option(
            names = "-security-group",
            split = ",",
            paramLabel = "ID",
            description = "Security group for the task's network interface; repeat, or separate with commas.")
    List<String> securityGroups = new ArrayList<>();

    @Option(
            names = "-config",
            defaultValue = ProcessSpec.DEFAULT_CONFIG,
            paramLabel = "PATH",
            description = "go-iiif config file in the container. Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(
            names = "-instructions",
            defaultValue = ProcessSpec.DEFAULT_INSTRUCTIONS,
            paramLabel = "PATH",
            description = "go-iiif instructions file in the container. Default: ${DEFAULT-VALUE}.")
    String instructions;

    @Option(
            names = "-report",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "BOOL",
            description = "Ask go-iiif for its JSON processing report. Default: ${DEFAULT-VALUE}.")
    boolean report;

    @Option(
            names = "-report-name",
            paramLabel = "NAME",
            description = "File name of the report. Default: process.json for go-iiif 1 to 3; go-iiif 4+ keeps its own"
                    + " (process_{sha256_origin}.json) unless a name is given, which it takes as -report-template.")
    String reportName;

    @Option(
            names = "-reports",
            paramLabel = "S3_URI",
            description = "Where go-iiif writes its report of each image (s3://bucket/prefix/, ?region=R for another"
                    + " region), under a folder per run; with -wait the reports are read and every image checked."
                    + " go-iiif 4+ (-go-iiif-style v4) only.")
    String reports;

    @Option(
            names = "-max-failed-images",
            defaultValue = "0",
            paramLabel = "N",
            description = "With -wait and -reports: images go-iiif may fail to process before the exit status is 1."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxFailedImages;

    @Option(
            names = "-strip-paths",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "true",
            paramLabel = "BOOL",
            description = "Reduce URIs to their base names. Default: ${DEFAULT-VALUE}; -strip-paths=false keeps them.")
    boolean stripPaths;

    @Option(
            names = "-uri",
            paramLabel = "URI",
            description = "Image URI; repeat. URIs may also follow the flags; both add up.")
    List<String> uriFlags = new ArrayList<>();

    @Parameters(paramLabel = "URI", description = "Image URIs to process.")
    List<String> uriArgs = new ArrayList<>();

    @Option(
            names = "-source",
            paramLabel = "S3URI",
            description = "Instead of URIs: every image under an S3 prefix, s3://bucket/prefix/; go-iiif gets each key"
                    + " without the prefix (before -strip-paths).")
    String source;

    @Option(
            names = "-manifest",
            paramLabel = "S3URI",
            description = "Instead of URIs: those an S3 object lists, s3://bucket/key, one a line (blank lines and"
                    + " '#' comments skipped), or an S3 Inventory CSV with -manifest-format inventory.")
    String manifest;

    @Option(
            names = "-manifest-format",
            defaultValue = "lines",
            paramLabel = "FORMAT",
            description = "lines (default) or inventory (an S3 Inventory CSV of bucket and URL-encoded key).")
    String manifestFormat;

    @Option(
            names = "-suffix",
            split = ",",
            paramLabel = "SUFFIX",
            description = "With -source or an inventory: file name endings to take (.jpg,.tif); default: the image"
                    + " types go-iiif reads.")
    List<String> suffixes = new ArrayList<>();

    @Option(
            names = "-wait",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "BOOL",
            description = "Wait for the task to stop; the exit status is then the go-iiif container's exit code.")
    boolean waitForTask;

    @Option(names = "-lambda-func", paramLabel = "NAME", description = "Function to invoke in invoke mode.")
    String lambdaFunction;

    @Option(
            names = "-lambda-type",
            defaultValue = "RequestResponse",
            paramLabel = "TYPE",
            description = "Invocation type: RequestResponse, Event or DryRun. Default: ${DEFAULT-VALUE}.")
    io.iiifaws.api.InvocationType lambdaType;

    @Option(
            names = "-go-iiif-style",
            defaultValue = "v1",
            paramLabel = "STYLE",
            description = "Flags go-iiif in the container takes: v1 (go-iiif 1.x, what go-iiif-aws sent; the default),"
                    + " v2 (go-iiif 2 and 3) or v4 (go-iiif 4 to 8).")
    ProcessStyle style;

    @Option(
            names = "-launch-type",
            defaultValue = "FARGATE",
            paramLabel = "TYPE",
            description = "FARGATE, EC2 or EXTERNAL; ignored with -capacity-provider. Default: ${DEFAULT-VALUE}.")
    io.iiifaws.api.LaunchType launchType;

    @Option(
            names = "-capacity-provider",
            split = ",",
            paramLabel = "NAME[:WEIGHT[:BASE]]",
            description = "Capacity provider to place the task with, such as FARGATE_SPOT; repeat for a strategy.")
    List<String> capacityProviders = new ArrayList<>();

    @Option(
            names = "-platform-version",
            paramLabel = "VERSION",
            description = "Fargate platform version, such as 1.4.0.")
    String platformVersion;

    @Option(
            names = "-public-ip",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description =
                    "Give the task a public IP. Default: true on Fargate, as go-iiif-aws did; ECS allows it nowhere else.")
    Boolean publicIp;

    @Option(names = "-tag", split = ",", paramLabel = "KEY=VALUE", description = "Tag for the task; repeat.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(
            names = "-wait-interval",
            defaultValue = "6s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Time between DescribeTasks calls while waiting. Default: ${DEFAULT-VALUE}.")
    Duration waitInterval;

    /** Settings read from the environment alone, as the Lambda handler has them. */
    public static ProcessEcsOptions fromEnvironment(Map<String, String> env) {
        ProcessEcsOptions options = new ProcessEcsOptions();
        commandLine(options, env).parseArgs();
        return options;
    }

    public static CommandLine commandLine(Object command, Map<String, String> env) {
        return new CommandLine(command)
                .setPosixClusteredShortOptionsAllowed(false)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setDefaultValueProvider(new EnvironmentDefaults(env));
    }

    /**
     * The arguments with Go's double-dash spelling of a flag ({@code --cluster}, {@code
     * --wait=true}) turned into the single-dash one, as Go's flag package takes both; URIs after
     * {@code --} are left alone.
     */
    public static String[] singleDash(CommandLine.Model.CommandSpec spec, String[] args) {
        String[] result = args.clone();
        for (int i = 0; i < result.length && !result[i].equals("--"); i++) {
            String arg = result[i];
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                String name = arg.substring(1, eq < 0 ? arg.length() : eq);
                if (spec.findOption(name) != null) {
                    result[i] = arg.substring(1);
                }
            }
        }
        return result;
    }

    /** IIIF_PROCESS_CLUSTER for -cluster, IIIF_PROCESS_SECURITY_GROUP for -security-group. */
    public static String environmentName(String flag) {
        return ENV_PREFIX
                + flag.replaceFirst("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * Defaults from IIIF_PROCESS_* variables. A blank variable counts as unset, as templated
     * deployments leave unused ones empty; booleans take Go's spellings (1, t, TRUE, 0, f, FALSE).
     */
    private record EnvironmentDefaults(Map<String, String> env) implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(CommandLine.Model.ArgSpec argument) {
            if (argument instanceof CommandLine.Model.OptionSpec option) {
                String value = env.get(environmentName(option.longestName()));
                if (value != null && !value.isBlank()) {
                    return isBoolean(option) ? goBoolean(value.trim()) : value.trim();
                }
            }
            return argument.defaultValue();
        }

        private static boolean isBoolean(CommandLine.Model.OptionSpec option) {
            return option.type() == boolean.class || option.type() == Boolean.class;
        }

        private static String goBoolean(String value) {
            return switch (value) {
                case "1", "t", "T", "TRUE", "true", "True" -> "true";
                case "0", "f", "F", "FALSE", "false", "False" -> "false";
                default -> value;
            };
        }
    }

    // ---- what the settings make --------------------------------------------------------------

    public Mode mode() {
        return mode;
    }

    /**
     * The URIs to process, as go-iiif gets them: from -uri and the arguments, base names if
     * -strip-paths, each an image by its extension.
     *
     * @throws IllegalArgumentException naming the first URI that is not usable
     */
    public List<String> uris() {
        List<String> all = new ArrayList<>(uriFlags);
        all.addAll(uriArgs);
        if (hasSource()) {
            if (!all.isEmpty() || source != null && manifest != null) {
                throw new IllegalArgumentException("give URIs, -source or -manifest: one of them");
            }
            return List.of();
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException(
                    "no URIs: give them after the flags or with -uri, or -source or -manifest");
        }
        List<String> result = new ArrayList<>();
        Map<String, String> seen = new java.util.HashMap<>();
        for (String uri : all) {
            String passed = checkedUri(uri);
            String earlier = seen.putIfAbsent(passed, uri);
            if (earlier != null) {
                throw new IllegalArgumentException("'" + uri + "' is the image '" + earlier + "' again"
                        + (passed.equals(uri)
                                ? ""
                                : " once -strip-paths reduces both to '" + passed
                                        + "' (-strip-paths=false keeps paths)"));
            }
            result.add(passed);
        }
        return result;
    }

    /** One URI as go-iiif gets it, or an exception naming the problem. */
    public String checkedUri(String uri) {
        if (uri.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("'" + uri.replaceAll("\\p{Cntrl}", "?") + "' holds a control character");
        }
        String passed = stripPaths ? ImageUris.baseName(uri) : uri;
        if (passed.isBlank() || passed.startsWith("-")) {
            throw new IllegalArgumentException("'" + uri + "' is not a URI go-iiif can take: "
                    + (passed.equals(uri) ? "it" : "its name '" + passed + "'") + " is empty or starts with '-'");
        }
        if (!ImageUris.isImage(passed)) {
            throw new IllegalArgumentException("'" + uri + "' is not an image by its extension");
        }
        processCommand().uriProblem(passed).ifPresent(problem -> {
            throw new IllegalArgumentException("'" + uri + "': " + problem);
        });
        return passed;
    }

    /** Whether the URIs come from -source or -manifest. */
    public boolean hasSource() {
        return source != null && !source.isBlank() || manifest != null && !manifest.isBlank();
    }

    /**
     * The URIs -source or -manifest names, listed now, as go-iiif gets them; what cannot be given to
     * go-iiif is left out and said on {@code err}.
     */
    public List<String> listSource(AwsClients aws, java.io.PrintStream err) {
        String flag = source != null && !source.isBlank() ? "-source" : "-manifest";
        String uri = (flag.equals("-source") ? source : manifest).trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?")
                .matcher(uri);
        if (!m.matches()
                || flag.equals("-manifest") && (m.group(2) == null || m.group(2).isEmpty())) {
            throw new IllegalArgumentException(flag + " '" + uri + "' is not "
                    + (flag.equals("-source")
                            ? "an S3 prefix such as s3://bucket/prefix/"
                            : "an S3 object s3://bucket/key"));
        }
        ManifestFormat format;
        try {
            format = ManifestFormat.valueOf(manifestFormat.substring(0, 1).toUpperCase(Locale.ROOT)
                    + manifestFormat.substring(1).toLowerCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "-manifest-format must be lines or inventory, not '" + manifestFormat + "'");
        }
        String key = m.group(2) == null ? "" : m.group(2);
        java.util.function.Supplier<BatchPlanner.Filler> fillers = () -> new BatchPlanner.Filler(
                null, processCommand(), Optional.empty(), taskTemplate().container(), Map.of());
        SourceListing.Source listed = flag.equals("-source")
                ? new SourceListing.Source.Prefix(new S3Source(m.group(1), key, suffixes, null, false))
                : new SourceListing.Source.Manifest(new ManifestSource(uri, format, null), m.group(1), key);
        SourceKeys keys = new SourceKeys(
                flag.equals("-source") ? key : "", suffixes, stripPaths, processCommand(), fillers.get());
        SourceListing.InMemory found = new SourceListing.InMemory();
        SourceStatus done = new SourceListing(listed, aws.s3(null), found, keys, fillers, 1000, true)
                .run(SourceStatus.started(null), status -> {}, () -> false);
        for (SourceStatus.SkippedEntry skipped : done.skippedExamples()) {
            err.println("process-ecs: skipped " + UriCheck.phrase("'" + skipped.entry() + "'", skipped.reason()));
        }
        if (done.skipped() > done.skippedExamples().size()) {
            err.println("process-ecs: skipped "
                    + (done.skipped() - done.skippedExamples().size()) + " more entries");
        }
        if (done.uris() == 0) {
            throw new IllegalArgumentException(flag + " " + uri + " holds no image to process");
        }
        return found.uris();
    }

    public ProcessCommand processCommand() {
        String name = reportName != null ? reportName : style == ProcessStyle.v4 ? null : "process.json";
        return ProcessCommand.of(new ProcessSpec(style, config, instructions, report, name, false, null, null, null));
    }

    /**
     * Where this run's reports go, under -reports: a folder per run, so that runs never mix.
     *
     * @param run names the run's folder
     * @throws IllegalArgumentException when -reports is malformed or the style cannot write reports there
     */
    public Optional<ReportLocation> reportLocation(String region, String run) {
        if (reports == null || reports.isBlank()) {
            return Optional.empty();
        }
        ReportLocation base;
        try {
            base = ReportLocation.parse(reports.trim(), region);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-reports: " + e.getMessage());
        }
        if (!processCommand().reportsReadable()) {
            throw new IllegalArgumentException(
                    "-reports needs -go-iiif-style v4: go-iiif 1 to 3 write reports beside the derivatives");
        }
        return Optional.of(base.child(run));
    }

    public int maxFailedImages() {
        if (maxFailedImages < 0) {
            throw new IllegalArgumentException("-max-failed-images must be 0 or more");
        }
        return maxFailedImages;
    }

    /** @throws IllegalArgumentException naming a missing or malformed flag */
    public TaskTemplate taskTemplate() {
        require(cluster, "-cluster");
        require(task, "-task");
        require(container, "-container");
        List<CapacityProviderStrategyItem> strategy = new ArrayList<>();
        for (String provider : capacityProviders) {
            String[] parts = provider.split(":");
            try {
                var item = CapacityProviderStrategyItem.builder().capacityProvider(parts[0]);
                if (parts.length > 1) {
                    item.weight(Integer.parseInt(parts[1]));
                }
                if (parts.length > 2) {
                    item.base(Integer.parseInt(parts[2]));
                }
                if (parts.length > 3 || parts[0].isEmpty()) {
                    throw new NumberFormatException();
                }
                strategy.add(item.build());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-capacity-provider '" + provider + "' is not NAME[:WEIGHT[:BASE]]");
            }
        }
        boolean fargate = strategy.isEmpty()
                ? launchType == io.iiifaws.api.LaunchType.FARGATE
                : strategy.stream().allMatch(s -> s.capacityProvider().startsWith("FARGATE"));
        List<String> subnets = nonBlank(this.subnets);
        List<String> securityGroups = nonBlank(this.securityGroups);
        if (fargate && subnets.isEmpty()) {
            throw new IllegalArgumentException("-subnet is required for Fargate tasks");
        }
        return new TaskTemplate(
                cluster,
                task,
                container,
                strategy.isEmpty() ? LaunchType.fromValue(launchType.name()) : null,
                platformVersion,
                strategy,
                subnets,
                securityGroups,
                publicIp != null ? publicIp : fargate,
                tags);
    }

    private static List<String> nonBlank(List<String> values) {
        return values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    public String lambdaFunction() {
        require(lambdaFunction, "-lambda-func");
        return lambdaFunction;
    }

    public io.iiifaws.api.InvocationType lambdaType() {
        return lambdaType;
    }

    public boolean waitForTask() {
        return waitForTask;
    }

    /** Shortest time between two DescribeTasks calls: a shorter one only spends the account's rate. */
    public static final Duration MIN_WAIT_INTERVAL = Duration.ofSeconds(1);

    /** @throws IllegalArgumentException when -wait-interval is under a second */
    public Duration waitInterval() {
        if (waitInterval.compareTo(MIN_WAIT_INTERVAL) < 0) {
            throw new IllegalArgumentException(
                    "-wait-interval must be at least 1s, not " + DurationConverter.format(waitInterval));
        }
        return waitInterval;
    }

    /**
     * AWS clients for a DSN flag (or the SDK's default chain without one). AWS_ENDPOINT_URL from
     * the given environment points them at an emulator.
     */
    public AwsClients awsClients(String dsnFlag, Map<String, String> env) {
        String text = dsnFlag.equals("-lambda-dsn") ? lambdaDsn : ecsDsn;
        AwsClients.Settings settings = AwsClients.Settings.fromEnvironment(true);
        if (text != null && !text.isBlank()) {
            Dsn dsn;
            try {
                dsn = Dsn.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(dsnFlag + " '" + text + "' is not a DSN: " + e.getMessage());
            }
            if (!AwsClients.isKnown(software.amazon.awssdk.regions.Region.of(dsn.region()))) {
                throw new IllegalArgumentException(dsnFlag + ": '" + dsn.region() + "' is not an AWS region");
            }
            try {
                settings = settings.withDefaultRegion(dsn.region()).withCredentials(dsn.credentialsProvider());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(dsnFlag + ": " + e.getMessage());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        dsnFlag + ": cannot read credentials '" + dsn.credentials() + "': " + e.getMessage());
            }
        }
        String endpoint = env.get("AWS_ENDPOINT_URL");
        if (endpoint != null && !endpoint.isBlank()) {
            settings = settings.withEndpoint(URI.create(endpoint));
        }
        return new AwsClients(settings);
    }

    /** go-iiif-aws's launcher over these settings. */
    public ProcessTasks processTasks(AwsClients aws) {
        return new ProcessTasks(new EcsTasks(aws.ecs(null)), aws.region(null).id(), taskTemplate(), processCommand());
    }

    private static void require(String value, String flag) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(flag + " is required (or " + environmentName(flag) + ")");
        }
    }
}
