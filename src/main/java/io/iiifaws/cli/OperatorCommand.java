package io.iiifaws.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.EcsPacing;
import io.iiifaws.goiiifaws.DurationConverter;
import io.iiifaws.goiiifaws.ProcessEcsOptions;
import io.iiifaws.operator.HealthServer;
import io.iiifaws.operator.IiifJobOperator;
import io.iiifaws.operator.OperatorMetrics;
import io.iiifaws.operator.OperatorSettings;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "operator",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the IiifJob operator against the Kubernetes cluster of the current kubeconfig or"
                    + " service account. AWS region, credentials and endpoint come from the AWS SDK's"
                    + " default chain (AWS_REGION, AWS_PROFILE, IRSA or Pod Identity, AWS_ENDPOINT_URL)."
        })
final class OperatorCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    enum LogFormat {
        text,
        json
    }

    @Option(
            names = "--namespace",
            split = ",",
            paramLabel = "NAMESPACE",
            description = "Namespace to watch; repeat or separate with commas. Default: all namespaces.")
    List<String> namespaces = List.of();

    @Option(
            names = "--poll-interval",
            converter = DurationConverter.class,
            description = "Time between two describes of all running tasks, 100 to a DescribeTasks call."
                    + " Default: 15s, or 5m with --task-events-queue, where it is a safety net.")
    Duration pollInterval;

    @Option(
            names = "--task-events-queue",
            paramLabel = "SQS_URL",
            description = "Take ECS's task state changes from this SQS queue, the target of an EventBridge rule for"
                    + " \"ECS Task State Change\" events (examples/task-events/): a stop reaches status in about a second."
                    + " Default: none (task changes are polled).")
    String taskEventsQueue;

    @Option(
            names = "--reports",
            paramLabel = "S3_URI",
            description =
                    "Where go-iiif writes its reports for jobs without spec.process.reports (s3://bucket/prefix/),"
                            + " so that the operator checks every image of them. Default: none (such jobs go unchecked).")
    String reports;

    @Option(
            names = "--ecs-rate",
            paramLabel = "GROUP=PER_SECOND[/BURST]",
            description = "Pace the operator's ECS calls of a group to this rate, operator-wide: runTask, stopTask,"
                    + " describeTasks (with ListTasks), describeTaskDefinition. Repeat or separate with commas. Default: ECS's"
                    + " published rates less a fifth: runTask=16/16, stopTask=32/80, describeTasks=16/80,"
                    + " describeTaskDefinition=16/40.",
            split = ",")
    Map<EcsPacing.Group, String> ecsRates = new LinkedHashMap<>();

    @Option(
            names = "--allow-process-command",
            description = "Let jobs replace go-iiif's command (spec.process.command) while the cluster has no"
                    + " IiifJobPolicy; with policies, their commands lists decide. Default: refused.")
    boolean allowProcessCommand;

    @Option(
            names = "--leader-election",
            defaultValue = "false",
            fallbackValue = "true",
            arity = "0..1",
            description =
                    "Reconcile only while holding a Lease, so that several replicas are safe. Default: ${DEFAULT-VALUE}.")
    boolean leaderElection;

    @Option(
            names = "--lease-name",
            defaultValue = "iiif-aws-operator",
            description = "Name of the Lease. Default: ${DEFAULT-VALUE}.")
    String leaseName;

    @Option(
            names = "--lease-namespace",
            defaultValue = "${env:POD_NAMESPACE}",
            description = "Namespace of the Lease. Default: $POD_NAMESPACE, else the client's namespace.")
    String leaseNamespace;

    @Option(
            names = "--http-port",
            defaultValue = "8080",
            description = "Port of /metrics, /healthz and /readyz; 0 turns them off. Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(
            names = "--log-format",
            defaultValue = "${env:LOG_FORMAT:-text}",
            description = "text or json (one JSON object per line). Default: ${DEFAULT-VALUE} ($LOG_FORMAT).")
    LogFormat logFormat;

    @Option(
            names = "--log-level",
            defaultValue = "${env:LOG_LEVEL:-INFO}",
            description =
                    "Level of the operator's own log lines: ERROR, WARN, INFO, DEBUG. Default: ${DEFAULT-VALUE} ($LOG_LEVEL).")
    String logLevel;

    /** ECS's rates as the flags change them. */
    private Map<EcsPacing.Group, EcsPacing.Rate> ecsRates() {
        Map<EcsPacing.Group, EcsPacing.Rate> rates = new LinkedHashMap<>(EcsPacing.defaults());
        for (var rate : ecsRates.entrySet()) {
            String[] parts = rate.getValue().split("/");
            try {
                double perSecond = Double.parseDouble(parts[0]);
                int burst = parts.length > 1 ? Integer.parseInt(parts[1]) : (int) Math.max(1, Math.ceil(perSecond));
                if (parts.length > 2) {
                    throw new NumberFormatException();
                }
                rates.put(rate.getKey(), new EcsPacing.Rate(perSecond, burst));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--ecs-rate " + rate.getKey() + "=" + rate.getValue()
                                + " is not PER_SECOND[/BURST], both above 0");
            }
        }
        return rates;
    }

    /** The settings the flags make, checked before anything starts. */
    private OperatorSettings settings() {
        boolean events = taskEventsQueue != null && !taskEventsQueue.isBlank();
        Duration poll = pollInterval != null ? pollInterval : events ? Duration.ofMinutes(5) : Duration.ofSeconds(15);
        if (poll.compareTo(ProcessEcsOptions.MIN_WAIT_INTERVAL) < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--poll-interval must be at least 1s, not " + DurationConverter.format(poll));
        }
        OperatorSettings settings =
                OperatorSettings.defaults().withPollInterval(poll).withCommandsWithoutPolicy(allowProcessCommand);
        if (events) {
            if (!taskEventsQueue.trim().matches("https?://[^/\\s]+/\\d+/[A-Za-z0-9_-]+(\\.fifo)?")) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--task-events-queue must be an SQS queue URL"
                                + " (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), not '" + taskEventsQueue + "'");
            }
            settings = settings.withTaskEvents(taskEventsQueue.trim());
        }
        if (reports != null && !reports.isBlank()) {
            try {
                settings = settings.withReports(reports.trim());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--reports: " + e.getMessage());
            }
        }
        return settings;
    }

    @Override
    public Integer call() throws Exception {
        Map<EcsPacing.Group, EcsPacing.Rate> rates = ecsRates();
        OperatorSettings settings =
                settings().withLaunchRate(rates.get(EcsPacing.Group.runTask).perSecond());
        configureLogging();
        String instance = System.getenv().getOrDefault("HOSTNAME", "iiif-aws-operator");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        OperatorMetrics metrics = new OperatorMetrics(registry);
        KubernetesClient client = new KubernetesClientBuilder().build();
        AwsClients aws = new AwsClients(AwsClients.Settings.fromEnvironment(false)
                .withInterceptor(metrics.awsCalls())
                .withInterceptor(new EcsPacing(rates)));
        Optional<LeaderElectionConfiguration> lease = leaderElection
                ? Optional.of(LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
                        .withLeaseNamespace(
                                leaseNamespace == null || leaseNamespace.isBlank()
                                        ? client.getNamespace()
                                        : leaseNamespace)
                        .withIdentity(instance)
                        .build())
                : Optional.empty();
        var config = new IiifJobOperator.Config(
                new HashSet<>(namespaces),
                instance,
                settings,
                lease,
                MicrometerMetrics.withoutPerResourceMetrics(registry),
                metrics,
                true);
        IiifJobOperator operator = new IiifJobOperator(client, aws, config, Clock.systemUTC());
        HealthServer http = httpPort > 0 ? new HealthServer(httpPort, registry, operator) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            operator.close();
                            aws.close();
                            if (http != null) {
                                http.close();
                            }
                            stopped.countDown();
                        },
                        "shutdown"));
        try {
            operator.start();
        } catch (RuntimeException e) {
            // JOSDK's own message ("Error starting operator") says nothing; its causes say what is wrong.
            System.err.println("iiif-aws operator: cannot start");
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                System.err.println("  " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
            }
            return 1;
        }
        stopped.await();
        return 0;
    }

    private void configureLogging() throws JoranException {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (logFormat == LogFormat.json) {
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(OperatorCommand.class.getResource("/logback-json.xml"));
        }
        context.getLogger("io.iiifaws").setLevel(Level.toLevel(logLevel, Level.INFO));
    }
}
