package io.iiifaws.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.operator.IiifJobOperator;
import io.iiifaws.operator.OperatorSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the IiifJob operator against the Kubernetes cluster of the current kubeconfig or"
          + " service account. AWS region, credentials and endpoint come from the AWS SDK's"
          + " default chain (AWS_REGION, AWS_PROFILE, IRSA or Pod Identity, AWS_ENDPOINT_URL)."
    })
final class OperatorCommand implements Callable<Integer> {
  @Option(
      names = "--namespace",
      split = ",",
      paramLabel = "NAMESPACE",
      description = "Namespace to watch; repeat or separate with commas. Default: all namespaces.")
  List<String> namespaces = List.of();

  @Option(
      names = "--poll-interval",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "Time between DescribeTasks calls for a job with running tasks. Default: ${DEFAULT-VALUE}.")
  Duration pollInterval;

  @Override
  public Integer call() throws InterruptedException {
    String instance = System.getenv().getOrDefault("HOSTNAME", "iiif-aws-operator");
    KubernetesClient client = new KubernetesClientBuilder().build();
    AwsClients aws = new AwsClients(AwsClients.Settings.fromEnvironment(false));
    var config =
        IiifJobOperator.Config.defaults(instance)
            .withNamespaces(new HashSet<>(namespaces))
            .withSettings(OperatorSettings.defaults().withPollInterval(pollInterval));
    IiifJobOperator operator = new IiifJobOperator(client, aws, config, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      aws.close();
      stopped.countDown();
    }, "shutdown"));
    operator.start();
    stopped.await();
    return 0;
  }
}
