package io.iiifaws.demo;

import ch.qos.logback.classic.Level;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.NetworkSpec;
import io.iiifaws.api.ProcessSpec;
import io.iiifaws.api.ProcessStyle;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.operator.IiifJobOperator;
import io.iiifaws.operator.OperatorSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;

/**
 * The embedded default: the operator runs an example job end to end against an AWS emulator
 * (moto_server) and an in-process Kubernetes API, with no cluster and no AWS account.
 */
public final class Demo {
    public static final String REGION = "us-east-1";
    public static final String EXAMPLE = "examples/iiifjob.yaml";

    /** The key of the image the demo adds, on request, that go-iiif cannot decode. */
    public static final String BROKEN_IMAGE = "broken.jpg";

    private final PrintStream out;
    private final Duration timeout;
    private final Optional<Path> goIiif;
    private final boolean brokenImage;

    /**
     * @param goIiif a go-iiif iiif-process binary to run each task with, if any
     * @param brokenImage adds an image go-iiif cannot decode to the job
     */
    public Demo(PrintStream out, Duration timeout, Optional<Path> goIiif, boolean brokenImage) {
        this.out = out;
        this.timeout = timeout;
        this.goIiif = goIiif;
        this.brokenImage = brokenImage;
    }

    /** Runs the demo; returns the exit status: 0 when the job succeeded. */
    /** Runs the demo as the command line does: a missing moto_server is a message on stderr and status 1. */
    public int runOrExplain(Optional<Path> examplePath) throws IOException, InterruptedException {
        try {
            return run(examplePath);
        } catch (MotoServer.NotInstalledException e) {
            System.err.println("iiif-aws demo: " + e.getMessage());
            return 1;
        }
    }

    public int run(Optional<Path> examplePath) throws IOException, InterruptedException {
        quietLibraries();
        System.setProperty("java.awt.headless", "true");
        out.println("iiif-aws demo: the IiifJob operator, with AWS and Kubernetes emulated on this machine");
        try (MotoServer moto = MotoServer.start();
                KubernetesEmulator kubernetes = new KubernetesEmulator();
                LocalTasks local = goIiif.map(b -> new LocalTasks(b, moto.endpoint(), REGION))
                        .orElse(null)) {
            var credentials = AwsBasicCredentials.create("demo", "demo");
            AwsClients.Settings emulated = AwsClients.Settings.fromEnvironment(false)
                    .withEndpoint(moto.endpoint())
                    .withDefaultRegion(REGION)
                    .withCredentials(StaticCredentialsProvider.create(credentials));
            AwsClients aws = new AwsClients(local == null ? emulated : emulated.withInterceptor(local));
            IiifJob job = loadExample(examplePath, kubernetes.client());
            var task = job.getSpec().task();
            MotoFixtures.ecs(aws.ecs(REGION), task.cluster(), family(task.taskDefinition()), task.container());
            MotoFixtures.Network network = MotoFixtures.network(new AwsQuery(moto.endpoint(), REGION, credentials));
            DemoStorage storage = new DemoStorage(aws.s3(REGION), REGION);
            job.setSpec(
                    local == null ? unchecked(job.getSpec(), network) : processedHere(job.getSpec(), network, storage));
            out.println("  AWS         moto_server at " + moto.endpoint() + ": cluster " + task.cluster()
                    + ", task definition " + task.taskDefinition() + ", container " + task.container());
            out.println("  Kubernetes  in-process API server with the IiifJob CRD installed");
            out.println("  Job         " + examplePath.map(Path::toString).orElse(EXAMPLE) + " as "
                    + job.getMetadata().getNamespace() + "/" + job.getMetadata().getName() + ", "
                    + job.getSpec().uris().size()
                    + " URIs (network: the emulator's " + network.subnet() + " and " + network.securityGroup() + ")");
            if (local == null) {
                out.println("  go-iiif     none found: the tasks run in the emulator, which processes no image");
            } else {
                out.println(
                        "  go-iiif     " + goIiif.get() + " runs each task's container command here; images in s3://"
                                + DemoStorage.IMAGES + "/" + DemoStorage.IMAGES_PREFIX + ", derivatives to s3://"
                                + DemoStorage.DERIVATIVES
                                + "/" + DemoStorage.DERIVATIVES_PREFIX + ", reports to " + storage.reportsUri());
            }
            out.println();

            var settings = OperatorSettings.defaults().withPollInterval(Duration.ofMillis(500));
            try (IiifJobOperator operator = new IiifJobOperator(
                    kubernetes.client(),
                    aws,
                    IiifJobOperator.Config.defaults("demo")
                            .withSettings(settings)
                            .withCloseClient(false),
                    Clock.systemUTC())) {
                operator.start();
                IiifJobStatus last = follow(kubernetes.client(), job, aws);
                if (last != null && last.isFinished()) {
                    afterwards(last, local, storage);
                }
                aws.close();
                return last != null && last.phase() == io.iiifaws.api.Phase.Succeeded ? 0 : 1;
            }
        }
    }

