package io.iiifaws.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The layer in front of moto_server that the tests own: it forwards the real SDK's requests and
 * adds what moto does not model, as real ECS and Lambda behave or misbehave.
 *
 * <ul>
 *   <li>RunTask honours {@code clientToken}: the same token and parameters return the first task,
 *       other parameters a ConflictException naming it.
 *   <li>DescribeTasks reports stopped tasks as ECS does (desired status, stop code, the container's
 *       exit code chosen by the test), and MISSING for tasks ECS does not know.
 *   <li>Faults on demand: RunTask failures, throttling and 5xx at a rate or for the next calls,
 *       tasks held running, forgotten, or missing from ListTasks for a while, Lambda function
 *       errors, and a hook that sees each call before and after it reaches moto.
 * </ul>
 */
public final class FaultyAws implements AutoCloseable {
    private static final String ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An error response to give instead of forwarding. */
    public record Fault(int status, String type, String message) {
        public static Fault throttling() {
            return new Fault(400, "ThrottlingException", "Rate exceeded");
        }

        public static Fault serverError() {
            return new Fault(500, "ServerException", "Service unavailable, please retry");
        }

        public static Fault accessDenied(String action) {
            return new Fault(
                    400,
                    "AccessDeniedException",
                    "User: arn:aws:sts::123456789012:assumed-role/iiif-aws/operator is not authorized to perform: "
                            + action);
        }
    }

    /** Sees every call; returning false drops it before moto sees it (the caller gets a 503). */
    public interface Hook {
        default boolean before(String operation, JsonNode request) {
            return true;
        }

        /** After moto answered; returning false drops the answer (the caller gets a 503). */
        default boolean after(String operation, JsonNode request, JsonNode response) {
            return true;
        }
    }

    private record Answer(int status, Map<String, String> headers, byte[] body) {}

    private record TokenUse(JsonNode request, byte[] response, String taskArn) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final URI upstream;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, TaskView> tasks = new ConcurrentHashMap<>();
    private final Map<String, TokenUse> tokens = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, io.github.bucket4j.Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> bucketThrottles = new ConcurrentHashMap<>();
    private final List<Map.Entry<String, JsonNode>> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Map.Entry<String, String>> accessKeys = Collections.synchronizedList(new ArrayList<>());
    private final List<String> stsAnswers = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, ConcurrentLinkedDeque<Fault>> nextFaults = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<String> refusals = new ConcurrentLinkedDeque<>();
    private final Map<String, Function<String, LambdaAnswer>> functions = new ConcurrentHashMap<>();
    private final Set<String> forgottenArns = ConcurrentHashMap.newKeySet();
    private final Random random = new Random(42);
    private final AtomicInteger faultsGiven = new AtomicInteger();
    private final AtomicInteger refusalsGiven = new AtomicInteger();
    private volatile Function<TaskView, TaskOutcome> outcomes = task -> TaskOutcome.SUCCESS;
    private volatile Predicate<TaskView> holding = task -> false;
    private volatile Map<String, Double> faultRates = Map.of();
    private volatile List<Fault> rateFaults = List.of(Fault.throttling());
    private volatile Duration listLag = Duration.ZERO;
    private volatile Duration describeLag = Duration.ZERO;
    private volatile Hook hook = new Hook() {};
    private volatile boolean stopAtOnce;

    /** What a function answers: a payload, and a function error (Handled/Unhandled) or null. */
    public record LambdaAnswer(String payload, String functionError) {}

