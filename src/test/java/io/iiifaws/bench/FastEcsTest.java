package io.iiifaws.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ConflictException;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;

class FastEcsTest {
    static final String CLUSTER = "bench";
    static final ObjectMapper JSON = new ObjectMapper();

    FastEcs fast;
    EcsClient ecs;

    @BeforeEach
    void start() throws Exception {
        fast = new FastEcs();
        ecs = client(false);
    }

    @AfterEach
    void stop() {
        ecs.close();
        fast.close();
    }

    EcsClient client(boolean noRetries) {
        return EcsClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(fast.endpoint())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(o -> {
                    if (noRetries) {
                        o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    }
                })
                .build();
    }

    static RunTaskRequest.Builder run(String startedBy, String... command) {
        return RunTaskRequest.builder()
                .cluster(CLUSTER)
                .taskDefinition("go-iiif:3")
                .count(1)
                .startedBy(startedBy)
                .launchType("FARGATE")
                .networkConfiguration(
                        n -> n.awsvpcConfiguration(a -> a.subnets("subnet-1").securityGroups("sg-1")))
                .overrides(o -> o.containerOverrides(c -> c.name("iiif")
                        .command(command)
                        .environment(KeyValuePair.builder()
                                .name("IIIF_AWS_JOB")
                                .value(startedBy)
                                .build())))
                .tags(t -> t.key("iiif-aws/job").value(startedBy));
    }