    private IiifJobStatus follow(KubernetesClient client, IiifJob job, AwsClients aws) throws InterruptedException {
        BlockingQueue<IiifJob> updates = new LinkedBlockingQueue<>();
        var jobs = client.resources(IiifJob.class).inNamespace(job.getMetadata().getNamespace());
        try (var watch = jobs.withName(job.getMetadata().getName()).watch(new Watcher<IiifJob>() {
            @Override
            public void eventReceived(Action action, IiifJob resource) {
                updates.add(resource);
            }

            @Override
            public void onClose(WatcherException cause) {}
        })) {
            jobs.resource(job).create();
            Instant created = Instant.now();
            out.println("  time   phase      tasks");
            String shown = null;
            boolean commandShown = false;
            IiifJobStatus status = null;
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                IiifJob update =
                        updates.poll(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS);
                if (update == null) {
                    break;
                }
                status = update.getStatus();
                String line = describe(status);
                if (!line.equals(shown)) {
                    out.printf(
                            "  %5.1fs %s%n",
                            Duration.between(created, Instant.now()).toMillis() / 1000.0, line);
                    shown = line;
                }
                if (!commandShown && status != null && !status.tasks().isEmpty()) {
                    commandShown = printCommand(aws, status.tasks().get(0));
                }
                if (status != null && status.isFinished()) {
                    break;
                }
            }
            out.println();
            if (status == null || !status.isFinished()) {
                out.println("The job did not finish within " + timeout.toSeconds() + " s.");
                return status;
            }
            status.conditions().stream()
                    .filter(c -> c.isTrue())
                    .forEach(c -> out.println("  " + c.type() + " (" + c.reason() + "): " + c.message()));
            out.println();
            out.println("Events:");
            events(client, job, status)
                    .forEach(e -> out.println("  " + e.getType() + " " + e.getReason() + ": " + e.getNote()));
            return status;
        }
    }

    /** The job's events, once the one of its end (Completed, or its failure) has been recorded. */
    private static List<io.fabric8.kubernetes.api.model.events.v1.Event> events(
            KubernetesClient client, IiifJob job, IiifJobStatus status) throws InterruptedException {
        var events = client.events().v1().events().inNamespace(job.getMetadata().getNamespace());
        String finalReason = status.phase() == io.iiifaws.api.Phase.Succeeded
                ? "Completed"
                : status.condition(io.iiifaws.api.Condition.FAILED)
                        .map(io.iiifaws.api.Condition::reason)
                        .orElse("");
        String finalNote = status.condition(
                        status.phase() == io.iiifaws.api.Phase.Succeeded
                                ? io.iiifaws.api.Condition.COMPLETE
                                : io.iiifaws.api.Condition.FAILED)
                .map(c -> c.message())
                .orElse("");
        Instant deadline = Instant.now().plusSeconds(5);
        List<io.fabric8.kubernetes.api.model.events.v1.Event> items =
                events.list().getItems();
        while (Instant.now().isBefore(deadline)
                && items.stream()
                        .noneMatch(e -> finalReason.equals(e.getReason())
                                && e.getNote() != null
                                && finalNote.startsWith(e.getNote()))) {
            Thread.sleep(50);
            items = events.list().getItems();
        }
        return items.stream()
                .sorted(java.util.Comparator.comparing(e -> e.getEventTime().getTime()))
                .toList();
    }

    private boolean printCommand(AwsClients aws, TaskStatus task) {
        var described = aws.ecs(REGION)
                .describeTasks(DescribeTasksRequest.builder()
                        .cluster(task.cluster())
                        .tasks(task.taskArn())
                        .build());
        if (described.tasks().isEmpty()) {
            return false;
        }
        described
                .tasks()
                .get(0)
                .overrides()
                .containerOverrides()
                .forEach(
                        o -> out.println("         container " + o.name() + " runs: " + String.join(" ", o.command())));
        return true;
    }

    /** What came of the images: the derivatives in S3 and go-iiif's own errors, or that none was processed. */
    private void afterwards(IiifJobStatus status, LocalTasks local, DemoStorage storage) {
        out.println();
        if (local == null) {
            out.println(
                    "No image was processed: without an iiif-process binary the tasks only ran in the emulator (its");
            out.println(
                    "containers \"exit 0\" and write nothing). Install go-iiif's iiif-process (README: the demo with go-iiif)");
            out.println("and run: java -jar target/iiif-aws.jar demo --go-iiif /path/to/iiif-process");
        } else {
            Map<String, Long> derivatives = storage.derivatives();
            out.println("Derivatives in s3://" + DemoStorage.DERIVATIVES + "/ (" + derivatives.size() + "):");
            derivatives.forEach((key, size) -> out.printf("  %8d  %s%n", size, key));
            for (TaskStatus task : status.tasks()) {
                List<String> errors = local.log(task.taskArn()).stream()
                        .filter(l -> l.contains("ERROR"))
                        .toList();
                if (!errors.isEmpty()) {
                    out.println("go-iiif's errors in task " + shortId(task.taskArn()) + " (its container's log):");
                    errors.stream().limit(8).forEach(l -> out.println("  " + l));
                }
            }
        }
        out.println();
        out.println(
                status.phase() == io.iiifaws.api.Phase.Succeeded
                        ? "The job succeeded. Everything the demo started is shut down."
                        : "The job failed. Everything the demo started is shut down.");
    }

    private static String shortId(String taskArn) {
        return taskArn.substring(taskArn.lastIndexOf('/') + 1, Math.min(taskArn.length(), taskArn.lastIndexOf('/') + 9))
                + "…";
    }

    private static String describe(IiifJobStatus status) {
        if (status == null || status.phase() == null) {
            return "(waiting for the operator)";
        }
        StringBuilder line = new StringBuilder(String.format("%-10s %s", status.phase(), status.progress()));
        for (TaskStatus task : status.tasks()) {
            line.append("  task ")
                    .append(shortId(task.taskArn()))
                    .append(' ')
                    .append(task.lastStatus() == null ? "launched" : task.lastStatus());
            if (task.exitCode() != null) {
                line.append(" exit ").append(task.exitCode());
            }
            if (task.result() == io.iiifaws.api.TaskResult.Verifying) {
                line.append(", reading reports");
            }
        }
        if (status.images() != null
                && status.images().processed() + status.images().failed() > 0) {
            line.append("  images: ")
                    .append(status.images().processed())
                    .append(" processed, ")
                    .append(status.images().failed())
                    .append(" failed");
        }
        return line.toString();
    }

    private static IiifJob loadExample(Optional<Path> path, KubernetesClient client) throws IOException {
        IiifJob job;
        if (path.isPresent()) {
            try (InputStream in = Files.newInputStream(path.get())) {
                job = client.getKubernetesSerialization().unmarshal(in, IiifJob.class);
            }
        } else {
            try (InputStream in = Demo.class.getResourceAsStream("/" + EXAMPLE)) {
                if (in == null) {
                    throw new IOException(EXAMPLE + " is not in the jar");
                }
                job = client.getKubernetesSerialization().unmarshal(in, IiifJob.class);
            }
        }
        if (job.getMetadata().getNamespace() == null) {
            job.getMetadata().setNamespace("default");
        }
        if (job.getSpec() == null || job.getSpec().task() == null) {
            throw new IOException("the demo runs a Task-mode job; the example has no spec.task");
        }
        return job;
    }

    /** The job on the emulator's network, its images unchecked: nothing writes reports. */
    private static IiifJobSpec unchecked(IiifJobSpec spec, MotoFixtures.Network network) {
        ProcessSpec p = spec.process();
        return with(
                spec,
                spec.uris(),
                network,
                new ProcessSpec(
                        p.style(),
                        p.config(),
                        p.instructions(),
                        p.report(),
                        p.reportName(),
                        p.stripPaths(),
                        p.command(),
                        null,
                        p.maxFailedImages()));
    }

    /**
     * The job on the emulator's network, with go-iiif's config, instructions and reports in the
     * emulator's S3, where the demo's images are (and the broken one, if asked for).
     */
    private IiifJobSpec processedHere(IiifJobSpec spec, MotoFixtures.Network network, DemoStorage storage)
            throws IOException {
        List<String> uris = new ArrayList<>(spec.uris());
        if (brokenImage) {
            uris.add(BROKEN_IMAGE);
        }
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (String uri : uris) {
            images.put(
                    uri,
                    uri.equals(BROKEN_IMAGE)
                            ? DemoImages.broken()
                            : uri.toLowerCase(Locale.ROOT).endsWith(".png") ? DemoImages.png() : DemoImages.jpeg());
        }
        storage.prepare(images);
        ProcessSpec p = spec.process();
        return with(
                spec,
                uris,
                network,
                new ProcessSpec(
                        ProcessStyle.v4,
                        storage.configUri(),
                        storage.instructionsUri(),
                        p.report(),
                        null,
                        p.stripPaths(),
                        p.command(),
                        storage.reportsUri(),
                        p.maxFailedImages()));
    }

    private static IiifJobSpec with(
            IiifJobSpec spec, List<String> uris, MotoFixtures.Network network, ProcessSpec process) {
        return new IiifJobSpec(
                uris,
                null,
                spec.mode(),
                spec.region(),
                spec.task(),
                new NetworkSpec(
                        List.of(network.subnet()),
                        List.of(network.securityGroup()),
                        spec.network().assignPublicIp()),
                process,
                spec.lambda(),
                spec.batch(),
                spec.parallelism(),
                spec.backoffLimit(),
                spec.activeDeadlineSeconds(),
                spec.suspend(),
                spec.ttlSecondsAfterFinished(),
                spec.deletionPolicy());
    }

    private static String family(String taskDefinition) {
        String name = taskDefinition.substring(taskDefinition.lastIndexOf('/') + 1);
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** The demo prints its own progress; the libraries' INFO logs would drown it. */
    private static void quietLibraries() {
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
    }
}
