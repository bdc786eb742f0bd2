package io.iiifaws.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.iiifaws.aws.AwsClients;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The IiifJob operator: JOSDK wired to the job runner, ready to start. */
public final class IiifJobOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IiifJobOperator.class);
  /**
   * Where and how it runs.
   *
   * @param namespaces the namespaces to watch; empty for all
   * @param instance names this replica in events and leader election
   * @param leaderElection the lease to hold before reconciling, if any
   * @param josdkMetrics JOSDK's reconciliation metrics
   * @param closeClient whether stopping the operator closes the Kubernetes client
   */
  public record Config(
      Set<String> namespaces,
      String instance,
      OperatorSettings settings,
      Optional<LeaderElectionConfiguration> leaderElection,
      Metrics josdkMetrics,
      JobMetrics jobMetrics,
      boolean closeClient) {

    public static Config defaults(String instance) {
      return new Config(Set.of(), instance, OperatorSettings.defaults(), Optional.empty(), Metrics.NOOP, JobMetrics.NONE, true);
    }

    public Config withSettings(OperatorSettings next) {
      return new Config(namespaces, instance, next, leaderElection, josdkMetrics, jobMetrics, closeClient);
    }

    public Config withNamespaces(Set<String> next) {
      return new Config(next, instance, settings, leaderElection, josdkMetrics, jobMetrics, closeClient);
    }

    public Config withCloseClient(boolean next) {
      return new Config(namespaces, instance, settings, leaderElection, josdkMetrics, jobMetrics, next);
    }
  }

  private final Operator operator;
  private final AtomicBoolean leader;
  private final boolean electing;

  public IiifJobOperator(KubernetesClient client, AwsClients aws, Config config, Clock clock) {
    this.electing = config.leaderElection().isPresent();
    this.leader = new AtomicBoolean(!electing);
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  // Status and finalizers are written with JSON patches; server-side apply would
                  // need field ownership the operator has no use for.
                  .withUseSSAToPatchPrimaryResource(false)
                  .withSSABasedCreateUpdateMatchForDependentResources(false)
                  .withCloseClientOnStop(config.closeClient())
                  .withStopOnInformerErrorDuringStartup(true)
                  .withCacheSyncTimeout(Duration.ofMinutes(2))
                  .withMetrics(config.josdkMetrics());
              config.leaderElection().map(this::trackingLeadership).ifPresent(o::withLeaderElectionConfiguration);
            });
    JobRunner runner = new JobRunner(aws, config.settings(), config.jobMetrics(), clock);
    EventRecorder events = new EventRecorder(client, config.instance(), clock);
    operator.register(
        new IiifJobReconciler(runner, events, config.jobMetrics()),
        c -> {
          // An exception in a pass (the Kubernetes API unreachable, say) is retried without end,
          // backing off to a minute; a periodic pass catches anything else that was missed.
          c.withRetry(new GenericRetry().setInitialInterval(1000).setIntervalMultiplier(2).setMaxInterval(60_000).withoutMaxAttempts());
          c.withReconciliationMaxInterval(Duration.ofMinutes(10));
          if (config.namespaces().isEmpty()) {
            c.watchingAllNamespaces();
          } else {
            c.settingNamespaces(config.namespaces());
          }
        });
  }

  private LeaderElectionConfiguration trackingLeadership(LeaderElectionConfiguration given) {
    var callbacks = new LeaderCallbacks(
        () -> {
          leader.set(true);
          log.info("event=LeaderElected lease={}", given.getLeaseName());
          given.getLeaderCallbacks().ifPresent(LeaderCallbacks::onStartLeading);
        },
        () -> {
          leader.set(false);
          log.info("event=LeadershipLost lease={}", given.getLeaseName());
          given.getLeaderCallbacks().ifPresent(LeaderCallbacks::onStopLeading);
        },
        identity -> given.getLeaderCallbacks().ifPresent(c -> c.onNewLeader(identity)));
    return new LeaderElectionConfiguration(given.getLeaseName(), given.getLeaseNamespace().orElse(null),
        given.getLeaseDuration(), given.getRenewDeadline(), given.getRetryPeriod(), given.getIdentity().orElse(null),
        callbacks, given.isExitOnStopLeading());
  }

  /** Whether this replica reconciles: it holds the lease, or there is no leader election. */
  public boolean isLeader() {
    return leader.get();
  }

  public boolean electsLeader() {
    return electing;
  }

  public void start() {
    operator.start();
  }

  public RuntimeInfo runtimeInfo() {
    return operator.getRuntimeInfo();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
