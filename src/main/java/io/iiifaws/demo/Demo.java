package io.iiifaws.demo;

import ch.qos.logback.classic.Level;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.NetworkSpec;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.operator.IiifJobOperator;
import io.iiifaws.operator.OperatorSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;

/**
 * The embedded default: the operator runs an example job end to end against an AWS emulator
 * (moto_server) and an in-process Kubernetes API, with no cluster and no AWS account.
 */
public final class Demo {
  public static final String REGION = "us-east-1";
  public static final String EXAMPLE = "examples/iiifjob.yaml";

  private final PrintStream out;
  private final Duration timeout;

  public Demo(PrintStream out, Duration timeout) {
    this.out = out;
    this.timeout = timeout;
  }

  /** Runs the demo; returns the exit status: 0 when the job succeeded. */
  public int run(Optional<Path> examplePath) throws IOException, InterruptedException {
    quietLibraries();
    out.println("iiif-aws demo: the IiifJob operator, with AWS and Kubernetes emulated on this machine");
    try (MotoServer moto = MotoServer.start();
        KubernetesEmulator kubernetes = new KubernetesEmulator()) {
      var credentials = AwsBasicCredentials.create("demo", "demo");
      AwsClients aws =
          new AwsClients(
              AwsClients.Settings.fromEnvironment(false)
                  .withEndpoint(moto.endpoint())
                  .withDefaultRegion(REGION)
                  .withCredentials(StaticCredentialsProvider.create(credentials)));
      IiifJob job = loadExample(examplePath, kubernetes.client());
      var task = job.getSpec().task();
      MotoFixtures.ecs(aws.ecs(REGION), task.cluster(), family(task.taskDefinition()), task.container());
      MotoFixtures.Network network = MotoFixtures.network(new AwsQuery(moto.endpoint(), REGION, credentials));
      job.setSpec(withNetwork(job.getSpec(), network));
      out.println("  AWS         moto_server at " + moto.endpoint() + ": cluster " + task.cluster()
          + ", task definition " + task.taskDefinition() + ", container " + task.container());
      out.println("  Kubernetes  in-process API server with the IiifJob CRD installed");
      out.println("  Job         " + examplePath.map(Path::toString).orElse(EXAMPLE) + " as "
          + job.getMetadata().getNamespace() + "/" + job.getMetadata().getName() + ", " + job.getSpec().uris().size()
          + " URIs (network: the emulator's " + network.subnet() + " and " + network.securityGroup() + ")");
      out.println();

      var settings = OperatorSettings.defaults().withPollInterval(Duration.ofMillis(500));
      try (IiifJobOperator operator =
          new IiifJobOperator(
              kubernetes.client(),
              aws,
              IiifJobOperator.Config.defaults("demo").withSettings(settings).withCloseClient(false),
              Clock.systemUTC())) {
        operator.start();
        IiifJobStatus last = follow(kubernetes.client(), job, aws);
        aws.close();
        return last != null && last.phase() == io.iiifaws.api.Phase.Succeeded ? 0 : 1;
      }
    }
  }

