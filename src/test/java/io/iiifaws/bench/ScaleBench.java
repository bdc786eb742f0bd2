package io.iiifaws.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.EcsPacing;
import io.iiifaws.demo.KubernetesEmulator;
import io.iiifaws.ecs.TaskEvents;
import io.iiifaws.operator.IiifJobOperator;
import io.iiifaws.operator.OperatorSettings;
import io.iiifaws.testing.ApiCalls;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.RealApiServer;
import io.iiifaws.testing.TaskView;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The operator at scale, against a fast ECS stand-in that enforces ECS's limits ({@link FastEcs})
 * and a real API server (or fabric8's mock server, -Dbench.api=mock): N one-task jobs whose tasks run a minute, polled every 15 s, or with
 * ECS's task state change events (handed to the operator as EventBridge delivers them, without
 * SQS's own delay) and a 5 minute safety poll. Prints figures; run with
 * {@code mvn -B test -Pbench -Dtest=ScaleBench -Dbench.jobs=10000 -Dbench.events=true}.
 */
@Tag("bench")
class ScaleBench {
    static final int JOBS = Integer.getInteger("bench.jobs", 1000);
    static final boolean EVENTS = Boolean.getBoolean("bench.events");
    static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.runSeconds", 60));
    static final String CLUSTER = "bench";
    /** real: kube-apiserver and etcd ({@link RealApiServer}); mock: fabric8's mock server, slow past a few thousand jobs. */
    static final boolean REAL_API = !"mock".equals(System.getProperty("bench.api", "real"));

    @Test
    void manyJobsAtOnce() throws Exception {
        LongAdder reconciles = new LongAdder();
        Metrics counting = new Metrics() {
            @Override
            public void finishedReconciliation(
                    io.fabric8.kubernetes.api.model.HasMetadata resource, Map<String, Object> m) {
                reconciles.increment();
            }
        };
        ApiCalls calls = new ApiCalls();
        KubernetesEmulator mock = REAL_API ? null : new KubernetesEmulator();
        KubernetesClient client = REAL_API ? RealApiServer.get().newAdminClient() : mock.client();
        String namespace = REAL_API ? RealApiServer.get().newNamespace("bench") : "bench";
        try (FastEcs ecs = new FastEcs().runDuration(RUN);
                KubernetesClient operatorClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                        .withConfig(client.getConfiguration())
                        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("calls", calls))
                        .build();
                AwsClients aws = new AwsClients(new AwsClients.Settings(
                        Optional.of(FastEcs.REGION),
                        Optional.of(ecs.endpoint()),
                        Optional.of(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS)),
                        false,
                        List.of(new EcsPacing(EcsPacing.defaults())),
                        AwsClients.RoleSessions.HOUR))) {
            Duration poll = EVENTS ? Duration.ofMinutes(5) : Duration.ofSeconds(15);
            var config = new IiifJobOperator.Config(
                    Set.of(namespace),
                    "bench",
                    OperatorSettings.defaults().withPollInterval(poll),
                    Optional.empty(),
                    counting,
                    io.iiifaws.operator.JobMetrics.NONE,
                    false);
            IiifJobOperator operator = new IiifJobOperator(operatorClient, aws, config, Clock.systemUTC());
            if (EVENTS) {
                ecs.onTaskStateChange(json -> TaskEvents.parse(json).ifPresent(operator.taskTracker()::take));
            }
            Map<String, Instant> stopSeen = new ConcurrentHashMap<>();
            Set<String> finished = ConcurrentHashMap.newKeySet();
            var watch = client.resources(IiifJob.class).inNamespace(namespace).watch(new Watcher<IiifJob>() {
                @Override
                public void eventReceived(Action action, IiifJob job) {
                    Instant now = Instant.now();
                    if (job.getStatus() != null) {
                        if (job.getStatus().isFinished()) {
                            finished.add(job.getMetadata().getName());
                        }
                        job.getStatus().tasks().stream()
                                .filter(t -> !t.isActive())
                                .map(TaskStatus::taskArn)
                                .forEach(arn -> stopSeen.putIfAbsent(arn, now));
                    }
                }

                @Override
                public void onClose(WatcherException cause) {}
            });
            operator.start();
            long cpuBefore = cpuNanos();
            Instant start = Instant.now();
            for (int i = 0; i < JOBS; i++) {
                client.resource(job("job-" + i, namespace)).create();
            }
            Awaitility.await()
                    .atMost(Duration.ofHours(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> ecs.launched().size() >= JOBS);
            long heapInUse = heapAfterGc();
            Awaitility.await()
                    .atMost(Duration.ofHours(2))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> finished.size() >= JOBS);
            Instant end = Instant.now();
            long cpu = cpuNanos() - cpuBefore;
            watch.close();

            double taskMinutes = 0;
            for (TaskView task : ecs.launched()) {
                Instant stopped = ecs.stoppedAt(task.arn()).orElse(end);
                taskMinutes += Duration.between(task.launchedAt(), stopped).toMillis() / 60_000.0;
            }
            List<Long> latencies = new ArrayList<>();
            ecs.stops().forEach((arn, stoppedAt) -> Optional.ofNullable(stopSeen.get(arn))
                    .ifPresent(seen ->
                            latencies.add(Duration.between(stoppedAt, seen).toMillis())));
            latencies.sort(Long::compare);
            long statusWrites = calls.matching(
                            c -> "PATCH".equals(c.method()) && c.path().endsWith("/status"))
                    .size();
            System.out.printf(
                    "%nScaleBench: %d one-task jobs on the %s API server, tasks run %d s, %s, done in %.0f s%n",
                    JOBS,
                    REAL_API ? "real" : "mock",
                    RUN.toSeconds(),
                    EVENTS ? "task events and a 5 min safety poll" : "polled every 15 s",
                    Duration.between(start, end).toMillis() / 1000.0);
            System.out.printf(
                    "ScaleBench: DescribeTasks %d calls, %.3f per running task per minute (%.0f task-minutes);"
                            + " %.2f task ARNs per call%n",
                    ecs.calls("DescribeTasks"),
                    ecs.calls("DescribeTasks") / taskMinutes,
                    taskMinutes,
                    ecs.describedArns() / (double) Math.max(1, ecs.calls("DescribeTasks")));
            System.out.printf(
                    "ScaleBench: per job: RunTask %.2f, ListTasks %.2f, reconciles %.2f, status writes %.2f;"
                            + " throttled by ECS's buckets: %s; jobs in memory after: %d; tasks followed after: %d%n",
                    ecs.calls("RunTask") / (double) JOBS,
                    ecs.calls("ListTasks") / (double) JOBS,
                    reconciles.sum() / (double) JOBS,
                    statusWrites / (double) JOBS,
                    ecs.throttles(),
                    operator.rememberedJobs(),
                    operator.taskTracker().followed());
            System.out.printf(
                    "ScaleBench: stop to status: median %d ms, p95 %d ms, max %d ms (%d stops)%n",
                    percentile(latencies, 0.5),
                    percentile(latencies, 0.95),
                    latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1),
                    latencies.size());
            System.out.printf(
                    "ScaleBench: this JVM (operator, ECS stand-in%s): peak RSS %d MiB, heap in use"
                            + " after a GC once every job was launched %d MiB, CPU %.1f s (%.3f s per job)%n",
                    REAL_API ? "" : ", mock API server",
                    peakRssKib() / 1024,
                    heapInUse / (1024 * 1024),
                    cpu / 1e9,
                    cpu / 1e9 / JOBS);
            operator.close();
        } finally {
            if (mock != null) {
                mock.close();
            } else {
                client.close();
            }
        }
    }

    static IiifJob job(String name, String namespace) {
        IiifJob job = OperatorHarness.job(
                name,
                new IiifJobSpec(
                        List.of("a.jpg"),
                        null,
                        null,
                        null,
                        new io.iiifaws.api.TaskSpec(
                                CLUSTER, "go-iiif:1", "iiif", io.iiifaws.api.LaunchType.FARGATE, null, null, null),
                        new io.iiifaws.api.NetworkSpec(
                                List.of("subnet-0a1b2c3d4e5f60718"), List.of("sg-0a1b2c3d4e5f60718"), null),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));
        job.getMetadata().setNamespace(namespace);
        return job;
    }

    static long percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? -1 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
    }

    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static long peakRssKib() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmHWM:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .findFirst()
                .orElse(-1L);
    }
}
