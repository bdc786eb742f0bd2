package io.iiifaws.demo;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.StopTaskRequest;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskStopCode;

/**
 * Runs the go-iiif container of each ECS task the emulator starts as a local iiif-process, with the
 * task's own argv and environment: the container's {@code /bin/iiif-process} is the local binary, no
 * shell is involved, and AWS is the emulator. DescribeTasks then reports the process as ECS would
 * report the container: RUNNING while it runs, STOPPED with its real exit code after.
 */
public final class LocalTasks implements ExecutionInterceptor, AutoCloseable {
    /** Where the task definition's image has iiif-process. */
    public static final String CONTAINER_BINARY = "/bin/iiif-process";

    /** One local run: the process, its log, and when it was first seen to have ended. */
    private static final class Run {
        final Process process;
        final Path log;
        final Instant startedAt = Instant.now();
        private Instant stoppedAt;

        Run(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        synchronized Instant stoppedAt() {
            if (stoppedAt == null) {
                stoppedAt = Instant.now();
            }
            return stoppedAt;
        }
    }

    private final Path binary;
    private final URI endpoint;
    private final String region;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    public LocalTasks(Path binary, URI endpoint, String region) {
        this.binary = binary;
        this.endpoint = endpoint;
        this.region = region;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof RunTaskRequest request
                && context.response() instanceof RunTaskResponse response) {
            for (Task task : response.tasks()) {
                runs.computeIfAbsent(task.taskArn(), arn -> start(request));
            }
        } else if (context.request() instanceof StopTaskRequest stop) {
            Run run = runs.get(stop.task());
            if (run != null) {
                run.process.destroy();
            }
        }
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        if (!(context.response() instanceof DescribeTasksResponse described)) {
            return context.response();
        }
        List<Task> tasks = new ArrayList<>();
        for (Task task : described.tasks()) {
            Run run = runs.get(task.taskArn());
            tasks.add(run == null ? task : asEcsReportsIt(task, run));
        }
        return described.toBuilder().tasks(tasks).build();
    }

    /** The lines the processes wrote, for people: go-iiif's errors are only there. */
    public List<String> log(String taskArn) {
        Run run = runs.get(taskArn);
        try {
            return run == null ? List.of() : Files.readAllLines(run.log);
        } catch (IOException e) {
            return List.of("(log unreadable: " + e.getMessage() + ")");
        }
    }

    private Run start(RunTaskRequest request) {
        ContainerOverride override = request.overrides().containerOverrides().get(0);
        List<String> argv = new ArrayList<>(override.command());
        if (argv.isEmpty() || !argv.get(0).equals(CONTAINER_BINARY)) {
            throw new IllegalStateException("the demo runs " + CONTAINER_BINARY + " locally, not " + argv);
        }
        argv.set(0, binary.toString());
        try {
            Path log = Files.createTempFile("iiif-process-", ".log");
            ProcessBuilder builder =
                    new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.clear();
            override.environment().forEach((KeyValuePair kv) -> env.put(kv.name(), kv.value()));
            env.put("AWS_ENDPOINT_URL", endpoint.toString());
            env.put("AWS_REGION", region);
            env.put("AWS_ACCESS_KEY_ID", "demo");
            env.put("AWS_SECRET_ACCESS_KEY", "demo");
            env.put("TMPDIR", System.getProperty("java.io.tmpdir"));
            return new Run(builder.start(), log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
        }
    }

    private static Task asEcsReportsIt(Task task, Run run) {
        boolean alive = run.process.isAlive();
        String container =
                task.containers().isEmpty() ? "iiif" : task.containers().get(0).name();
        if (alive) {
            return task.toBuilder()
                    .lastStatus("RUNNING")
                    .desiredStatus("RUNNING")
                    .startedAt(run.startedAt)
                    .stopCode((String) null)
                    .stoppedReason(null)
                    .stoppedAt(null)
                    .containers(Container.builder()
                            .name(container)
                            .lastStatus("RUNNING")
                            .build())
                    .build();
        }
        int exit = run.process.exitValue();
        // A task stopped on request keeps the reason StopTask gave, as ECS keeps it.
        boolean stopped = task.stoppedReason() != null && !task.stoppedReason().isBlank();
        return task.toBuilder()
                .lastStatus("STOPPED")
                .desiredStatus("STOPPED")
                .startedAt(run.startedAt)
                .stopCode(stopped ? TaskStopCode.USER_INITIATED : TaskStopCode.ESSENTIAL_CONTAINER_EXITED)
                .stoppedReason(stopped ? task.stoppedReason() : "Essential container in task exited")
                .stoppedAt(run.stoppedAt())
                .containers(Container.builder()
                        .name(container)
                        .lastStatus("STOPPED")
                        .exitCode(exit)
                        .build())
                .build();
    }

    @Override
    public void close() {
        runs.values().forEach(r -> {
            r.process.destroyForcibly();
            try {
                Files.deleteIfExists(r.log);
            } catch (IOException ignored) {
                // a temporary file
            }
        });
    }
}