  private IiifJobStatus follow(KubernetesClient client, IiifJob job, AwsClients aws) throws InterruptedException {
    BlockingQueue<IiifJob> updates = new LinkedBlockingQueue<>();
    var jobs = client.resources(IiifJob.class).inNamespace(job.getMetadata().getNamespace());
    try (var watch =
        jobs.withName(job.getMetadata().getName())
            .watch(
                new Watcher<IiifJob>() {
                  @Override
                  public void eventReceived(Action action, IiifJob resource) {
                    updates.add(resource);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      jobs.resource(job).create();
      Instant created = Instant.now();
      out.println("  time   phase      tasks");
      String shown = null;
      boolean commandShown = false;
      IiifJobStatus status = null;
      Instant deadline = Instant.now().plus(timeout);
      while (Instant.now().isBefore(deadline)) {
        IiifJob update = updates.poll(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS);
        if (update == null) {
          break;
        }
        status = update.getStatus();
        String line = describe(status);
        if (!line.equals(shown)) {
          out.printf("  %5.1fs %s%n", Duration.between(created, Instant.now()).toMillis() / 1000.0, line);
          shown = line;
        }
        if (!commandShown && status != null && !status.tasks().isEmpty()) {
          commandShown = printCommand(aws, status.tasks().get(0));
        }
        if (status != null && status.isFinished()) {
          break;
        }
      }
      out.println();
      if (status == null || !status.isFinished()) {
        out.println("The job did not finish within " + timeout.toSeconds() + " s.");
        return status;
      }
      status.conditions().stream()
          .filter(c -> c.isTrue())
          .forEach(c -> out.println("  " + c.type() + " (" + c.reason() + "): " + c.message()));
      out.println();
      out.println("Events:");
      events(client, job).forEach(e -> out.println("  " + e.getType() + " " + e.getReason() + ": " + e.getNote()));
      out.println();
      out.println(status.phase() == io.iiifaws.api.Phase.Succeeded
          ? "The job succeeded. Everything the demo started is shut down."
          : "The job failed. Everything the demo started is shut down.");
      return status;
    }
  }

  /** The job's events, once the last one (Completed or the failure) has been recorded. */
  private static List<io.fabric8.kubernetes.api.model.events.v1.Event> events(KubernetesClient client, IiifJob job)
      throws InterruptedException {
    var events = client.events().v1().events().inNamespace(job.getMetadata().getNamespace());
    Instant deadline = Instant.now().plusSeconds(5);
    List<io.fabric8.kubernetes.api.model.events.v1.Event> items = events.list().getItems();
    while (Instant.now().isBefore(deadline) && items.stream().noneMatch(Demo::isFinal)) {
      Thread.sleep(50);
      items = events.list().getItems();
    }
    return items.stream().sorted(java.util.Comparator.comparing(e -> e.getEventTime().getTime())).toList();
  }

  private static boolean isFinal(io.fabric8.kubernetes.api.model.events.v1.Event event) {
    return "Completed".equals(event.getReason()) || "Warning".equals(event.getType()) && event.getReason() != null
        && !event.getReason().startsWith("Task") && !event.getReason().endsWith("Retry");
  }

  private boolean printCommand(AwsClients aws, TaskStatus task) {
    var described =
        aws.ecs(REGION).describeTasks(DescribeTasksRequest.builder().cluster(task.cluster()).tasks(task.taskArn()).build());
    if (described.tasks().isEmpty()) {
      return false;
    }
    described.tasks().get(0).overrides().containerOverrides().forEach(
        o -> out.println("         container " + o.name() + " runs: " + String.join(" ", o.command())));
    return true;
  }

  private static String describe(IiifJobStatus status) {
    if (status == null || status.phase() == null) {
      return "(waiting for the operator)";
    }
    StringBuilder line = new StringBuilder(String.format("%-10s %s", status.phase(), status.progress()));
    for (TaskStatus task : status.tasks()) {
      String arn = task.taskArn();
      line.append("  task ").append(arn.substring(arn.lastIndexOf('/') + 1), 0, 8).append("… ")
          .append(task.lastStatus() == null ? "launched" : task.lastStatus());
      if (task.exitCode() != null) {
        line.append(" exit ").append(task.exitCode());
      }
    }
    return line.toString();
  }

  private static IiifJob loadExample(Optional<Path> path, KubernetesClient client) throws IOException {
    IiifJob job;
    if (path.isPresent()) {
      try (InputStream in = Files.newInputStream(path.get())) {
        job = client.getKubernetesSerialization().unmarshal(in, IiifJob.class);
      }
    } else {
      try (InputStream in = Demo.class.getResourceAsStream("/" + EXAMPLE)) {
        if (in == null) {
          throw new IOException(EXAMPLE + " is not in the jar");
        }
        job = client.getKubernetesSerialization().unmarshal(in, IiifJob.class);
      }
    }
    if (job.getMetadata().getNamespace() == null) {
      job.getMetadata().setNamespace("default");
    }
    if (job.getSpec() == null || job.getSpec().task() == null) {
      throw new IOException("the demo runs a Task-mode job; the example has no spec.task");
    }
    return job;
  }

  private static IiifJobSpec withNetwork(IiifJobSpec spec, MotoFixtures.Network network) {
    return new IiifJobSpec(
        spec.uris(), spec.mode(), spec.region(), spec.task(),
        new NetworkSpec(List.of(network.subnet()), List.of(network.securityGroup()), spec.network().assignPublicIp()),
        spec.process(), spec.lambda(), spec.batch(), spec.parallelism(), spec.backoffLimit(),
        spec.activeDeadlineSeconds(), spec.suspend(), spec.ttlSecondsAfterFinished(), spec.deletionPolicy());
  }

  private static String family(String taskDefinition) {
    String name = taskDefinition.substring(taskDefinition.lastIndexOf('/') + 1);
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }

  /** The demo prints its own progress; the libraries' INFO logs would drown it. */
  private static void quietLibraries() {
    var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
  }
}