    public FaultyAws(URI upstream) throws IOException {
        this.upstream = upstream;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    // ---- what the tests set ----------------------------------------------------------------

    /** How each task ends once moto stops it; default: exit 0. */
    public void outcomes(Function<TaskView, TaskOutcome> rule) {
        outcomes = rule;
    }

    /**
     * Tasks that are not held running are reported STOPPED from their first description, instead of
     * going through moto's states one DescribeTasks at a time: for callers that poll once a second.
     */
    public void stopAtOnce(boolean next) {
        stopAtOnce = next;
    }

    /** Tasks matching are reported RUNNING (until StopTask, or until the rule stops matching). */
    public void holdRunning(Predicate<TaskView> rule) {
        holding = rule;
    }

    /** The next RunTask calls place no task and report these failure reasons instead. */
    public void refuseNextRunTasks(String... reasons) {
        refusals.addAll(List.of(reasons));
    }

    /**
     * Calls of the operation are throttled as ECS throttles them: a token bucket of {@code burst}
     * tokens refilled at {@code perSecond}; a call that finds it empty gets ThrottlingException.
     */
    public void enforceBucket(String operation, int burst, double perSecond) {
        buckets.put(
                operation,
                io.github.bucket4j.Bucket.builder()
                        .addLimit(io.github.bucket4j.Bandwidth.builder()
                                .capacity(burst)
                                .refillGreedy(Math.round(perSecond * 1000), Duration.ofSeconds(1000))
                                .build())
                        .build());
    }

    /** Calls the buckets of {@link #enforceBucket} throttled. */
    public int bucketThrottles(String operation) {
        AtomicInteger count = bucketThrottles.get(operation);
        return count == null ? 0 : count.get();
    }

    /** The next calls of the operation fail with these faults, one each. */
    public void failNext(String operation, Fault... faults) {
        nextFaults
                .computeIfAbsent(operation, k -> new ConcurrentLinkedDeque<>())
                .addAll(List.of(faults));
    }

    /** Calls of each named operation fail at the given rate (0 to 1), with one of the faults. */
    public void faultRates(Map<String, Double> rates, Fault... faults) {
        rateFaults = List.of(faults);
        faultRates = Map.copyOf(rates);
    }

    /** ECS no longer knows the task: DescribeTasks says MISSING, ListTasks leaves it out. */
    public void forget(String taskArn) {
        forgottenArns.add(taskArn);
    }

    /** ListTasks leaves out tasks launched less than this long ago, as eventual consistency can. */
    public void listLag(Duration lag) {
        listLag = lag;
    }

    /** DescribeTasks says MISSING for tasks launched less than this long ago, as eventual consistency can. */
    public void describeLag(Duration lag) {
        describeLag = lag;
    }

    /** Invocations of the function answer this way instead of moto's default. */
    public void function(String name, Function<String, LambdaAnswer> answer) {
        if (answer == null) {
            functions.remove(name);
        } else {
            functions.put(name, answer);
        }
    }

    public void hook(Hook next) {
        hook = next;
    }

    // ---- what the tests read ---------------------------------------------------------------

    public int calls(String operation) {
        AtomicInteger count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    /** Throttles, 5xx and other errors this layer gave instead of moto's answer. */
    public int faultsGiven() {
        return faultsGiven.get() + refusalsGiven.get();
    }

    public int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public List<JsonNode> requests(String operation) {
        synchronized (requests) {
            return requests.stream()
                    .filter(e -> e.getKey().equals(operation))
                    .map(Map.Entry::getValue)
                    .toList();
        }
    }

    /** Every task RunTask started through this layer (a repeated client token starts none). */
    public List<TaskView> launched() {
        return tasks.values().stream()
                .sorted(java.util.Comparator.comparing(TaskView::launchedAt))
                .toList();
    }

    // ---- the proxy -------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean form = isQueryProtocol(exchange);
            JsonNode request = form ? parseForm(body) : parse(body);
            String operation = form ? "STS " + request.path("Action").asText() : operation(exchange);
            calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
            requests.add(Map.entry(operation, request));
            accessKeys.add(Map.entry(operation, accessKeyOf(exchange)));
            if (!hook.before(operation, request)) {
                respond(exchange, new Answer(503, Map.of(), new byte[0]));
                return;
            }
            Fault fault = fault(operation);
            if (fault != null) {
                faultsGiven.incrementAndGet();
                respond(
                        exchange,
                        isS3(operation)
                                ? s3Error(fault)
                                : operation.startsWith("STS ") ? queryError(fault) : error(fault, null));
                return;
            }
            Answer answer =
                    switch (operation) {
                        case "RunTask" -> runTask(exchange, body, request);
                        case "DescribeTasks" -> describeTasks(forward(exchange, body), request);
                        case "ListTasks" -> listTasks(forward(exchange, body));
                        case "Invoke" -> invoke(exchange, body);
                        default -> forward(exchange, body);
                    };
            if (operation.startsWith("STS ")) {
                stsAnswers.add(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            if (!hook.after(operation, request, parse(answer.body()))) {
                respond(exchange, new Answer(503, Map.of(), new byte[0]));
                return;
            }
            respond(exchange, answer);
        } catch (RuntimeException | IOException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private static String operation(HttpExchange exchange) {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null && target.startsWith(ECS_TARGET)) {
            return target.substring(ECS_TARGET.length());
        }
        if (target != null && target.startsWith("Logs_20140328.")) {
            return target.substring("Logs_20140328.".length());
        }
        String path = exchange.getRequestURI().getRawPath();
        if (path.startsWith("/2015-03-31/functions/") && path.endsWith("/invocations")) {
            return "Invoke";
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.contains("/s3/aws4_request")) {
            String query = exchange.getRequestURI().getRawQuery();
            return switch (exchange.getRequestMethod()) {
                case "GET" -> query != null && query.contains("list-type=2") ? "ListObjectsV2" : "GetObject";
                case "PUT" -> "PutObject";
                case "HEAD" -> "HeadObject";
                default -> "S3 " + exchange.getRequestMethod();
            };
        }
        return exchange.getRequestMethod() + " " + path;
    }

    /** STS: a form of Action=…&… rather than JSON. */
    private static boolean isQueryProtocol(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        return auth != null && auth.contains("/sts/aws4_request");
    }

    private static JsonNode parseForm(byte[] body) {
        ObjectNode form = JSON.createObjectNode();
        for (String pair : new String(body, java.nio.charset.StandardCharsets.UTF_8).split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(
                        java.net.URLDecoder.decode(pair.substring(0, equals), java.nio.charset.StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(
                                pair.substring(equals + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    /** The access key ID a call was signed with ("Credential=AKID/date/region/service/aws4_request"). */
    private static String accessKeyOf(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.contains("Credential=")) {
            return "";
        }
        String credential = auth.substring(auth.indexOf("Credential=") + "Credential=".length());
        return credential.substring(0, credential.indexOf('/'));
    }

    /** What STS answered, as it answered it (XML with the credentials it gave). */
    public List<String> stsAnswers() {
        synchronized (stsAnswers) {
            return List.copyOf(stsAnswers);
        }
    }

    /** The access key IDs the calls of an operation were signed with, in order. */
    public List<String> accessKeys(String operation) {
        synchronized (accessKeys) {
            return accessKeys.stream()
                    .filter(e -> e.getKey().equals(operation))
                    .map(Map.Entry::getValue)
                    .toList();
        }
    }

    private static boolean isS3(String operation) {
        return operation.endsWith("Object") || operation.equals("ListObjectsV2") || operation.startsWith("S3 ");
    }

    private Fault fault(String operation) {
        var bucket = buckets.get(operation);
        if (bucket != null && !bucket.tryConsume(1)) {
            bucketThrottles.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
            return Fault.throttling();
        }
        var queue = nextFaults.get(operation);
        if (queue != null) {
            Fault next = queue.poll();
            if (next != null) {
                return next;
            }
        }
        Double rate = faultRates.get(operation);
        if (rate != null) {
            synchronized (random) {
                if (random.nextDouble() < rate) {
                    return rateFaults.get(random.nextInt(rateFaults.size()));
                }
            }
        }
        return null;
    }

    private Answer runTask(HttpExchange exchange, byte[] body, JsonNode request) throws IOException {
        String reason = refusals.poll();
        if (reason != null) {
            refusalsGiven.incrementAndGet();
            ObjectNode refused = JSON.createObjectNode();
            refused.putArray("tasks");
            refused.putArray("failures")
                    .addObject()
                    .put("arn", "arn:aws:ecs:us-east-1:123456789012:container-instance/x")
                    .put("reason", reason);
            return json(200, refused);
        }
        String token = request.path("clientToken").asText(null);
        String tokenKey = request.path("cluster").asText() + "/" + token;
        ObjectNode withoutToken = ((ObjectNode) request).deepCopy();
        withoutToken.remove("clientToken");
        if (token != null) {
            synchronized (tokens) {
                TokenUse earlier = tokens.get(tokenKey);
                if (earlier != null) {
                    if (earlier.request().equals(withoutToken)) {
                        return new Answer(
                                200, Map.of("Content-Type", "application/x-amz-json-1.1"), earlier.response());
                    }
                    ObjectNode conflict = JSON.createObjectNode();
                    conflict.putArray("resourceIds").add(earlier.taskArn());
                    return error(
                            new Fault(
                                    400,
                                    "ConflictException",
                                    "The RunTask request could not be processed due to conflicts. The provided clientToken is already in use"
                                            + " with a different RunTask request. The resourceIds are the existing task ARNs which are already"
                                            + " associated with the clientToken."),
                            conflict);
                }
                Answer answer = startTask(exchange, withoutToken);
                JsonNode started = parse(answer.body()).path("tasks").path(0).path("taskArn");
                if (answer.status() == 200 && started.isTextual()) {
                    tokens.put(tokenKey, new TokenUse(withoutToken, answer.body(), started.asText()));
                }
                return answer;
            }
        }
        return startTask(exchange, withoutToken);
    }

    /** Forwards a RunTask; moto cannot place with capacity providers, so it gets Fargate instead. */
    private Answer startTask(HttpExchange exchange, ObjectNode request) throws IOException {
        ObjectNode forwarded = request.deepCopy();
        if (forwarded.has("capacityProviderStrategy")) {
            forwarded.remove("capacityProviderStrategy");
            forwarded.put("launchType", "FARGATE");
        }
        Answer answer = forward(exchange, JSON.writeValueAsBytes(forwarded));
        JsonNode response = parse(answer.body());
        for (JsonNode task : response.path("tasks")) {
            JsonNode override =
                    request.path("overrides").path("containerOverrides").path(0);
            Map<String, String> env = new LinkedHashMap<>();
            override.path("environment")
                    .forEach(kv ->
                            env.put(kv.path("name").asText(), kv.path("value").asText()));
            Map<String, String> tags = new LinkedHashMap<>();
            request.path("tags")
                    .forEach(kv ->
                            tags.put(kv.path("key").asText(), kv.path("value").asText()));
            List<String> command = new ArrayList<>();
            override.path("command").forEach(c -> command.add(c.asText()));
            String arn = task.path("taskArn").asText();
            tasks.put(
                    arn,
                    new TaskView(
                            arn,
                            request.path("cluster").asText(),
                            request.path("startedBy").asText(null),
                            override.path("name").asText(),
                            command,
                            env,
                            tags,
                            Instant.now()));
        }
        return answer;
    }

    private Answer describeTasks(Answer moto, JsonNode request) {
        if (moto.status() != 200) {
            return moto;
        }
        ObjectNode response = (ObjectNode) parse(moto.body());
        ArrayNode failures = response.withArray("failures");
        Set<String> seen = new HashSet<>();
        for (Iterator<JsonNode> it = response.withArray("tasks").elements(); it.hasNext(); ) {
            ObjectNode task = (ObjectNode) it.next();
            String arn = task.path("taskArn").asText();
            TaskView view = tasks.get(arn);
            if (forgottenArns.contains(arn)
                    || view != null && view.launchedAt().isAfter(Instant.now().minus(describeLag))) {
                it.remove();
                continue;
            }
            seen.add(arn);
            if (view != null) {
                presentAsEcs(task, view);
            }
        }
        for (JsonNode asked : request.path("tasks")) {
            String arn = asked.asText();
            if (!seen.contains(arn)) {
                failures.addObject().put("arn", arn).put("reason", "MISSING");
            }
        }
        return json(200, response);
    }

    /** Reports a moto task the way ECS does, with the outcome the test chose. */
    private void presentAsEcs(ObjectNode task, TaskView view) {
        String stoppedReason = task.path("stoppedReason").asText("");
        boolean stoppedByRequest = !stoppedReason.isEmpty();
        ArrayNode containers = task.withArray("containers");
        ObjectNode container = containers.isEmpty() ? containers.addObject() : (ObjectNode) containers.get(0);
        container.put("name", view.container());
        if (!stoppedByRequest && holding.test(view)) {
            task.put("lastStatus", "RUNNING");
            task.put("desiredStatus", "RUNNING");
            container.put("lastStatus", "RUNNING");
            container.remove("exitCode");
            return;
        }
        if (!"STOPPED".equals(task.path("lastStatus").asText())) {
            if (!stopAtOnce) {
                container.put("lastStatus", "RUNNING");
                container.remove("exitCode");
                return;
            }
            task.put("lastStatus", "STOPPED");
        }
        TaskOutcome outcome = stoppedByRequest
                ? new TaskOutcome("UserInitiated", stoppedReason, 143, null, List.of())
                : outcomes.apply(view);
        task.put("desiredStatus", "STOPPED");
        task.put("stopCode", outcome.stopCode());
        task.put("stoppedReason", outcome.stoppedReason());
        task.put("stoppedAt", Instant.now().getEpochSecond());
        container.put("lastStatus", "STOPPED");
        if (outcome.exitCode() == null) {
            container.remove("exitCode");
        } else {
            container.put("exitCode", outcome.exitCode());
        }
        if (outcome.containerReason() != null) {
            container.put("reason", outcome.containerReason());
        }
        for (var other : outcome.others()) {
            ObjectNode sidecar =
                    containers.addObject().put("name", other.name()).put("lastStatus", "STOPPED");
            if (other.exitCode() != null) {
                sidecar.put("exitCode", other.exitCode());
            }
        }
    }

    private Answer listTasks(Answer moto) {
        if (moto.status() != 200) {
            return moto;
        }
        ObjectNode response = (ObjectNode) parse(moto.body());
        Instant visibleBefore = Instant.now().minus(listLag);
        for (Iterator<JsonNode> it = response.withArray("taskArns").elements(); it.hasNext(); ) {
            String arn = it.next().asText();
            TaskView view = tasks.get(arn);
            if (forgottenArns.contains(arn) || view != null && view.launchedAt().isAfter(visibleBefore)) {
                it.remove();
            }
        }
        return json(200, response);
    }

    private Answer invoke(HttpExchange exchange, byte[] body) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String name = java.net.URLDecoder.decode(
                path.substring("/2015-03-31/functions/".length(), path.length() - "/invocations".length()),
                java.nio.charset.StandardCharsets.UTF_8);
        String function = name.substring(name.lastIndexOf(':') + 1);
        var answer = functions.get(function);
        String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
        if (answer == null) {
            Answer moto = forward(exchange, body);
            if ("Event".equals(type) && moto.status() == 200) {
                return new Answer(202, Map.of(), new byte[0]);
            }
            return moto;
        }
        if ("Event".equals(type)) {
            return new Answer(202, Map.of(), new byte[0]);
        }
        if ("DryRun".equals(type)) {
            return new Answer(204, Map.of(), new byte[0]);
        }
        LambdaAnswer result = answer.apply(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Amz-Executed-Version", "$LATEST");
        if (result.functionError() != null) {
            headers.put("X-Amz-Function-Error", result.functionError());
        }
        return new Answer(200, headers, result.payload().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Answer forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        upstream.resolve(exchange.getRequestURI().toString()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (!Set.of("host", "content-length", "connection", "expect", "transfer-encoding", "upgrade")
                    .contains(lower)) {
                values.forEach(v -> request.header(name, v));
            }
        });
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> headers = new HashMap<>();
            response.headers().map().forEach((name, values) -> {
                String lower = name.toLowerCase(java.util.Locale.ROOT);
                if (!Set.of("content-length", "connection", "transfer-encoding", "date", "server")
                                .contains(lower)
                        && !values.isEmpty()) {
                    headers.put(name, values.get(0));
                }
            });
            return new Answer(response.statusCode(), headers, response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static Answer error(Fault fault, ObjectNode extra) {
        ObjectNode body = extra == null ? JSON.createObjectNode() : extra;
        body.put("__type", fault.type());
        body.put("message", fault.message());
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/x-amz-json-1.1");
        headers.put("x-amzn-ErrorType", fault.type());
        try {
            return new Answer(fault.status(), headers, JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** STS, a query protocol, answers errors in XML of its own. */
    private static Answer queryError(Fault fault) {
        return xmlError(
                fault,
                "<ErrorResponse><Error><Type>Sender</Type>",
                "</Error><RequestId>faulty</RequestId></ErrorResponse>");
    }

    /** S3 answers errors in XML. */
    private static Answer s3Error(Fault fault) {
        return xmlError(
                fault, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>", "<RequestId>faulty</RequestId></Error>");
    }

    private static Answer xmlError(Fault fault, String before, String after) {
        String xml = before + "<Code>" + fault.type() + "</Code><Message>"
                + fault.message().replace("&", "&amp;").replace("<", "&lt;") + "</Message>" + after;
        return new Answer(
                fault.status(),
                Map.of("Content-Type", "application/xml"),
                xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static Answer json(int status, JsonNode body) {
        try {
            return new Answer(
                    status, Map.of("Content-Type", "application/x-amz-json-1.1"), JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.createObjectNode();
        }
    }

    private static void respond(HttpExchange exchange, Answer answer) throws IOException {
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        if (answer.body().length == 0) {
            exchange.sendResponseHeaders(answer.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(answer.status(), answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
