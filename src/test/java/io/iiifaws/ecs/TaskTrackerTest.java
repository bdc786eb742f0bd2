package io.iiifaws.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iiifaws.bench.FastEcs;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;

class TaskTrackerTest {
    static final String CLUSTER = "tracked";
    static final TaskTracker.Place PLACE = new TaskTracker.Place(FastEcs.REGION, CLUSTER);

    FastEcs fast;
    EcsClient ecs;
    /** ECS of another region, where nothing answers. */
    EcsClient unreachable;

    final Map<String, AtomicInteger> told = new ConcurrentHashMap<>();
    TaskTracker<String> tracker;

    @BeforeEach
    void start() throws Exception {
        fast = new FastEcs();
        ecs = fast.client();
        unreachable = EcsClient.builder()
                .region(Region.EU_WEST_1)
                .endpointOverride(java.net.URI.create("http://127.0.0.1:9"))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(
                        o -> o.retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
        unreachable.close();
        ecs.close();
        fast.close();
    }

    TaskTracker<String> tracker(Duration interval) {
        tracker = new TaskTracker<>(
                place -> new EcsTasks(place.region().equals(FastEcs.REGION) ? ecs : unreachable),
                interval,
                Duration.ofMillis(50),
                Clock.systemUTC(),
                owner -> told.computeIfAbsent(owner, o -> new AtomicInteger()).incrementAndGet());
        return tracker;
    }

    List<String> launch(int count) {
        List<String> arns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String index = Integer.toString(i);
            arns.add(ecs.runTask(RunTaskRequest.builder()
                            .cluster(CLUSTER)
                            .taskDefinition("go-iiif:1")
                            .count(1)
                            .launchType("FARGATE")
                            .startedBy("test")
                            .networkConfiguration(n -> n.awsvpcConfiguration(
                                    a -> a.subnets("subnet-1").securityGroups("sg-1")))
                            .overrides(o -> o.containerOverrides(c -> c.name("iiif")
                                    .command("/bin/iiif-process")
                                    .environment(KeyValuePair.builder()
                                            .name("N")
                                            .value(index)
                                            .build())))
                            .build())
                    .tasks()
                    .get(0)
                    .taskArn());
        }
        return arns;
    }

    static Map<String, TaskTracker.Place> at(List<String> arns) {
        Map<String, TaskTracker.Place> placed = new LinkedHashMap<>();
        arns.forEach(arn -> placed.put(arn, PLACE));
        return placed;
    }

    @Test
    void tasksOfManyOwnersAreDescribedAHundredToACall() {
        fast.holdRunning(task -> true);
        List<String> arns = launch(250);
        TaskTracker<String> tracker = tracker(Duration.ofHours(1));
        for (int owner = 0; owner < 50; owner++) {
            tracker.follow("job-" + owner, at(arns.subList(owner * 5, owner * 5 + 5)));
        }

        await().atMost(Duration.ofSeconds(10))
                .until(() -> arns.stream().allMatch(a -> tracker.seen(a).isPresent()));

        // One first look for all 250: three calls, not one a job or one a task.
        assertThat(fast.calls("DescribeTasks")).isEqualTo(3);
        assertThat(tracker.seen(arns.get(0)).orElseThrow().task().lastStatus()).isEqualTo("RUNNING");
        // Each owner was told once, that its tasks run.
        assertThat(told).hasSize(50).allSatisfy((owner, times) -> assertThat(times.get())
                .isEqualTo(1));
    }

    @Test
    void anOwnerIsToldWhenItsTaskStopsAndNotOfTheStepsBetween() {
        fast.startDelay(Duration.ofMillis(300)).runDuration(Duration.ofMillis(600));
        String arn = launch(1).get(0);
        TaskTracker<String> tracker = tracker(Duration.ofMillis(20));
        tracker.follow("job", at(List.of(arn)));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> tracker.seen(arn).map(s -> s.task().isStopped()).orElse(false));

        // PROVISIONING and the other steps were described many times; RUNNING and STOPPED were told.
        assertThat(fast.calls("DescribeTasks")).isGreaterThan(10);
        assertThat(told.get("job").get()).isEqualTo(2);
    }

    @Test
    void wordFromAnEventCountsUnlessTheTrackerKnowsANewerOne() {
        fast.holdRunning(task -> true);
        String arn = launch(1).get(0);
        TaskTracker<String> tracker = tracker(Duration.ofHours(1));
        tracker.follow("job", at(List.of(arn)));
        await().atMost(Duration.ofSeconds(10)).until(() -> tracker.seen(arn).isPresent());
        TaskObservation running = tracker.seen(arn).orElseThrow().task();

        tracker.take(copy(running, "PENDING", running.version() - 1));
        assertThat(tracker.seen(arn).orElseThrow().task().lastStatus()).isEqualTo("RUNNING");

        tracker.take(copy(running, "STOPPED", running.version() + 1));
        assertThat(tracker.seen(arn).orElseThrow().task().lastStatus()).isEqualTo("STOPPED");
        assertThat(told.get("job").get()).isEqualTo(2);

        // A task no one follows is not kept.
        tracker.take(TaskObservation.missing("arn:aws:ecs:us-east-1:123456789012:task/tracked/other"));
        assertThat(tracker.followed()).isEqualTo(1);
        assertThat(tracker.seen("arn:aws:ecs:us-east-1:123456789012:task/tracked/other"))
                .isEmpty();
    }

    @Test
    void aTaskEcsForgetsIsToldTwiceThenNoMore() {
        fast.runDuration(Duration.ofMillis(10)).forgetAfter(Duration.ofMillis(10));
        String arn = launch(1).get(0);
        TaskTracker<String> tracker = tracker(Duration.ofMillis(20));
        tracker.follow("job", at(List.of(arn)));

        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        tracker.seen(arn).map(TaskTracker.Seen::missingInARow).orElse(0) > 4);

        assertThat(told.get("job").get()).isEqualTo(2);
        assertThat(tracker.seen(arn).orElseThrow().task().missing()).isTrue();
    }

    @Test
    void aFailedDescribeIsKeptForItsPlaceAndToldToItsOwnersOnce() {
        fast.holdRunning(task -> true);
        String arn = launch(1).get(0);
        TaskTracker.Place away = new TaskTracker.Place("eu-west-1", CLUSTER);
        TaskTracker<String> tracker = tracker(Duration.ofMillis(20));
        tracker.follow("here", at(List.of(arn)));
        tracker.follow("away", Map.of("arn:aws:ecs:eu-west-1:123456789012:task/tracked/t", away));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> tracker.failure(away).isPresent() && fast.calls("DescribeTasks") > 5);

        assertThat(tracker.failure(PLACE)).isEmpty();
        assertThat(tracker.seen(arn)).isPresent();
        assertThat(told.get("away").get()).isEqualTo(1);
    }

    static TaskObservation copy(TaskObservation task, String lastStatus, long version) {
        return new TaskObservation(
                task.taskArn(),
                false,
                lastStatus,
                task.desiredStatus(),
                task.stopCode(),
                task.stoppedReason(),
                task.startedAt(),
                task.stoppedAt(),
                task.containers(),
                task.tags(),
                task.environment(),
                version);
    }
}
