package io.iiifaws.cli;

import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.aws.S3Reports;
import io.iiifaws.ecs.ProcessTasks;
import io.iiifaws.ecs.TaskVerdict;
import io.iiifaws.goiiif.ImageCheck;
import io.iiifaws.goiiif.ReportLocation;
import io.iiifaws.goiiifaws.ProcessEcsOptions;
import io.iiifaws.handler.LambdaRuntimeLoop;
import io.iiifaws.handler.S3EventHandler;
import io.iiifaws.lambda.LambdaInvoker;
import io.iiifaws.lambda.S3Events;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import software.amazon.awssdk.core.exception.SdkException;

/** go-iiif-aws's iiif-process-ecs, on iiif-aws's launch and tracking code. */
@Command(
        name = "process-ecs",
        usageHelpAutoWidth = true,
        description = {
            "Runs go-iiif's iiif-process on image URIs in an ECS task, or invokes a Lambda function with an S3 event"
                    + " for them, as go-iiif-aws's iiif-process-ecs did.",
            ""
        },
        footer = {
            "",
            "Every flag can also be set from the environment as IIIF_PROCESS_<FLAG>, upper case with '-' as '_'"
                    + " (-security-group is IIIF_PROCESS_SECURITY_GROUP). A flag given on the command line wins over the"
                    + " variable (go-iiif-aws let the variable win). AWS_ENDPOINT_URL points the AWS calls at an emulator.",
            "",
            "Exit status: 0 on success; with -wait, the go-iiif container's exit code (1 if it has none), or 1 when"
                    + " go-iiif's reports (-reports) show more failed images than -max-failed-images; 1 for a runtime error"
                    + " (AWS refused, the function failed); 2 for a usage error."
        },
        sortOptions = false)
public final class ProcessEcsCommand implements Callable<Integer> {

    @Mixin
    ProcessEcsOptions options;

