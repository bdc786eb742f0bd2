package io.iiifaws.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.LaunchType;
import io.iiifaws.api.NetworkSpec;
import io.iiifaws.api.TaskSpec;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.demo.AwsQuery;
import io.iiifaws.demo.KubernetesEmulator;
import io.iiifaws.demo.MotoFixtures;
import io.iiifaws.demo.MotoServer;
import io.iiifaws.operator.Backoffs;
import io.iiifaws.operator.IiifJobOperator;
import io.iiifaws.operator.OperatorSettings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;

/**
 * The operator in-process against the fabric8 mock API server (CRUD mode, the generated CRD
 * installed) and moto_server behind a {@link FaultyAws} layer. Each harness has its own cluster,
 * so harnesses share one moto_server.
 */
public final class OperatorHarness implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String NAMESPACE = "test";
    public static final String CONTAINER = "iiif";
    public static final AwsBasicCredentials CREDENTIALS = AwsBasicCredentials.create("test", "test");

    public final MotoServer moto = SharedMoto.get();
    public final FaultyAws aws;
    /** The in-process mock API server, or null when the harness runs on the real one. */
    public final KubernetesEmulator kubernetes;

    private final RealApiServer real;
    /** The namespace of the harness's jobs: "test" on the mock, one of its own on the real server. */
    public final String namespace;

    public final String cluster = "c-" + UUID.randomUUID().toString().substring(0, 8);
    public final String taskDefinition;
    public final MotoFixtures.Network network;
    /** Straight to moto, past the fault layer: what ECS really holds. */
    public final EcsClient motoEcs;

    private final List<IiifJobOperator> operators = new ArrayList<>();
    private final List<AwsClients> clients = new ArrayList<>();
    private IiifJobOperator operator;

    public OperatorHarness() throws IOException {
        this(null);
    }

    /** A harness on the test run's real API server (RBAC, validation, etcd), in a namespace of its own. */
    public static OperatorHarness onRealApiServer() throws IOException {
        return new OperatorHarness(RealApiServer.get());
    }

    private OperatorHarness(RealApiServer real) throws IOException {
        this.real = real;
        aws = new FaultyAws(moto.endpoint());
        kubernetes = real == null ? new KubernetesEmulator() : null;
        namespace = real == null ? NAMESPACE : real.newNamespace("t");
        motoEcs = EcsClient.builder()
                .region(Region.of(REGION))
                .endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(CREDENTIALS))
                .build();
        String family = "go-iiif-" + cluster;
        MotoFixtures.ecs(motoEcs, cluster, family, CONTAINER);
        taskDefinition = family + ":1";
        network = MotoFixtures.network(new AwsQuery(moto.endpoint(), REGION, CREDENTIALS));
    }

    /** Fast pacing for tests: 100 ms polls, backoffs from 50 ms to 400 ms. */
    public static OperatorSettings fastSettings() {
        return new OperatorSettings(
                Duration.ofMillis(100),
                Duration.ofSeconds(2),
                Backoffs.scaled(Duration.ofMillis(50), Duration.ofMillis(400)),
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                1000,
                false);
    }

    /** AWS clients as the operator builds them, pointed at the fault layer. */
    public AwsClients awsClients() {
        return awsClients(AwsClients.Settings.fromEnvironment(false));
    }

    private AwsClients awsClients(AwsClients.Settings base) {
        AwsClients created =
                new AwsClients(base.withInterceptor(new io.iiifaws.aws.EcsPacing(io.iiifaws.aws.EcsPacing.defaults()))
                        .withEndpoint(aws.endpoint())
                        .withDefaultRegion(REGION)
                        .withCredentials(StaticCredentialsProvider.create(CREDENTIALS)));
        clients.add(created);
        return created;
    }

    /** Starts an operator whose every call goes through the fence, which kills it at its crash point. */
    public OperatorHarness startFenced(Fence fence, OperatorSettings settings) {
        var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(client().getConfiguration())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("fence", fence.kubernetes()))
                .build();
        operator = new IiifJobOperator(
                client,
                awsClients(AwsClients.Settings.fromEnvironment(false).withInterceptor(fence.aws())),
                IiifJobOperator.Config.defaults("test-" + operators.size())
                        .withSettings(settings)
                        .withNamespaces(Set.of(namespace)),
                Clock.systemUTC());
        operators.add(operator);
        operator.start();
        return this;
    }

    public OperatorHarness start() {
        return start(fastSettings());
    }

    public OperatorHarness start(OperatorSettings settings) {
        return start(settings, AwsClients.Settings.fromEnvironment(false));
    }

    /** Starts an operator whose AWS clients are built from these settings, pointed at the fault layer. */
    public OperatorHarness start(OperatorSettings settings, AwsClients.Settings aws) {
        operator = new IiifJobOperator(
                newClient(),
                awsClients(aws),
                IiifJobOperator.Config.defaults("test-" + operators.size())
                        .withSettings(settings)
                        .withNamespaces(Set.of(namespace)),
                Clock.systemUTC());
        operators.add(operator);
        operator.start();
        return this;
    }

    /** The harness's configuration for another operator: its namespace and fast settings. */
    public IiifJobOperator.Config config(String instance) {
        return IiifJobOperator.Config.defaults(instance)
                .withSettings(fastSettings())
                .withNamespaces(Set.of(namespace));
    }

    /** Starts one more operator with this configuration; the harness stops it at the end. */
    public IiifJobOperator startOperator(
            IiifJobOperator.Config config,
            software.amazon.awssdk.core.interceptor.ExecutionInterceptor... interceptors) {
        return startOperator(config, newClient(), interceptors);
    }

    /** Starts one more operator that calls the API server with this client (another identity, say). */
    public IiifJobOperator startOperator(
            IiifJobOperator.Config config,
            KubernetesClient kubernetesClient,
            software.amazon.awssdk.core.interceptor.ExecutionInterceptor... interceptors) {
        AwsClients.Settings settings = AwsClients.Settings.fromEnvironment(false);
        for (var interceptor : interceptors) {
            settings = settings.withInterceptor(interceptor);
        }
        IiifJobOperator started =
                new IiifJobOperator(kubernetesClient, awsClients(settings), config, Clock.systemUTC());
        operators.add(started);
        started.start();
        return started;
    }

    /** Stops the running operator, as a crash or a rolling update would. */
    public void stop() {
        if (operator != null) {
            operator.close();
            operator = null;
        }
    }

    /** The cluster admin's client, for the tests' own calls. */
    public KubernetesClient client() {
        return real == null ? kubernetes.client() : real.admin();
    }

    /** A new client of the same API server, as another process would have; its user closes it. */
    public KubernetesClient newClient() {
        return real == null ? kubernetes.newClient() : real.newAdminClient();
    }

    /** The real API server, when the harness runs on it. */
    public RealApiServer real() {
        if (real == null) {
            throw new IllegalStateException("this harness runs on the mock API server");
        }
        return real;
    }

    public IiifJob create(IiifJob job) {
        return client().resource(job).create();
    }

    /**
     * Stores a job as raw JSON ({@code {"spec": …, "status": …}} around the metadata), as an API
     * server would store what its schema let through.
     */
    public void createStored(String name, String specAndStatusJson) {
        String json = "{\"apiVersion\":\"iiif-aws.io/v1alpha1\",\"kind\":\"IiifJob\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"" + namespace + "\"},"
                + specAndStatusJson.strip().substring(1);
        var resource = client().getKubernetesSerialization()
                .unmarshal(json, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
        client().genericKubernetesResources("iiif-aws.io/v1alpha1", "IiifJob")
                .inNamespace(namespace)
                .resource(resource)
                .create();
    }

    /** A job as stored, read into its types the way the operator reads it. */
    public io.iiifaws.api.IiifJobBinding stored(String name) {
        var stored = client().resources(io.iiifaws.api.StoredIiifJob.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        return stored == null ? null : io.iiifaws.api.IiifJobBinding.of(stored);
    }

    public IiifJob job(String name) {
        return client().resources(IiifJob.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    public IiifJob await(String name, Predicate<IiifJob> condition) {
        return await(name, condition, Duration.ofSeconds(30));
    }

    public IiifJob await(String name, Predicate<IiifJob> condition, Duration timeout) {
        return org.awaitility.Awaitility.await()
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(25))
                .until(() -> job(name), j -> j != null && condition.test(j));
    }

    public static Predicate<IiifJob> finished() {
        return j -> j.getStatus() != null && j.getStatus().isFinished();
    }

    /**
     * Waits until the job finished and the event of its end is recorded (events follow the status
     * write that ends the job).
     */
    public IiifJob awaitFinished(String name) {
        return awaitFinished(name, Duration.ofSeconds(30));
    }

    public IiifJob awaitFinished(String name, Duration timeout) {
        IiifJob job = await(name, finished(), timeout);
        String last = job.getStatus().phase() == io.iiifaws.api.Phase.Succeeded
                ? "Completed"
                : job.getStatus()
                        .condition(io.iiifaws.api.Condition.FAILED)
                        .map(io.iiifaws.api.Condition::reason)
                        .orElseThrow();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> eventReasons(name).contains(last));
        return job;
    }

    /** The job's events, oldest first. */
    public List<Event> events(String name) {
        return client().events().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getRegarding().getName()))
                .sorted(Comparator.comparing(e -> e.getEventTime().getTime()))
                .toList();
    }

    public List<String> eventReasons(String name) {
        return events(name).stream().map(Event::getReason).toList();
    }

    /** Task ARNs ECS holds in this harness's cluster, running or stopped. */
    public List<String> tasksInEcs() {
        List<String> arns = new ArrayList<>();
        for (DesiredStatus status : List.of(DesiredStatus.RUNNING, DesiredStatus.STOPPED)) {
            motoEcs.listTasksPaginator(r -> r.cluster(cluster).desiredStatus(status))
                    .taskArns()
                    .forEach(arns::add);
        }
        return arns.stream().distinct().toList();
    }

    /** A Task-mode job on this harness's cluster, task definition and network. */
    public IiifJob taskJob(String name, String... uris) {
        IiifJob job = job(name, spec(uris));
        job.getMetadata().setNamespace(namespace);
        return job;
    }

    public IiifJobSpec spec(String... uris) {
        return new IiifJobSpec(
                List.of(uris),
                null,
                null,
                null,
                new TaskSpec(cluster, taskDefinition, CONTAINER, LaunchType.FARGATE, null, null, null),
                new NetworkSpec(List.of(network.subnet()), List.of(network.securityGroup()), null),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    public static IiifJob job(String name, IiifJobSpec spec) {
        IiifJob job = new IiifJob();
        job.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        job.setSpec(spec);
        return job;
    }

    @Override
    public void close() {
        operators.forEach(IiifJobOperator::close);
        clients.forEach(AwsClients::close);
        if (kubernetes != null) {
            kubernetes.close();
        } else {
            real.deleteJobs(namespace);
        }
        aws.close();
        motoEcs.close();
    }
}
