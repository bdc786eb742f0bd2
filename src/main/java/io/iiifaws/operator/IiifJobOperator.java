package io.iiifaws.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.iiifaws.api.StoredIiifJob;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.ecs.TaskEvents;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IiifJob operator: JOSDK wired to the job runner, ready to start, and started afresh when it
 * can no longer trust its informers. A watch whose connection went silent (a half-open socket
 * after the API server was away) delivers nothing and says nothing; so a watchdog asks the API
 * server every few seconds, and once the server answers again after it did not, the operator
 * lists its jobs anew. It does the same when an informer stops, and when it loses its lease: it
 * then stops reconciling and stands for the lease again, instead of exiting. It reconciles only
 * once the API server says it may do all it needs ({@link Permissions}); until then it says
 * what it lacks, in its log and its readiness, and asks again on each check.
 */
public final class IiifJobOperator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IiifJobOperator.class);
    /** Passes at once. */
    static final int RECONCILE_THREADS = 200;

    /**
     * Where and how it runs.
     *
     * @param namespaces the namespaces to watch; empty for all
     * @param instance names this replica in events and leader election
     * @param leaderElection the lease to hold before reconciling, if any
     * @param josdkMetrics JOSDK's reconciliation metrics
     * @param closeClient whether stopping the operator closes the Kubernetes client
     * @param apiCheck how often the watchdog asks the API server
     */
    public record Config(
            Set<String> namespaces,
            String instance,
            OperatorSettings settings,
            Optional<LeaderElectionConfiguration> leaderElection,
            Metrics josdkMetrics,
            JobMetrics jobMetrics,
            boolean closeClient,
            Duration apiCheck) {

        public Config(
                Set<String> namespaces,
                String instance,
                OperatorSettings settings,
                Optional<LeaderElectionConfiguration> leaderElection,
                Metrics josdkMetrics,
                JobMetrics jobMetrics,
                boolean closeClient) {
            this(
                    namespaces,
                    instance,
                    settings,
                    leaderElection,
                    josdkMetrics,
                    jobMetrics,
                    closeClient,
                    Duration.ofSeconds(5));
        }

        public static Config defaults(String instance) {
            return new Config(
                    Set.of(),
                    instance,
                    OperatorSettings.defaults(),
                    Optional.empty(),
                    Metrics.NOOP,
                    JobMetrics.NONE,
                    true);
        }

        public Config withSettings(OperatorSettings next) {
            return new Config(
                    namespaces, instance, next, leaderElection, josdkMetrics, jobMetrics, closeClient, apiCheck);
        }

        public Config withNamespaces(Set<String> next) {
            return new Config(
                    next, instance, settings, leaderElection, josdkMetrics, jobMetrics, closeClient, apiCheck);
        }

        public Config withCloseClient(boolean next) {
            return new Config(namespaces, instance, settings, leaderElection, josdkMetrics, jobMetrics, next, apiCheck);
        }

        public Config withApiCheck(Duration next) {
            return new Config(
                    namespaces, instance, settings, leaderElection, josdkMetrics, jobMetrics, closeClient, next);
        }
    }

    private final KubernetesClient client;
    private final Config config;
    private final JobRunner runner;
    /** Reads ECS's task changes from the queue while this replica reconciles, if a queue is set. */
    private final Optional<TaskEvents> taskEvents;

    private final IiifJobReconciler reconciler;
    private final AtomicBoolean leader;
    private final AtomicBoolean apiAway = new AtomicBoolean();
    private final AtomicBoolean sharedWritePending = new AtomicBoolean();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "api-watchdog");
        thread.setDaemon(true);
        return thread;
    });
    /** The watchdog's own client: short timeouts and no retries, so that silence shows at once. */
    private final KubernetesClient probe;

    private volatile Operator operator;
    /** Whether JOSDK runs: it does not while permissions are missing. */
    private volatile boolean reconciling;

    private final List<Permissions.Permission> needed;
    private volatile List<Permissions.Permission> missing = List.of();
    /** Counts the JOSDK operators started: callbacks of one that was replaced are ignored. */
    private volatile int generation;

    private volatile boolean closed;

    public IiifJobOperator(KubernetesClient client, AwsClients aws, Config config, Clock clock) {
        this.client = client;
        this.config = config;
        int timeout = (int) Math.max(1000, Math.min(5000, config.apiCheck().toMillis() * 4));
        this.probe = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
                        .withRequestRetryBackoffLimit(0)
                        .withRequestTimeout(timeout)
                        .withConnectionTimeout(timeout)
                        .build())
                .build();
        this.leader = new AtomicBoolean(config.leaderElection().isEmpty());
        this.needed =
                Permissions.needed(config.namespaces(), config.leaderElection().map(l -> l.getLeaseNamespace()
                        .orElse(client.getConfiguration().getNamespace())));
        this.runner = new JobRunner(
                aws,
                config.settings(),
                config.jobMetrics(),
                clock,
                new JobPolicyCatalog(client, config.settings().commandsWithoutPolicy()));
        this.reconciler = new IiifJobReconciler(
                runner,
                new EventRecorder(client, config.instance(), clock, this::doubtPermissions),
                config.jobMetrics(),
                this::doubtPermissions);
        runner.onPolicyChange(this::writeSharedSoon);
        this.operator = newOperator(0);
        this.taskEvents = config.settings().taskEvents().map(queue -> new TaskEvents(
                        aws.sqsFor(queue), queue, runner.tracker()::take, () -> reconciling && leader.get())
                .start());
    }

    private Operator newOperator(int incarnation) {
        Operator created = new Operator(o -> {
            o.withKubernetesClient(client)
                    // Status and finalizers are written with JSON patches; server-side apply would
                    // need field ownership the operator has no use for.
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    // The watchdog's restarts own the client; a stop that closed it would end them.
                    .withCloseClientOnStop(false)
                    // Started while the API server is away, the operator keeps trying in the
                    // background (not ready meanwhile) instead of exiting.
                    .withStopOnInformerErrorDuringStartup(false)
                    .withCacheSyncTimeout(Duration.ofSeconds(10))
                    // A pass mostly waits on the API server (its status write, its events): with
                    // JOSDK's 50 threads, 10,000 jobs queued their passes behind each other.
                    .withConcurrentReconciliationThreads(RECONCILE_THREADS)
                    .withInformerStoppedHandler(
                            (informer, error) -> restartSoon(incarnation, "an informer stopped: " + error))
                    .withMetrics(config.josdkMetrics());
            config.leaderElection()
                    .map(l -> standingForTheLease(l, incarnation))
                    .ifPresent(o::withLeaderElectionConfiguration);
        });
        created.register(reconciler, c -> {
            // An exception in a pass (the Kubernetes API unreachable, say) is retried without end,
            // backing off to a minute; a periodic pass catches anything else that was missed.
            c.withRetry(new GenericRetry()
                    .setInitialInterval(1000)
                    .setIntervalMultiplier(2)
                    .setMaxInterval(60_000)
                    .withoutMaxAttempts());
            c.withReconciliationMaxInterval(Duration.ofMinutes(10));
            if (config.namespaces().isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(config.namespaces());
            }
        });
        return created;
    }

    /** JOSDK's lease configuration, with callbacks that track leadership and never exit the process. */
    private LeaderElectionConfiguration standingForTheLease(LeaderElectionConfiguration given, int incarnation) {
        var callbacks = new LeaderCallbacks(
                () -> {
                    if (incarnation == generation) {
                        leader.set(true);
                        log.info("event=LeaderElected lease={}", given.getLeaseName());
                        writeSharedSoon();
                    }
                    given.getLeaderCallbacks().ifPresent(LeaderCallbacks::onStartLeading);
                },
                () -> {
                    given.getLeaderCallbacks().ifPresent(LeaderCallbacks::onStopLeading);
                    if (incarnation == generation && leader.getAndSet(false)) {
                        log.info("event=LeadershipLost lease={}", given.getLeaseName());
                        // JOSDK would reconcile on without the lease; stop, and stand for it again.
                        restartSoon(incarnation, "the lease was lost");
                    }
                },
                identity -> given.getLeaderCallbacks().ifPresent(c -> c.onNewLeader(identity)));
        return new LeaderElectionConfiguration(
                given.getLeaseName(),
                given.getLeaseNamespace().orElse(null),
                given.getLeaseDuration(),
                given.getRenewDeadline(),
                given.getRetryPeriod(),
                given.getIdentity().orElse(null),
                callbacks,
                false);
    }

    /** The operator's one view of the ECS tasks its jobs run: what it follows, its calls. */
    public io.iiifaws.ecs.TaskTracker<?> taskTracker() {
        return runner.tracker();
    }

    /** The jobs the operator keeps something of in memory, beside their status. */
    public int rememberedJobs() {
        return runner.remembered();
    }

    /** Whether this replica reconciles: it holds the lease, or there is no leader election. */
    public boolean isLeader() {
        return leader.get();
    }

    public boolean electsLeader() {
        return config.leaderElection().isPresent();
    }

    /** Whether the watchdog's last question to the API server went unanswered. */
    public boolean isApiAway() {
        return apiAway.get();
    }

    /** What the API server says the operator may not do, of what it needs; empty once it may do all. */
    public List<Permissions.Permission> missingPermissions() {
        return missing;
    }

    /** Starts the operator; a start that fails for another reason than missing permissions throws. */
    public void start() {
        startIfPermitted(true);
        long period = config.apiCheck().toMillis();
        watchdog.scheduleWithFixedDelay(this::checkApi, period, period, TimeUnit.MILLISECONDS);
    }

    /** Asks the API server for one job; the first answer after silence restarts the informers. */
    private void checkApi() {
        try {
            var options = new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                    .withLimit(1L)
                    .build();
            var jobs = probe.resources(StoredIiifJob.class);
            if (config.namespaces().isEmpty()) {
                jobs.inAnyNamespace().list(options);
            } else {
                jobs.inNamespace(config.namespaces().iterator().next()).list(options);
            }
            if (apiAway.getAndSet(false)) {
                restart("the API server answers again; its watches may have gone silent meanwhile");
            }
        } catch (RuntimeException e) {
            if (!apiAway.getAndSet(true)) {
                log.warn("event=ApiAway error=\"{}\"", e.getMessage());
            }
            return;
        }
        if (!reconciling) {
            startIfPermitted(false);
        }
    }

    /**
     * Writes where policies meet a second from now, once for a burst of changes: after a change of
     * policies or namespaces (the informers' first list included), and when this replica becomes
     * the one that reconciles.
     */
    private void writeSharedSoon() {
        if (closed || !sharedWritePending.compareAndSet(false, true)) {
            return;
        }
        try {
            watchdog.schedule(
                    () -> {
                        sharedWritePending.set(false);
                        if (reconciling && leader.get()) {
                            runner.writeSharedNamespaces();
                        }
                    },
                    1,
                    TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the operator is closing
        }
    }

    /**
     * Starts JOSDK if the API server says the operator may do all it needs; otherwise says what it
     * lacks (once for each change). When it cannot ask, it starts, as it would without the check.
     * A failed start throws the first time; later ones are logged, and tried again on the next check.
     */
    private synchronized void startIfPermitted(boolean first) {
        if (closed || reconciling) {
            return;
        }
        Optional<List<Permissions.Permission>> lacking = lacking();
        if (lacking.isPresent() && !lacking.get().isEmpty()) {
            return;
        }
        try {
            runner.startPolicies();
            operator.start();
            reconciling = true;
            writeSharedSoon();
        } catch (RuntimeException e) {
            if (first) {
                throw e;
            }
            log.warn("event=OperatorStartFailed error=\"{}\"", e.getMessage());
            runner.stopPolicies();
            stopQuietly(operator);
            replaceOperator();
        }
    }

    /**
     * The API server refused a call for want of permission: if the operator now lacks some of what
     * it needs (its RBAC changed), it stops reconciling until it has them again.
     */
    private void doubtPermissions() {
        if (!closed) {
            watchdog.execute(this::stopIfUnpermitted);
        }
    }

    private synchronized void stopIfUnpermitted() {
        if (!closed && reconciling && !lacking().map(List::isEmpty).orElse(true)) {
            replaceOperator();
        }
    }

    /** What the operator lacks, as the API server says; empty if it could not be asked. */
    private Optional<List<Permissions.Permission>> lacking() {
        List<Permissions.Permission> now;
        try {
            now = Permissions.missing(probe, needed);
        } catch (KubernetesClientException e) {
            log.warn("event=PermissionsUnchecked error=\"{}\"", Permissions.message(e));
            return Optional.empty();
        }
        if (!now.equals(missing)) {
            if (now.isEmpty()) {
                log.info("event=PermissionsGranted");
            } else {
                log.error(
                        "event=PermissionsMissing identity={} missing=\"{}\" hint=\"the operator reconciles once it may;"
                                + " the chart's RBAC (templates/rbac.yaml) grants all it needs\"",
                        Permissions.identity(probe).orElse("unknown"),
                        now.stream().map(Object::toString).collect(Collectors.joining("; ")));
            }
            missing = List.copyOf(now);
        }
        return Optional.of(now);
    }

    /** Restarts the operator, unless the one that asks was replaced already. */
    private void restartSoon(int incarnation, String why) {
        if (!closed && incarnation == generation) {
            watchdog.execute(() -> {
                if (incarnation == generation) {
                    restart(why);
                }
            });
        }
    }

    /** Stops JOSDK and starts it afresh: informers list anew, and a lease is stood for again. */
    private synchronized void restart(String why) {
        if (closed) {
            return;
        }
        log.info("event=OperatorRestart reason=\"{}\"", why);
        replaceOperator();
        startIfPermitted(false);
    }

    /** Stops JOSDK, if it runs, and makes a new one, not yet started, whose callbacks count. */
    private void replaceOperator() {
        int next = generation + 1;
        generation = next;
        leader.set(config.leaderElection().isEmpty());
        if (reconciling) {
            reconciling = false;
            stopQuietly(operator);
            runner.pause();
            runner.stopPolicies();
        }
        operator = newOperator(next);
    }

    private static void stopQuietly(Operator stopping) {
        try {
            stopping.stop();
        } catch (RuntimeException e) {
            log.warn("event=OperatorStopFailed error=\"{}\"", e.getMessage());
        }
    }

    public RuntimeInfo runtimeInfo() {
        return operator.getRuntimeInfo();
    }

    @Override
    public synchronized void close() {
        closed = true;
        generation = -1;
        watchdog.shutdownNow();
        if (reconciling) {
            operator.stop();
        }
        taskEvents.ifPresent(TaskEvents::close);
        runner.close();
        probe.close();
        if (config.closeClient()) {
            client.close();
        }
    }
}
