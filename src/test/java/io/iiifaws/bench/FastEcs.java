package io.iiifaws.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.iiifaws.testing.TaskView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An in-process stand-in for Amazon ECS, fast enough for benchmarks of thousands of tasks, that the real
 * SDK's {@code EcsClient} talks to over the AWS JSON 1.1 protocol (signatures are not checked).
 *
 * <p>RunTask, StopTask, DescribeTasks, ListTasks and DescribeTaskDefinition answer as ECS does, with
 * ECS's field names, errors and token-bucket throttling; any other operation is an
 * UnknownOperationException. Each task goes PROVISIONING, RUNNING after {@link #startDelay}, STOPPED
 * after {@link #runDuration} (unless {@link #holdRunning held}), by wall clock; a background scheduler
 * makes the changes on time and sends each to the {@link #onTaskStateChange} listeners as an
 * EventBridge "ECS Task State Change" event. Stopped tasks are forgotten after {@link #forgetAfter}.
 */
public final class FastEcs implements AutoCloseable {
    public static final String ACCOUNT = "123456789012";
    public static final String REGION = "us-east-1";
    public static final String DEFAULT_CONTAINER = "iiif";
    public static final String IMAGE = "go-iiif";
    /** DescribeTasks takes at most this many tasks, ListTasks answers at most this many a page. */
    public static final int PAGE_LIMIT = 100;

    private static final String TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
    private static final String JSON_TYPE = "application/x-amz-json-1.1";
    private static final String ARN_PREFIX = "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;
    private static final String PROVISIONING = "PROVISIONING";
    private static final String RUNNING = "RUNNING";
    private static final String STOPPED = "STOPPED";
    /** What the container killed by StopTask's SIGTERM exits with. */
    private static final int SIGTERM_EXIT = 143;

    private static final Duration HOLD_SWEEP = Duration.ofMillis(20);
    private static final String PING = "/fastecs/ping";

    static {
        // The JDK's HttpServer writes a response's headers and body in two writes; without TCP_NODELAY, Nagle's
        // algorithm and the client's delayed ACK hold each small response up to 40 ms. The JDK reads this once, when
        // the JVM's first HttpServer starts (so pass -Dsun.net.httpserver.nodelay=true if one starts before FastEcs).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private record State(
            String lastStatus,
            String desiredStatus,
            long version,
            Instant startedAt,
            Instant stoppedAt,
            String stopCode,
            String stoppedReason,
            Integer exitCode,
            Instant updatedAt) {

        static State provisioning(Instant at) {
            return new State(PROVISIONING, RUNNING, 1, null, null, null, null, null, at);
        }

        State running(Instant at) {
            return new State(RUNNING, RUNNING, version + 1, at, null, null, null, null, at);
        }

        State stopped(Instant at, String code, String reason, Integer exit) {
            return new State(STOPPED, STOPPED, version + 1, startedAt, at, code, reason, exit, at);
        }

        String containerStatus() {
            return lastStatus.equals(PROVISIONING) ? "PENDING" : lastStatus;
        }
    }

    /** A task's JSON as DescribeTasks shows it, for one state. */
    private record Rendered(State state, byte[] bytes) {}

    private record TokenUse(JsonNode request, List<Task> tasks) {}

    private record IndexKey(String cluster, String startedBy, String desiredStatus) {}

    private static final class Task {
        final long seq;
        final TaskView view;
        final String clusterArn;
        final String taskDefinitionArn;
        final String group;
        final String containerArn;
        final String launchType;
        final String capacityProviderName;
        final JsonNode overrides;
        final ArrayNode tags;
        final Instant runAt;
        final Instant stopAt;
        final String tokenKey;
        final State initial;
        volatile State state;
        volatile Rendered plain;
        volatile Rendered tagged;

        Task(
                long seq,
                TaskView view,
                TaskDefinition definition,
                String launchType,
                String capacityProviderName,
                JsonNode overrides,
                ArrayNode tags,
                Instant runAt,
                Instant stopAt,
                String tokenKey) {
            this.seq = seq;
            this.view = view;
            this.clusterArn = ARN_PREFIX + "cluster/" + view.cluster();
            this.taskDefinitionArn = definition.arn();
            this.group = "family:" + definition.family();
            String id = view.arn().substring(view.arn().lastIndexOf('/') + 1);
            this.containerArn = ARN_PREFIX + "container/" + view.cluster() + "/" + id + "/"
                    + new UUID(
                            ThreadLocalRandom.current().nextLong(),
                            ThreadLocalRandom.current().nextLong());
            this.launchType = launchType;
            this.capacityProviderName = capacityProviderName;
            this.overrides = overrides;
            this.tags = tags;
            this.runAt = runAt;
            this.stopAt = stopAt;
            this.tokenKey = tokenKey;
            this.initial = State.provisioning(view.launchedAt());
            this.state = initial;
        }
    }

    private record TaskDefinition(String arn, String family, int revision) {
        static TaskDefinition of(String name) {
            String familyRevision =
                    name.startsWith("arn:") ? name.substring(name.indexOf("task-definition/") + 16) : name;
            int colon = familyRevision.lastIndexOf(':');
            String family = colon < 0 ? familyRevision : familyRevision.substring(0, colon);
            int revision = colon < 0 ? 1 : Integer.parseInt(familyRevision.substring(colon + 1));
            return new TaskDefinition(ARN_PREFIX + "task-definition/" + family + ":" + revision, family, revision);
        }
    }

    private static final class EcsError extends RuntimeException {
        final int status;
        final String type;
        final ObjectNode extra;

        EcsError(int status, String type, String message, ObjectNode extra) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
            this.extra = extra;
        }

        static EcsError invalid(String message) {
            return new EcsError(400, "InvalidParameterException", message, null);
        }
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService events;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<IndexKey, ConcurrentSkipListMap<Long, Task>> index = new ConcurrentHashMap<>();
    private final Map<String, TokenUse> tokens = new ConcurrentHashMap<>();
    private final Set<Task> held = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<TaskView> launched = new ConcurrentLinkedQueue<>();
    private final Map<String, Instant> stops = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> throttles = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder describedArns = new LongAdder();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong requestIds = new AtomicLong();
    private volatile boolean throttling = true;
    private volatile Duration startDelay = Duration.ZERO;
    private volatile Duration runDuration = Duration.ofSeconds(1);
    private volatile Duration forgetAfter = Duration.ofHours(1);
    private volatile Function<TaskView, Integer> exitCodes = task -> 0;
    private volatile Predicate<TaskView> holding = task -> false;

    /** Listens on 127.0.0.1 with 16 threads. */
    public FastEcs() throws IOException {
        this(16);
    }

    public FastEcs(int threads) throws IOException {
        pool = Executors.newFixedThreadPool(threads, daemon("fastecs-http"));
        scheduler = Executors.newSingleThreadScheduledExecutor(daemon("fastecs-clock"));
        events = Executors.newSingleThreadExecutor(daemon("fastecs-events"));
        throttle(20, 20, "RunTask");
        throttle(100, 40, "StopTask");
        throttle(100, 20, "DescribeTasks", "ListTasks");
        throttle(50, 20, "DescribeTaskDefinition");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.createContext("/", this::handle);
        server.createContext(PING, FastEcs::pong);
        server.setExecutor(pool);
        server.start();
        warnIfResponsesWait();
        scheduler.scheduleWithFixedDelay(
                this::sweepHeld, HOLD_SWEEP.toMillis(), HOLD_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A new ECS client of this stand-in, with the SDK's default retries; the caller closes it. */
    public software.amazon.awssdk.services.ecs.EcsClient client() {
        return software.amazon.awssdk.services.ecs.EcsClient.builder()
                .region(software.amazon.awssdk.regions.Region.of(REGION))
                .endpointOverride(endpoint())
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")))
                .build();
    }

    // ---- settings --------------------------------------------------------------------------

    /** How long tasks launched from now on stay PROVISIONING; default 0. */
    public FastEcs startDelay(Duration delay) {
        startDelay = delay;
        return this;
    }

    /** How long tasks launched from now on run before their container exits; default 1 s. */
    public FastEcs runDuration(Duration duration) {
        runDuration = duration;
        return this;
    }

    /** The exit code of a task's container when it exits by itself (null: none); default 0. */
    public FastEcs exitCodes(Function<TaskView, Integer> rule) {
        exitCodes = rule;
        return this;
    }

    /** Tasks matching keep running past their run duration, until StopTask or the rule stops matching. */
    public FastEcs holdRunning(Predicate<TaskView> rule) {
        holding = rule;
        return this;
    }

    /** How long after it stopped ECS still knows a task; default 1 hour. */
    public FastEcs forgetAfter(Duration after) {
        forgetAfter = after;
        return this;
    }

    /**
     * The operations share one token bucket of {@code burst} tokens refilled at {@code perSecond}; a call
     * finding it empty gets ThrottlingException. Defaults: RunTask 20/20, StopTask 100/40,
     * DescribeTasks+ListTasks 100/20, DescribeTaskDefinition 50/20.
     */
    public FastEcs throttle(int burst, double perSecond, String... operations) {
        long perThousandSeconds = Math.round(perSecond * 1000);
        if (burst < 1 || perThousandSeconds < 1) {
            throw new IllegalArgumentException("a bucket needs a burst and a refill of at least one");
        }
        Bucket bucket = Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(burst)
                        .refillGreedy(perThousandSeconds, Duration.ofSeconds(1000))
                        .build())
                .build();
        for (String operation : operations) {
            buckets.put(operation, bucket);
        }
        return this;
    }

    /** Turns all throttling off or back on; on by default. */
    public FastEcs throttling(boolean on) {
        throttling = on;
        return this;
    }

    /** Receives every RUNNING and STOPPED change as EventBridge event JSON, in order for each task. */
    public FastEcs onTaskStateChange(Consumer<String> listener) {
        listeners.add(listener);
        return this;
    }

    // ---- counters --------------------------------------------------------------------------

    /** Calls of the operation received, throttled ones included. */
    public long calls(String operation) {
        LongAdder count = calls.get(operation);
        return count == null ? 0 : count.sum();
    }

    public Map<String, Long> calls() {
        return snapshot(calls);
    }

    public long throttles(String operation) {
        LongAdder count = throttles.get(operation);
        return count == null ? 0 : count.sum();
    }

    public Map<String, Long> throttles() {
        return snapshot(throttles);
    }

    /** Task ARNs asked for, over all DescribeTasks calls that were answered. */
    public long describedArns() {
        return describedArns.sum();
    }

    /** Tasks RunTask started (a repeated client token starts none). */
    public int started() {
        return started.get();
    }

    /** When ECS says the task stopped: its {@code stoppedAt}, also after it is forgotten. */
    public Optional<Instant> stoppedAt(String taskArn) {
        return Optional.ofNullable(stops.get(taskArn));
    }

    /** {@link #stoppedAt} of every stopped task, by ARN. */
    public Map<String, Instant> stops() {
        return Map.copyOf(stops);
    }

    /** Every task RunTask started, in launch order. */
    public List<TaskView> launched() {
        return List.copyOf(launched);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        scheduler.shutdownNow();
        events.shutdownNow();
    }

    // ---- the protocol ----------------------------------------------------------------------

    private static void pong(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("{}".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Says so when each response waits for a delayed ACK, which would make any figure measured here wrong. */
    private void warnIfResponsesWait() {
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            try {
                HttpURLConnection ping =
                        (HttpURLConnection) endpoint().resolve(PING).toURL().openConnection();
                try (InputStream in = ping.getInputStream()) {
                    in.readAllBytes();
                }
            } catch (IOException e) {
                return;
            }
            fastest = Math.min(fastest, System.nanoTime() - start);
        }
        if (fastest > TimeUnit.MILLISECONDS.toNanos(25)) {
            System.err.printf(
                    "FastEcs: each response waits %d ms for a delayed ACK: an HttpServer started before"
                            + " FastEcs in this JVM without TCP_NODELAY; run with -Dsun.net.httpserver.nodelay=true%n",
                    TimeUnit.NANOSECONDS.toMillis(fastest));
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = target != null && target.startsWith(TARGET_PREFIX)
                    ? target.substring(TARGET_PREFIX.length())
                    : String.valueOf(target);
            calls.computeIfAbsent(operation, k -> new LongAdder()).increment();
            int status = 200;
            String errorType = null;
            byte[] answer;
            try {
                answer = answer(operation, body);
            } catch (EcsError e) {
                status = e.status;
                errorType = e.type;
                answer = error(e);
            } catch (RuntimeException e) {
                e.printStackTrace();
                status = 500;
                errorType = "ServerException";
                answer = error(new EcsError(500, errorType, String.valueOf(e), null));
            }
            var headers = exchange.getResponseHeaders();
            headers.set("Content-Type", JSON_TYPE);
            headers.set("x-amzn-RequestId", "fastecs-" + requestIds.incrementAndGet());
            if (errorType != null) {
                headers.set("x-amzn-ErrorType", errorType);
            }
            exchange.sendResponseHeaders(status, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    private byte[] answer(String operation, byte[] body) {
        Bucket bucket = buckets.get(operation);
        if (throttling && bucket != null && !bucket.tryConsume(1)) {
            throttles.computeIfAbsent(operation, k -> new LongAdder()).increment();
            throw new EcsError(400, "ThrottlingException", "Rate exceeded", null);
        }
        JsonNode request;
        try {
            request = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new EcsError(400, "SerializationException", "Malformed request body", null);
        }
        return switch (operation) {
            case "RunTask" -> runTask(request);
            case "StopTask" -> stopTask(request);
            case "DescribeTasks" -> describeTasks(request);
            case "ListTasks" -> listTasks(request);
            case "DescribeTaskDefinition" -> describeTaskDefinition(request);
            default -> throw new EcsError(400, "UnknownOperationException", "Unknown operation " + operation, null);
        };
    }

    private byte[] runTask(JsonNode request) {
        String cluster = cluster(request);
        TaskDefinition definition = definition(text(request, "taskDefinition"));
        int count = request.path("count").asInt(1);
        if (count < 1 || count > 10) {
            throw EcsError.invalid("count must be between 1 and 10.");
        }
        String token = text(request, "clientToken");
        List<Task> run;
        boolean fresh;
        if (token == null) {
            run = launch(cluster, definition, request, count, null);
            fresh = true;
        } else {
            ObjectNode withoutToken = request.deepCopy();
            withoutToken.remove("clientToken");
            String key = cluster + "\n" + token;
            List<Task> launchedHere = new ArrayList<>();
            TokenUse use = tokens.computeIfAbsent(key, k -> {
                launchedHere.addAll(launch(cluster, definition, request, count, k));
                return new TokenUse(withoutToken, List.copyOf(launchedHere));
            });
            if (!use.request().equals(withoutToken)) {
                ObjectNode extra = JSON.createObjectNode();
                ArrayNode ids = extra.putArray("resourceIds");
                use.tasks().forEach(t -> ids.add(t.view.arn()));
                throw new EcsError(
                        400,
                        "ConflictException",
                        "The RunTask request could not be processed due to"
                                + " conflicts. The provided clientToken is already in use with a different RunTask request. The"
                                + " resourceIds are the existing task ARNs which are already associated with the clientToken.",
                        extra);
            }
            run = use.tasks();
            fresh = !launchedHere.isEmpty();
        }
        Instant now = now();
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        write(out, "{\"tasks\":[");
        for (int i = 0; i < run.size(); i++) {
            Task task = run.get(i);
            write(out, i == 0 ? "" : ",");
            if (fresh) {
                // As ECS answers RunTask, even when the scheduler has already moved the task on.
                out.writeBytes(bytes(taskJson(task, task.initial, true, false)));
            } else {
                advance(task, now);
                out.writeBytes(rendered(task, true));
            }
        }
        write(out, "],\"failures\":[]}");
        return out.toByteArray();
    }

    private List<Task> launch(String cluster, TaskDefinition definition, JsonNode request, int count, String tokenKey) {
        Instant now = now();
        JsonNode override = request.path("overrides").path("containerOverrides").path(0);
        String container = override.path("name").asText(DEFAULT_CONTAINER);
        List<String> command = new ArrayList<>();
        override.path("command").forEach(c -> command.add(c.asText()));
        Map<String, String> environment = new LinkedHashMap<>();
        override.path("environment")
                .forEach(kv -> environment.put(
                        kv.path("name").asText(), kv.path("value").asText()));
        Map<String, String> tagMap = new LinkedHashMap<>();
        ArrayNode tags = JSON.createArrayNode();
        request.path("tags").forEach(kv -> {
            tagMap.put(kv.path("key").asText(), kv.path("value").asText());
            tags.addObject()
                    .put("key", kv.path("key").asText())
                    .put("value", kv.path("value").asText());
        });
        JsonNode overrides = request.has("overrides")
                ? request.get("overrides").deepCopy()
                : JSON.createObjectNode().<ObjectNode>set("containerOverrides", JSON.createArrayNode());
        String capacityProvider = text(request.path("capacityProviderStrategy").path(0), "capacityProvider");
        String launchType = text(request, "launchType");
        if (launchType == null && capacityProvider != null && capacityProvider.startsWith("FARGATE")) {
            launchType = "FARGATE";
        }
        Instant runAt = now.plus(startDelay);
        Instant stopAt = runAt.plus(runDuration);
        String startedBy = text(request, "startedBy");
        List<Task> run = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            String arn = ARN_PREFIX + "task/" + cluster + "/" + HexFormat.of().toHexDigits(random.nextLong())
                    + HexFormat.of().toHexDigits(random.nextLong());
            TaskView view = new TaskView(
                    arn,
                    cluster,
                    startedBy,
                    container,
                    List.copyOf(command),
                    Collections.unmodifiableMap(environment),
                    Collections.unmodifiableMap(tagMap),
                    now);
            Task task = new Task(
                    seq.incrementAndGet(),
                    view,
                    definition,
                    launchType,
                    capacityProvider,
                    overrides,
                    tags,
                    runAt,
                    stopAt,
                    tokenKey);
            tasks.put(arn, task);
            indexed(task, RUNNING, true);
            launched.add(view);
            started.incrementAndGet();
            run.add(task);
            at(runAt, () -> advance(task, now()));
            at(stopAt, () -> advance(task, now()));
        }
        return run;
    }

    private byte[] stopTask(JsonNode request) {
        String cluster = cluster(request);
        String id = text(request, "task");
        if (id == null) {
            throw EcsError.invalid("Task can not be blank.");
        }
        Instant now = now();
        Task task = find(cluster, id, now);
        if (task == null) {
            throw EcsError.invalid("The referenced task was not found.");
        }
        String reason = text(request, "reason");
        synchronized (task) {
            State state = task.state;
            if (!state.lastStatus().equals(STOPPED)) {
                Integer exit = state.lastStatus().equals(RUNNING) ? SIGTERM_EXIT : null;
                stop(task, state.stopped(now, "UserInitiated", reason == null ? "Task stopped by user" : reason, exit));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        write(out, "{\"task\":");
        out.writeBytes(rendered(task, false));
        write(out, "}");
        return out.toByteArray();
    }

    private byte[] describeTasks(JsonNode request) {
        String cluster = cluster(request);
        JsonNode asked = request.path("tasks");
        if (!asked.isArray() || asked.isEmpty()) {
            throw EcsError.invalid("Tasks cannot be empty.");
        }
        if (asked.size() > PAGE_LIMIT) {
            throw EcsError.invalid("Tasks cannot be more than " + PAGE_LIMIT + ".");
        }
        boolean withTags = false;
        for (JsonNode field : request.path("include")) {
            withTags |= field.asText().equals("TAGS");
        }
        describedArns.add(asked.size());
        Set<String> ids = new LinkedHashSet<>();
        asked.forEach(id -> ids.add(id.asText()));
        Instant now = now();
        ArrayNode failures = JSON.createArrayNode();
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.size() * 1500 + 64);
        write(out, "{\"tasks\":[");
        boolean first = true;
        for (String id : ids) {
            Task task = find(cluster, id, now);
            if (task == null) {
                failures.addObject()
                        .put("arn", id.startsWith("arn:") ? id : taskArn(cluster, id))
                        .put("reason", "MISSING");
                continue;
            }
            write(out, first ? "" : ",");
            first = false;
            out.writeBytes(rendered(task, withTags));
        }
        write(out, "],\"failures\":");
        out.writeBytes(bytes(failures));
        write(out, "}");
        return out.toByteArray();
    }

    private byte[] listTasks(JsonNode request) {
        String cluster = cluster(request);
        String startedBy = text(request, "startedBy");
        String desired = Optional.ofNullable(text(request, "desiredStatus")).orElse(RUNNING);
        if (!Set.of(RUNNING, STOPPED, "PENDING").contains(desired)) {
            throw EcsError.invalid("desiredStatus must be RUNNING, PENDING or STOPPED.");
        }
        int max = request.path("maxResults").asInt(PAGE_LIMIT);
        if (max < 1 || max > PAGE_LIMIT) {
            throw EcsError.invalid("maxResults can be between 1 and " + PAGE_LIMIT + ".");
        }
        long after = 0;
        String token = text(request, "nextToken");
        if (token != null) {
            try {
                after = Long.parseLong(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw EcsError.invalid("Invalid token " + token);
            }
        }
        Instant now = now();
        ObjectNode response = JSON.createObjectNode();
        ArrayNode arns = response.putArray("taskArns");
        var tasksOf = index.get(new IndexKey(cluster, startedBy, desired));
        long last = 0;
        if (tasksOf != null) {
            for (Task task : tasksOf.tailMap(after, false).values()) {
                advance(task, now);
                if (!visible(task, now) || !task.state.desiredStatus().equals(desired)) {
                    continue;
                }
                if (arns.size() == max) {
                    response.put(
                            "nextToken",
                            Base64.getUrlEncoder()
                                    .encodeToString(Long.toString(last).getBytes(StandardCharsets.UTF_8)));
                    break;
                }
                arns.add(task.view.arn());
                last = task.seq;
            }
        }
        return bytes(response);
    }

    private byte[] describeTaskDefinition(JsonNode request) {
        TaskDefinition definition = definition(text(request, "taskDefinition"));
        ObjectNode response = JSON.createObjectNode();
        ObjectNode td = response.putObject("taskDefinition");
        td.put("taskDefinitionArn", definition.arn())
                .put("family", definition.family())
                .put("revision", definition.revision());
        td.putArray("containerDefinitions")
                .addObject()
                .put("name", DEFAULT_CONTAINER)
                .put("image", IMAGE)
                .put("essential", true);
        td.put("status", "ACTIVE")
                .put("networkMode", "awsvpc")
                .put("cpu", "256")
                .put("memory", "512");
        td.putArray("requiresCompatibilities").add("FARGATE");
        response.putArray("tags");
        return bytes(response);
    }

    // ---- the lifecycle ---------------------------------------------------------------------

    /** Makes every change the clock has made due; from the scheduler, or from a call that looks first. */
    private void advance(Task task, Instant now) {
        synchronized (task) {
            State state = task.state;
            if (state.lastStatus().equals(PROVISIONING) && !now.isBefore(task.runAt)) {
                state = state.running(task.runAt);
                task.state = state;
                emit(task, state);
            }
            if (state.lastStatus().equals(RUNNING) && !now.isBefore(task.stopAt)) {
                if (holding.test(task.view)) {
                    held.add(task);
                } else {
                    Instant at = held.remove(task) ? now : task.stopAt;
                    stop(
                            task,
                            state.stopped(
                                    at,
                                    "EssentialContainerExited",
                                    "Essential container in task exited",
                                    exitCodes.apply(task.view)));
                }
            }
        }
    }

    private void stop(Task task, State state) {
        task.state = state;
        held.remove(task);
        stops.put(task.view.arn(), state.stoppedAt());
        indexed(task, STOPPED, true);
        indexed(task, RUNNING, false);
        emit(task, state);
        at(state.stoppedAt().plus(forgetAfter), () -> forgetIfDue(task));
    }

    private void forgetIfDue(Task task) {
        Instant due = task.state.stoppedAt().plus(forgetAfter);
        if (now().isBefore(due)) {
            at(due, () -> forgetIfDue(task));
            return;
        }
        tasks.remove(task.view.arn(), task);
        indexed(task, STOPPED, false);
        if (task.tokenKey != null) {
            tokens.computeIfPresent(task.tokenKey, (k, use) -> use.tasks().contains(task) ? null : use);
        }
    }

    private void sweepHeld() {
        Instant now = now();
        for (Task task : held) {
            advance(task, now);
        }
    }

    /** Runs the action on the scheduler once the wall clock has reached the instant. */
    private void at(Instant instant, Runnable action) {
        long wait = Duration.between(now(), instant).toNanos();
        if (wait <= 0) {
            scheduler.execute(action);
        } else {
            scheduler.schedule(() -> at(instant, action), wait, TimeUnit.NANOSECONDS);
        }
    }

    private void indexed(Task task, String desired, boolean add) {
        for (String startedBy :
                task.view.startedBy() == null ? new String[] {null} : new String[] {null, task.view.startedBy()}) {
            IndexKey key = new IndexKey(task.view.cluster(), startedBy, desired);
            if (add) {
                index.computeIfAbsent(key, k -> new ConcurrentSkipListMap<>()).put(task.seq, task);
            } else {
                var tasksOf = index.get(key);
                if (tasksOf != null) {
                    tasksOf.remove(task.seq);
                }
            }
        }
    }

    private Task find(String cluster, String id, Instant now) {
        Task task = tasks.get(id.startsWith("arn:") ? id : taskArn(cluster, id));
        if (task == null || !task.view.cluster().equals(cluster)) {
            return null;
        }
        advance(task, now);
        return visible(task, now) ? task : null;
    }

    private boolean visible(Task task, Instant now) {
        State state = task.state;
        return state.stoppedAt() == null || now.isBefore(state.stoppedAt().plus(forgetAfter));
    }

    // ---- rendering -------------------------------------------------------------------------

    /** The call's task JSON, rendered once per state: DescribeTasks of 100 tasks mostly copies bytes. */
    private byte[] rendered(Task task, boolean withTags) {
        State state = task.state;
        Rendered cached = withTags ? task.tagged : task.plain;
        if (cached != null && cached.state() == state) {
            return cached.bytes();
        }
        Rendered fresh = new Rendered(state, bytes(taskJson(task, state, withTags, false)));
        if (withTags) {
            task.tagged = fresh;
        } else {
            task.plain = fresh;
        }
        return fresh.bytes();
    }

    private static ObjectNode taskJson(Task task, State state, boolean withTags, boolean isoTimes) {
        ObjectNode json = JSON.createObjectNode();
        json.putArray("attachments");
        json.put("availabilityZone", REGION + "a");
        if (task.capacityProviderName != null) {
            json.put("capacityProviderName", task.capacityProviderName);
        }
        json.put("clusterArn", task.clusterArn);
        ObjectNode container = json.putArray("containers").addObject();
        container
                .put("containerArn", task.containerArn)
                .put("taskArn", task.view.arn())
                .put("name", task.view.container())
                .put("image", IMAGE)
                .put("lastStatus", state.containerStatus());
        if (state.exitCode() != null) {
            container.put("exitCode", state.exitCode());
        }
        container.putArray("networkInterfaces");
        container.put("cpu", "0");
        json.put("cpu", "256");
        time(json, "createdAt", task.view.launchedAt(), isoTimes);
        json.put("desiredStatus", state.desiredStatus());
        json.put("enableExecuteCommand", false);
        json.put("group", task.group);
        json.put("lastStatus", state.lastStatus());
        if (task.launchType != null) {
            json.put("launchType", task.launchType);
        }
        json.put("memory", "512");
        json.set("overrides", task.overrides);
        if ("FARGATE".equals(task.launchType)) {
            json.put("platformVersion", "1.4.0").put("platformFamily", "Linux");
        }
        time(json, "startedAt", state.startedAt(), isoTimes);
        if (task.view.startedBy() != null) {
            json.put("startedBy", task.view.startedBy());
        }
        if (state.stoppedAt() != null) {
            json.put("stopCode", state.stopCode());
            json.put("stoppedReason", state.stoppedReason());
            time(json, "stoppingAt", state.stoppedAt(), isoTimes);
            time(json, "stoppedAt", state.stoppedAt(), isoTimes);
            time(json, "executionStoppedAt", state.stoppedAt(), isoTimes);
        }
        json.put("taskArn", task.view.arn());
        json.put("taskDefinitionArn", task.taskDefinitionArn);
        json.put("version", state.version());
        if (withTags) {
            json.set("tags", task.tags);
        }
        return json;
    }

    private void emit(Task task, State state) {
        if (listeners.isEmpty()) {
            return;
        }
        // Called under the task's lock and delivered by one thread, so each task's events arrive in order.
        events.execute(() -> {
            String event = event(task, state);
            for (Consumer<String> listener : listeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    e.printStackTrace();
                }
            }
        });
    }

    /** The EventBridge event, whose detail is the task as DescribeTasks shows it, with ISO timestamps. */
    private static String event(Task task, State state) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "ECS Task State Change");
        event.put("source", "aws.ecs");
        event.put("account", ACCOUNT);
        event.put("time", ISO.format(state.updatedAt().truncatedTo(ChronoUnit.SECONDS)));
        event.put("region", REGION);
        event.putArray("resources").add(task.view.arn());
        ObjectNode detail = taskJson(task, state, false, true);
        detail.put("updatedAt", ISO.format(state.updatedAt()));
        event.set("detail", detail);
        return new String(bytes(event), StandardCharsets.UTF_8);
    }

    private static void time(ObjectNode json, String field, Instant instant, boolean iso) {
        if (instant != null) {
            if (iso) {
                json.put(field, ISO.format(instant));
            } else {
                json.put(field, BigDecimal.valueOf(instant.toEpochMilli(), 3));
            }
        }
    }

    private static byte[] error(EcsError e) {
        ObjectNode body = e.extra == null ? JSON.createObjectNode() : e.extra;
        body.put("__type", e.type);
        body.put("message", e.getMessage());
        return bytes(body);
    }

    // ---- small things ----------------------------------------------------------------------

    /** ECS's clock: milliseconds, so that what the counters say matches what DescribeTasks says. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static String cluster(JsonNode request) {
        String cluster = Optional.ofNullable(text(request, "cluster")).orElse("default");
        return cluster.startsWith("arn:") ? cluster.substring(cluster.lastIndexOf('/') + 1) : cluster;
    }

    private static TaskDefinition definition(String name) {
        if (name == null || name.isBlank()) {
            throw EcsError.invalid("TaskDefinition can not be blank.");
        }
        try {
            return TaskDefinition.of(name);
        } catch (NumberFormatException e) {
            throw EcsError.invalid("Invalid revision number. Number: " + name);
        }
    }

    private static String taskArn(String cluster, String id) {
        return ARN_PREFIX + "task/" + cluster + "/" + id;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(JsonNode json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
        Map<String, Long> copy = new LinkedHashMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