    @CommandLine.Option(
            names = {"-h", "-help", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public ProcessEcsCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** The command line of this command, with IIIF_PROCESS_* variables as defaults. */
    public static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        return ProcessEcsOptions.commandLine(new ProcessEcsCommand(env, out, err), env);
    }

    private String name() {
        return spec.qualifiedName();
    }

    @Override
    public Integer call() throws Exception {
        try {
            return switch (options.mode()) {
                case task -> runTask();
                case invoke -> invoke();
                case lambda -> serveLambda();
            };
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private int runTask() throws InterruptedException {
        List<String> given = options.uris();
        options.taskTemplate();
        int maxFailedImages = options.maxFailedImages();
        Duration interval = options.waitForTask() ? options.waitInterval() : null;
        try (AwsClients aws = options.awsClients("-ecs-dsn", env)) {
            List<String> uris;
            try {
                uris = options.hasSource() ? options.listSource(aws, err) : given;
            } catch (SdkException e) {
                err.println(name() + ": listing the source: " + AwsErrors.describe(e));
                return 1;
            }
            Optional<ReportLocation> reports =
                    options.reportLocation(aws.region(null).id(), "process-ecs/" + UUID.randomUUID());
            ProcessTasks tasks = options.processTasks(aws);
            List<ProcessTasks.Launched> launched;
            try {
                // Each ARN is printed as its task starts, so none is lost if a later launch fails.
                launched = tasks.launch(uris, null, reports, task -> out.println(task.taskArn()));
            } catch (SdkException e) {
                err.println(name() + ": RunTask: " + AwsErrors.describe(e));
                return 1;
            } catch (ProcessTasks.LaunchRefusedException e) {
                err.println(name() + ": " + e.getMessage());
                return 1;
            }
            reports.ifPresent(r -> err.println(name() + ": go-iiif writes its reports to " + r));
            if (!options.waitForTask()) {
                return 0;
            }
            List<String> arns =
                    launched.stream().map(ProcessTasks.Launched::taskArn).toList();
            Map<String, TaskVerdict> verdicts;
            try {
                verdicts = tasks.await(arns, interval, Duration.ofMinutes(2), java.time.Clock.systemUTC());
            } catch (SdkException e) {
                err.println(name() + ": DescribeTasks: " + AwsErrors.describe(e));
                return 1;
            }
            int status = 0;
            for (var verdict : verdicts.entrySet()) {
                TaskVerdict v = verdict.getValue();
                err.println(verdict.getKey() + ": " + v.explanation());
                if (status == 0 && v.outcome() != TaskVerdict.Outcome.SUCCEEDED) {
                    status = v.exitCode() != null && v.exitCode() != 0 ? v.exitCode() : 1;
                }
            }
            return status != 0 ? status : checkImages(tasks, launched, new S3Reports(aws::s3), maxFailedImages);
        }
    }

    /** Reads go-iiif's reports of every task and prints the images that failed; 1 when too many did. */
    private int checkImages(ProcessTasks tasks, List<ProcessTasks.Launched> launched, S3Reports reader, int allowed) {
        int failed = 0;
        for (ProcessTasks.Launched task : launched) {
            Optional<ImageCheck> check;
            try {
                check = tasks.checkImages(reader, task);
            } catch (java.util.concurrent.CompletionException e) {
                err.println(name() + ": reading go-iiif's reports at "
                        + task.reports().orElseThrow() + ": " + AwsErrors.describe(e));
                return 1;
            }
            if (check.isEmpty()) {
                continue;
            }
            ImageCheck images = check.get();
            if (images.noReports()) {
                err.println(task.taskArn() + ": go-iiif wrote no report at "
                        + task.reports().orElseThrow() + ": it processed none of its "
                        + count(images.images().size()));
                return 1;
            }
            err.println(task.taskArn() + ": go-iiif processed " + images.processed() + " of "
                    + count(images.images().size()));
            for (ImageCheck.Image image : images.failures()) {
                err.println("  failed: " + image.uri() + ": " + image.problem());
            }
            failed += images.failures().size();
        }
        if (failed > allowed) {
            err.println(name() + ": " + failed + (failed == 1 ? " image" : " images")
                    + " failed, more than -max-failed-images " + allowed);
            return 1;
        }
        return 0;
    }

    private static String count(int images) {
        return images + (images == 1 ? " image" : " images");
    }

    private int invoke() {
        String function = options.lambdaFunction();
        List<String> uris = options.uris();
        try (AwsClients aws = options.awsClients("-lambda-dsn", env)) {
            var type =
                    switch (options.lambdaType()) {
                        case RequestResponse -> software.amazon.awssdk.services.lambda.model.InvocationType
                                .REQUEST_RESPONSE;
                        case Event -> software.amazon.awssdk.services.lambda.model.InvocationType.EVENT;
                        case DryRun -> software.amazon.awssdk.services.lambda.model.InvocationType.DRY_RUN;
                    };
            String payload = S3Events.forUris(uris, aws.region(null).id(), null);
            LambdaInvoker.Result result;
            try {
                result = new LambdaInvoker(aws.lambda(null))
                        .invoke(function, null, type, payload)
                        .join();
            } catch (java.util.concurrent.CompletionException e) {
                err.println(name() + ": Invoke: " + AwsErrors.describe(e));
                return 1;
            }
            if (result.payload() != null && !result.payload().isEmpty()) {
                out.println(result.payload());
            }
            if (result.failed()) {
                err.println(name() + ": function " + function
                        + (result.functionError() != null
                                ? " failed (" + result.functionError() + ")"
                                : " answered with status " + result.statusCode()));
                return 1;
            }
            err.println(name() + ": " + function + " answered with status " + result.statusCode());
            return 0;
        }
    }

    private int serveLambda() throws InterruptedException {
        String runtimeApi = env.get("AWS_LAMBDA_RUNTIME_API");
        if (runtimeApi == null || runtimeApi.isBlank()) {
            throw new IllegalArgumentException(
                    "-mode lambda serves a Lambda custom runtime and needs AWS_LAMBDA_RUNTIME_API, which Lambda sets;"
                            + " on the Java runtime use the handler io.iiifaws.handler.S3EventHandler::handleRequest");
        }
        S3EventHandler handler = new S3EventHandler(env);
        new LambdaRuntimeLoop(runtimeApi, handler::handleJson).run();
        return 0;
    }
}
