package io.iiifaws.aws;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientAsyncConfiguration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsAsyncClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * ECS, Lambda, S3, CloudWatch Logs and SQS clients per region, as the caller's identity or as a
 * role it assumes ({@link #as}). Credentials, the default region and the endpoint come from
 * the SDK's default chain ({@code AWS_REGION}, {@code AWS_PROFILE}, web identity, instance roles,
 * {@code AWS_ENDPOINT_URL}) unless the caller gives them.
 */
public final class AwsClients implements AutoCloseable {
    /** Longest a synchronous Lambda invocation can run, plus a margin. */
    private static final Duration LAMBDA_TIMEOUT = Duration.ofMinutes(16);
    /** Connections per region to S3, which bounds how many reports are read at once. */
    private static final int S3_CONNECTIONS = 16;

    /**
     * How the clients are built.
     *
     * @param defaultRegion used when a request names no region; empty means the SDK's default chain
     * @param endpoint overrides the AWS endpoint (an emulator); empty means the SDK's default chain
     * @param credentials empty means the SDK's default credentials chain
     * @param sdkRetries true: the SDK's default retries for every client; false, as the operator
     *     has it: ECS calls are retried within the call, a few times, on throttling, 5xx and broken
     *     connections (they are idempotent: RunTask has its client token), so that a short
     *     throttle never reaches a job; Lambda invocations are not (a retry may run the function
     *     twice), and the operator retries them by requeueing
     *     instead of sleeping in its reconcile thread
     * @param interceptors added to every client (metrics)
     * @param roleSessions how long an assumed role's credentials last, and how long before they
     *     expire they are renewed
     */
    public record Settings(
            Optional<String> defaultRegion,
            Optional<URI> endpoint,
            Optional<AwsCredentialsProvider> credentials,
            boolean sdkRetries,
            List<ExecutionInterceptor> interceptors,
            RoleSessions roleSessions) {

        public static Settings fromEnvironment(boolean sdkRetries) {
            return new Settings(
                    Optional.empty(), Optional.empty(), Optional.empty(), sdkRetries, List.of(), RoleSessions.HOUR);
        }

        public Settings withEndpoint(URI uri) {
            return new Settings(defaultRegion, Optional.of(uri), credentials, sdkRetries, interceptors, roleSessions);
        }

        public Settings withDefaultRegion(String region) {
            return new Settings(Optional.of(region), endpoint, credentials, sdkRetries, interceptors, roleSessions);
        }

        public Settings withCredentials(AwsCredentialsProvider provider) {
            return new Settings(defaultRegion, endpoint, Optional.of(provider), sdkRetries, interceptors, roleSessions);
        }

        public Settings withInterceptor(ExecutionInterceptor added) {
            List<ExecutionInterceptor> all = new java.util.ArrayList<>(interceptors);
            all.add(added);
            return new Settings(defaultRegion, endpoint, credentials, sdkRetries, List.copyOf(all), roleSessions);
        }

        public Settings withRoleSessions(RoleSessions sessions) {
            return new Settings(defaultRegion, endpoint, credentials, sdkRetries, interceptors, sessions);
        }
    }

    /**
     * An IAM role whose credentials make the calls, from sts:AssumeRole.
     *
     * @param externalId null when the role's trust policy asks for none
     * @param sessionName what CloudTrail and the role's own account show as the caller
     */
    public record Role(String roleArn, String externalId, String sessionName) {
        @Override
        public String toString() {
            return roleArn + " as " + sessionName;
        }
    }

    /**
     * @param duration of one AssumeRole's credentials; STS takes 15 minutes to the role's maximum
     * @param renewFrom from this long before they expire, a call renews the credentials, and goes on
     *     with the old ones if STS fails
     * @param renewBy from this long before they expire, a call waits for new ones (the SDK picks a
     *     moment between the two for each renewal)
     */
    public record RoleSessions(Duration duration, Duration renewFrom, Duration renewBy) {
        public static final RoleSessions HOUR =
                new RoleSessions(Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofMinutes(1));
    }

    private final Settings settings;
    private final Map<Region, EcsClient> ecs = new ConcurrentHashMap<>();
    private final Map<Region, LambdaAsyncClient> lambda = new ConcurrentHashMap<>();
    private final Map<Region, S3AsyncClient> s3 = new ConcurrentHashMap<>();
    private final Map<Region, SqsClient> sqs = new ConcurrentHashMap<>();
    private final Map<Region, CloudWatchLogsAsyncClient> logs = new ConcurrentHashMap<>();
    private final Map<Role, AwsClients> assumed = new ConcurrentHashMap<>();
    private volatile StsClient sts;
    /** The default chain's region, found once: the chain may read files or ask the instance. */
    private volatile Region defaultRegion;

    /**
     * What these clients and those of every role they assume share, so that a role per namespace
     * adds no threads: each SDK client would start its own.
     *
     * @param asyncHttp Netty HTTP clients, with their event loops, by service and region
     * @param scheduler the SDK's timers of call timeouts and retries
     * @param completions where the asynchronous clients complete their futures
     */
    private record Shared(
            Map<String, SdkAsyncHttpClient> asyncHttp,
            ScheduledExecutorService scheduler,
            ExecutorService completions) {
        static Shared create() {
            int threads = Math.max(8, Runtime.getRuntime().availableProcessors());
            var completions = new ThreadPoolExecutor(
                    threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), daemons("aws-response"));
            completions.allowCoreThreadTimeOut(true);
            var scheduler = new ScheduledThreadPoolExecutor(4, daemons("aws-timer"));
            scheduler.setRemoveOnCancelPolicy(true);
            return new Shared(new ConcurrentHashMap<>(), scheduler, completions);
        }

        private static ThreadFactory daemons(String name) {
            AtomicInteger count = new AtomicInteger();
            return task -> {
                Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            };
        }

        void close() {
            asyncHttp.values().forEach(SdkAsyncHttpClient::close);
            scheduler.shutdownNow();
            completions.shutdownNow();
        }
    }

    private final Shared shared;
    /** Whether these clients made what they share, and close it. */
    private final boolean root;

    public AwsClients(Settings settings) {
        this(settings, Shared.create(), true);
    }

    private AwsClients(Settings settings, Shared shared, boolean root) {
        this.settings = settings;
        this.shared = shared;
        this.root = root;
    }

    private SdkAsyncHttpClient asyncHttp(String service, Region region, SdkAsyncHttpClient.Builder<?> builder) {
        return shared.asyncHttp().computeIfAbsent(service + " " + region.id(), k -> builder.build());
    }

    private ClientAsyncConfiguration sharedCompletions() {
        return ClientAsyncConfiguration.builder()
                .advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, shared.completions())
                .build();
    }

    /** The ECS client for a region; null or blank means the default region. */
    public EcsClient ecs(String region) {
        return ecs.computeIfAbsent(region(region), r -> {
            var builder = EcsClient.builder()
                    .region(r)
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(10))
                            .socketTimeout(Duration.ofSeconds(30)))
                    .overrideConfiguration(override(Duration.ofSeconds(60), ecsRetries()));
            settings.endpoint().ifPresent(builder::endpointOverride);
            settings.credentials().ifPresent(builder::credentialsProvider);
            return builder.build();
        });
    }

    /** ECS attempts of one call in the operator: five take a throttle rate of 30% down to 0.2%. */
    static final int ECS_ATTEMPTS = 5;

    /**
     * The standard strategy (backoff with jitter between attempts), without its circuit breaker,
     * which would stop retrying when throttling is widespread, just when retrying in the call is
     * what keeps throttles from the jobs.
     */
    private RetryStrategy ecsRetries() {
        if (settings.sdkRetries()) {
            return null;
        }
        return software.amazon.awssdk.retries.StandardRetryStrategy.builder()
                .maxAttempts(ECS_ATTEMPTS)
                .circuitBreakerEnabled(false)
                .retryOnException(e -> AwsErrors.isTransient(e) && !(e instanceof EcsPacing.Paced))
                .build();
    }

    /** The asynchronous Lambda client for a region; null or blank means the default region. */
    public LambdaAsyncClient lambda(String region) {
        return lambda.computeIfAbsent(region(region), r -> {
            var builder = LambdaAsyncClient.builder()
                    .asyncConfiguration(sharedCompletions())
                    .region(r)
                    .httpClient(asyncHttp(
                            "lambda",
                            r,
                            NettyNioAsyncHttpClient.builder()
                                    .connectionTimeout(Duration.ofSeconds(10))
                                    .readTimeout(LAMBDA_TIMEOUT)))
                    .overrideConfiguration(
                            override(LAMBDA_TIMEOUT, settings.sdkRetries() ? null : AwsRetryStrategy.doNotRetry()));
            settings.endpoint().ifPresent(builder::endpointOverride);
            settings.credentials().ifPresent(builder::credentialsProvider);
            return builder.build();
        });
    }

    /**
     * The asynchronous S3 client for a region, which retries as the SDK's standard strategy does:
     * it never holds up a reconcile thread. Against an endpoint override (an emulator) it addresses
     * buckets by path, as emulators need; against AWS it follows a bucket to its own region.
     */
    public S3AsyncClient s3(String region) {
        return s3.computeIfAbsent(region(region), r -> {
            boolean overridden = settings.endpoint().isPresent() || endpointFromEnvironment();
            var builder = S3AsyncClient.builder()
                    .asyncConfiguration(sharedCompletions())
                    .region(r)
                    .httpClient(asyncHttp(
                            "s3",
                            r,
                            NettyNioAsyncHttpClient.builder()
                                    .connectionTimeout(Duration.ofSeconds(10))
                                    .readTimeout(Duration.ofSeconds(30))
                                    .maxConcurrency(S3_CONNECTIONS)))
                    .forcePathStyle(overridden)
                    .crossRegionAccessEnabled(!overridden)
                    .overrideConfiguration(override(Duration.ofSeconds(60), null));
            settings.endpoint().ifPresent(builder::endpointOverride);
            settings.credentials().ifPresent(builder::credentialsProvider);
            return builder.build();
        });
    }

    private static boolean endpointFromEnvironment() {
        for (String name : List.of("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")) {
            String value = System.getenv(name);
            if (value != null && !value.isBlank()) {
                return true;
            }
        }
        return false;
    }

    /** @param retries null for the SDK's default */
    private ClientOverrideConfiguration override(Duration callTimeout, RetryStrategy retries) {
        var config = ClientOverrideConfiguration.builder()
                .apiCallTimeout(callTimeout)
                .scheduledExecutorService(shared.scheduler());
        if (retries != null) {
            config.retryStrategy(retries);
        }
        settings.interceptors().forEach(config::addExecutionInterceptor);
        return config.build();
    }

    /**
     * The region by name, or the default one.
     *
     * @throws IllegalArgumentException when the name is not a region the SDK knows, or no name is
     *     given and no default region is configured
     */
    public Region region(String name) {
        if (name != null && !name.isBlank()) {
            Region region = Region.of(name);
            if (!isKnown(region)) {
                throw new IllegalArgumentException("'" + name + "' is not an AWS region");
            }
            return region;
        }
        if (settings.defaultRegion().isPresent()) {
            return region(settings.defaultRegion().get());
        }
        Region found = defaultRegion;
        if (found == null) {
            try {
                found = new DefaultAwsRegionProviderChain().getRegion();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "no region given and none configured (set AWS_REGION or a profile's region)");
            }
            defaultRegion = found;
        }
        return found;
    }

    /**
     * Clients whose calls are made with the role's credentials: from sts:AssumeRole, asked with
     * these clients' own credentials, kept until shortly before they expire and then renewed. The
     * same role and session name give the same clients. Null gives these.
     */
    public AwsClients as(Role role) {
        if (role == null) {
            return this;
        }
        return assumed.computeIfAbsent(role, r -> new AwsClients(settings.withCredentials(assuming(r)), shared, false));
    }

    private AwsCredentialsProvider assuming(Role role) {
        RoleSessions sessions = settings.roleSessions();
        return StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts())
                .refreshRequest(r -> r.roleArn(role.roleArn())
                        .externalId(role.externalId())
                        .roleSessionName(role.sessionName())
                        .durationSeconds((int) sessions.duration().toSeconds()))
                .staleTime(sessions.renewBy())
                .prefetchTime(sessions.renewFrom())
                .asyncCredentialUpdateEnabled(false)
                .build();
    }

    private synchronized StsClient sts() {
        if (sts == null) {
            var builder = StsClient.builder()
                    .region(region(null))
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(10))
                            .socketTimeout(Duration.ofSeconds(30)))
                    .overrideConfiguration(override(Duration.ofSeconds(60), null));
            settings.endpoint().ifPresent(builder::endpointOverride);
            settings.credentials().ifPresent(builder::credentialsProvider);
            sts = builder.build();
        }
        return sts;
    }

    public static boolean isKnown(Region region) {
        return RegionMetadata.of(region) != null;
    }

    @Override
    public void close() {
        assumed.values().forEach(AwsClients::close);
        if (sts != null) {
            sts.close();
        }
        ecs.values().forEach(EcsClient::close);
        lambda.values().forEach(LambdaAsyncClient::close);
        s3.values().forEach(S3AsyncClient::close);
        sqs.values().forEach(SqsClient::close);
        logs.values().forEach(CloudWatchLogsAsyncClient::close);
        if (root) {
            shared.close();
        }
    }

    /** The asynchronous CloudWatch Logs client for a region; null or blank means the default region. */
    public CloudWatchLogsAsyncClient logs(String region) {
        return logs.computeIfAbsent(region(region), r -> {
            var builder = CloudWatchLogsAsyncClient.builder()
                    .asyncConfiguration(sharedCompletions())
                    .region(r)
                    .httpClient(asyncHttp(
                            "logs",
                            r,
                            NettyNioAsyncHttpClient.builder()
                                    .connectionTimeout(Duration.ofSeconds(10))
                                    .readTimeout(Duration.ofSeconds(30))))
                    .overrideConfiguration(override(Duration.ofSeconds(60), null));
            settings.endpoint().ifPresent(builder::endpointOverride);
            settings.credentials().ifPresent(builder::credentialsProvider);
            return builder.build();
        });
    }

    /**
     * The SQS client for a queue, in the region its URL names ({@code https://sqs.REGION.amazonaws.com/…}),
     * or the default region; its reads wait up to SQS's 20 s of long polling.
     */
    public SqsClient sqsFor(String queueUrl) {
        var named = java.util.regex.Pattern.compile("^https://sqs\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?/")
                .matcher(queueUrl);
        return sqs.computeIfAbsent(region(named.find() ? named.group(1) : null), r -> {
            var builder = SqsClient.builder()
                    .region(r)
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(10))
                            .socketTimeout(Duration.ofSeconds(40)))
                    .overrideConfiguration(override(Duration.ofSeconds(60), null));
            settings.endpoint().ifPresent(builder::endpointOverride);
            settings.credentials().ifPresent(builder::credentialsProvider);
            return builder.build();
        });
    }
}