    Task describe(String arn) {
        var response = ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(arn).include(TaskField.TAGS));
        assertThat(response.failures()).isEmpty();
        return response.tasks().get(0);
    }

    @Test
    void aTaskRunsThenStopsWithTheExitCodeChosen() {
        fast.holdRunning(task -> true).exitCodes(task -> task.command().contains("fail.jpg") ? 3 : 0);
        Task launched = ecs.runTask(
                        run("job-1", "/bin/iiif-process", "--", "fail.jpg").build())
                .tasks()
                .get(0);

        assertThat(launched.lastStatus()).isEqualTo("PROVISIONING");
        assertThat(launched.taskArn()).matches("arn:aws:ecs:us-east-1:123456789012:task/bench/[0-9a-f]{32}");
        assertThat(launched.taskDefinitionArn())
                .isEqualTo("arn:aws:ecs:us-east-1:123456789012:task-definition/go-iiif:3");
        String arn = launched.taskArn();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> describe(arn).lastStatus().equals("RUNNING"));
        Task running = describe(arn);
        assertThat(running.desiredStatus()).isEqualTo("RUNNING");
        assertThat(running.startedAt()).isNotNull();
        assertThat(running.containers().get(0).lastStatus()).isEqualTo("RUNNING");
        assertThat(running.containers().get(0).exitCode()).isNull();

        fast.holdRunning(task -> false);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> describe(arn).lastStatus().equals("STOPPED"));
        Task stopped = describe(arn);
        assertThat(stopped.desiredStatus()).isEqualTo("STOPPED");
        assertThat(stopped.stopCodeAsString()).isEqualTo("EssentialContainerExited");
        assertThat(stopped.stoppedReason()).isEqualTo("Essential container in task exited");
        assertThat(stopped.containers()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("iiif");
            assertThat(c.lastStatus()).isEqualTo("STOPPED");
            assertThat(c.exitCode()).isEqualTo(3);
        });
        assertThat(stopped.startedBy()).isEqualTo("job-1");
        assertThat(stopped.overrides().containerOverrides().get(0).command())
                .containsExactly("/bin/iiif-process", "--", "fail.jpg");
        assertThat(stopped.overrides().containerOverrides().get(0).environment())
                .containsExactly(KeyValuePair.builder()
                        .name("IIIF_AWS_JOB")
                        .value("job-1")
                        .build());
        assertThat(stopped.tags()).singleElement().satisfies(t -> assertThat(t.value())
                .isEqualTo("job-1"));
        assertThat(stopped.version()).isEqualTo(3L);
        assertThat(stopped.stoppedAt())
                .isAfterOrEqualTo(stopped.startedAt())
                .isEqualTo(fast.stoppedAt(arn).orElseThrow());
        assertThat(ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(arn))
                        .tasks()
                        .get(0)
                        .tags())
                .isEmpty();

        assertThat(fast.launched()).singleElement().satisfies(view -> {
            assertThat(view.arn()).isEqualTo(arn);
            assertThat(view.cluster()).isEqualTo(CLUSTER);
            assertThat(view.container()).isEqualTo("iiif");
            assertThat(view.environment()).containsEntry("IIIF_AWS_JOB", "job-1");
            assertThat(view.tags()).containsEntry("iiif-aws/job", "job-1");
        });
        assertThat(fast.started()).isEqualTo(1);
        assertThat(fast.calls("RunTask")).isEqualTo(1);
        assertThat(fast.describedArns()).isEqualTo(fast.calls("DescribeTasks"));
    }

    @Test
    void theSameClientTokenReturnsTheSameTaskAndADifferentRequestConflicts() {
        String first = ecs.runTask(run("job-1", "a.jpg").clientToken("token-1").build())
                .tasks()
                .get(0)
                .taskArn();
        String again = ecs.runTask(run("job-1", "a.jpg").clientToken("token-1").build())
                .tasks()
                .get(0)
                .taskArn();

        assertThat(again).isEqualTo(first);
        assertThat(fast.started()).isEqualTo(1);
        assertThatThrownBy(() ->
                        ecs.runTask(run("job-1", "b.jpg").clientToken("token-1").build()))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.resourceIds()).containsExactly(first);
                });
        assertThat(ecs.runTask(run("job-1", "b.jpg").clientToken("token-2").build())
                        .tasks()
                        .get(0)
                        .taskArn())
                .isNotEqualTo(first);
        assertThat(fast.started()).isEqualTo(2);
    }

    @Test
    void describeTasksRefusesMoreThanAHundredAndSaysMissingForUnknownTasks() {
        List<String> many = IntStream.range(0, 101)
                .mapToObj(i -> "arn:aws:ecs:us-east-1:123456789012:task/bench/" + i)
                .toList();
        assertThatThrownBy(() -> ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(many)))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("Tasks cannot be more than 100");

        String known = ecs.runTask(run("job-1", "a.jpg").build()).tasks().get(0).taskArn();
        String unknown = "arn:aws:ecs:us-east-1:123456789012:task/bench/0123456789abcdef0123456789abcdef";
        var response = ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(known, unknown));
        assertThat(response.tasks()).extracting(Task::taskArn).containsExactly(known);
        assertThat(response.failures()).singleElement().satisfies(f -> {
            assertThat(f.arn()).isEqualTo(unknown);
            assertThat(f.reason()).isEqualTo("MISSING");
        });
        assertThat(ecs.describeTasks(r -> r.cluster("elsewhere").tasks(known)).failures())
                .hasSize(1);
        assertThat(fast.describedArns()).isEqualTo(3);
    }

    @Test
    void listTasksPaginatesAndFiltersByStartedByAndDesiredStatus() {
        fast.holdRunning(task -> true);
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(
                    ecs.runTask(run("job-a", i + ".jpg").build()).tasks().get(0).taskArn());
        }
        ecs.runTask(run("job-b", "other.jpg").build());

        var first = ecs.listTasks(r -> r.cluster(CLUSTER).startedBy("job-a").maxResults(2));
        assertThat(first.taskArns()).containsExactlyElementsOf(mine.subList(0, 2));
        assertThat(first.nextToken()).isNotBlank();
        List<String> all =
                ecs
                        .listTasksPaginator(
                                r -> r.cluster(CLUSTER).startedBy("job-a").maxResults(2))
                        .taskArns()
                        .stream()
                        .toList();
        assertThat(all).containsExactlyElementsOf(mine);
        assertThat(ecs.listTasks(r -> r.cluster(CLUSTER).desiredStatus(DesiredStatus.RUNNING))
                        .taskArns())
                .hasSize(6);
        assertThat(ecs.listTasks(r -> r.cluster(CLUSTER).maxResults(6)).nextToken())
                .isNull();

        ecs.stopTask(r -> r.cluster(CLUSTER).task(mine.get(1)));
        assertThat(ecs.listTasks(r -> r.cluster(CLUSTER).startedBy("job-a").desiredStatus(DesiredStatus.STOPPED))
                        .taskArns())
                .containsExactly(mine.get(1));
        assertThat(ecs.listTasks(r -> r.cluster(CLUSTER).startedBy("job-a")).taskArns())
                .hasSize(4);
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster(CLUSTER).maxResults(101)))
                .isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void stopTaskStopsAtOnceWithTheReasonGiven() {
        fast.holdRunning(task -> true);
        String arn = ecs.runTask(run("job-1", "a.jpg").build()).tasks().get(0).taskArn();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> describe(arn).lastStatus().equals("RUNNING"));

        Task answered = ecs.stopTask(r -> r.cluster(CLUSTER).task(arn).reason("Cancelled by the operator"))
                .task();

        for (Task task : List.of(answered, describe(arn))) {
            assertThat(task.lastStatus()).isEqualTo("STOPPED");
            assertThat(task.desiredStatus()).isEqualTo("STOPPED");
            assertThat(task.stopCodeAsString()).isEqualTo("UserInitiated");
            assertThat(task.stoppedReason()).isEqualTo("Cancelled by the operator");
            assertThat(task.containers().get(0).exitCode()).isEqualTo(143);
        }
        assertThat(fast.stoppedAt(arn)).contains(answered.stoppedAt());
        assertThatThrownBy(() -> ecs.stopTask(r -> r.cluster(CLUSTER).task("0123456789abcdef0123456789abcdef")))
                .isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void stoppedTasksAreForgotten() {
        fast.runDuration(Duration.ZERO).forgetAfter(Duration.ofMillis(300));
        String arn = ecs.runTask(run("job-1", "a.jpg").build()).tasks().get(0).taskArn();

        await().atMost(Duration.ofSeconds(5)).until(() -> fast.stoppedAt(arn).isPresent());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(arn)).failures().stream()
                        .anyMatch(f -> f.reason().equals("MISSING")));
        assertThat(ecs.listTasks(r -> r.cluster(CLUSTER).desiredStatus(DesiredStatus.STOPPED))
                        .taskArns())
                .isEmpty();
    }

    @Test
    void anEmptyRunTaskBucketThrottles() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        // Fargate's burst, refilled at 1 a second: the 800 calls empty it however slow the machine.
        fast.throttle(20, 1, "RunTask");
        try (EcsClient once = client(true)) {
            List<Future<EcsException>> callers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int caller = t;
                callers.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        try {
                            once.runTask(run("job-" + caller + "-" + i, "a.jpg").build());
                        } catch (EcsException e) {
                            return e;
                        }
                    }
                    return null;
                }));
            }
            List<EcsException> throttled = new ArrayList<>();
            for (Future<EcsException> caller : callers) {
                throttled.add(caller.get());
            }
            assertThat(throttled).allSatisfy(e -> {
                assertThat(e).isNotNull();
                assertThat(e.isThrottlingException()).isTrue();
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
                assertThat(e.statusCode()).isEqualTo(400);
            });
            assertThat(fast.throttles("RunTask")).isEqualTo(8);
            assertThat(fast.started()).isGreaterThanOrEqualTo(20).isEqualTo(fast.calls("RunTask") - 8);

            fast.throttling(false);
            for (int i = 0; i < 50; i++) {
                once.runTask(run("more-" + i, "a.jpg").build());
            }
            assertThat(fast.throttles("RunTask")).isEqualTo(8);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void stateChangesArriveAsEventBridgeEventsWithIncreasingVersions() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        fast.onTaskStateChange(events::add)
                .startDelay(Duration.ofMillis(50))
                .runDuration(Duration.ofMillis(200))
                .exitCodes(task -> 1);
        String arn = ecs.runTask(run("job-1", "a.jpg").build()).tasks().get(0).taskArn();

        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
        JsonNode running = JSON.readTree(events.get(0));
        JsonNode stopped = JSON.readTree(events.get(1));
        for (JsonNode event : List.of(running, stopped)) {
            assertThat(event.path("version").asText()).isEqualTo("0");
            assertThat(event.path("detail-type").asText()).isEqualTo("ECS Task State Change");
            assertThat(event.path("source").asText()).isEqualTo("aws.ecs");
            assertThat(event.path("account").asText()).isEqualTo("123456789012");
            assertThat(event.path("region").asText()).isEqualTo("us-east-1");
            assertThat(event.path("id").asText()).hasSize(36);
            assertThat(Instant.parse(event.path("time").asText())).isNotNull();
            assertThat(event.path("resources")).singleElement().satisfies(r -> assertThat(r.asText())
                    .isEqualTo(arn));
            JsonNode detail = event.path("detail");
            assertThat(detail.path("taskArn").asText()).isEqualTo(arn);
            assertThat(detail.path("clusterArn").asText())
                    .isEqualTo("arn:aws:ecs:us-east-1:123456789012:cluster/bench");
            assertThat(Instant.parse(detail.path("updatedAt").asText())).isNotNull();
            assertThat(Instant.parse(detail.path("createdAt").asText())).isNotNull();
            assertThat(detail.path("startedBy").asText()).isEqualTo("job-1");
        }
        assertThat(running.path("detail").path("lastStatus").asText()).isEqualTo("RUNNING");
        assertThat(stopped.path("detail").path("lastStatus").asText()).isEqualTo("STOPPED");
        assertThat(stopped.path("detail").path("stopCode").asText()).isEqualTo("EssentialContainerExited");
        assertThat(stopped.path("detail")
                        .path("containers")
                        .path(0)
                        .path("exitCode")
                        .asInt())
                .isEqualTo(1);
        assertThat(stopped.path("detail").path("version").asLong())
                .isGreaterThan(running.path("detail").path("version").asLong());
        assertThat(Instant.parse(stopped.path("detail").path("stoppedAt").asText()))
                .isEqualTo(fast.stoppedAt(arn).orElseThrow())
                .isEqualTo(describe(arn).stoppedAt());
    }

    @Test
    void describeTaskDefinitionAndUnknownOperations() {
        var definition =
                ecs.describeTaskDefinition(r -> r.taskDefinition("go-iiif")).taskDefinition();
        assertThat(definition.taskDefinitionArn())
                .isEqualTo("arn:aws:ecs:us-east-1:123456789012:task-definition/go-iiif:1");
        assertThat(definition.revision()).isEqualTo(1);
        assertThat(definition.containerDefinitions()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("iiif");
            assertThat(c.environment()).isEmpty();
        });
        assertThatThrownBy(() -> ecs.listClusters()).isInstanceOfSatisfying(EcsException.class, e -> assertThat(
                        e.awsErrorDetails().errorCode())
                .isEqualTo("UnknownOperationException"));
    }

    /** Many clients at once are each answered in full and counted once a call. */
    @Test
    void servesManyCallsAtOnce() throws Exception {
        fast.throttling(false).holdRunning(task -> true);
        List<String> arns = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            arns.add(
                    ecs.runTask(run("job-" + i, "a.jpg").build()).tasks().get(0).taskArn());
        }
        int threads = 8;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    int seen = 0;
                    for (int i = 0; i < perThread; i++) {
                        seen += ecs.describeTasks(
                                        r -> r.cluster(CLUSTER).tasks(arns).include(TaskField.TAGS))
                                .tasks()
                                .size();
                    }
                    return seen;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get()).isEqualTo(perThread * 100);
            }
            assertThat(fast.calls()).containsEntry("DescribeTasks", (long) threads * perThread);
            assertThat(fast.throttles()).isEqualTo(Map.of());
        } finally {
            pool.shutdownNow();
        }
    }
}
