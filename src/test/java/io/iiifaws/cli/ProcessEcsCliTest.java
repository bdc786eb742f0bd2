package io.iiifaws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.iiifaws.demo.AwsQuery;
import io.iiifaws.goiiifaws.ProcessEcsOptions;
import io.iiifaws.testing.FaultyAws;
import io.iiifaws.testing.GoIiifDouble;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.TaskOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;

/** iiif-process-ecs against moto_server, through the fault layer. */
class ProcessEcsCliTest {
    static OperatorHarness h;
    static Path credentials;
    static String function;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        h = new OperatorHarness();
        credentials = dir.resolve("credentials");
        Files.writeString(credentials, "[museum]\naws_access_key_id = test\naws_secret_access_key = test\n");
        function = "iiif-cli-" + UUID.randomUUID().toString().substring(0, 8);
        String role = new AwsQuery(h.moto.endpoint(), OperatorHarness.REGION, OperatorHarness.CREDENTIALS)
                .createLambdaRole("role-" + function);
        try (LambdaClient lambda = LambdaClient.builder()
                .region(Region.of(OperatorHarness.REGION))
                .endpointOverride(h.moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                .build()) {
            lambda.createFunction(r -> r.functionName(function)
                    .runtime(Runtime.JAVA21)
                    .role(role)
                    .handler("x::y")
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(
                            new byte[] {80, 75, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))));
        }
    }

    @AfterAll
    static void tearDown() {
        h.close();
    }

    @BeforeEach
    void reset() {
        h.aws.outcomes(task -> TaskOutcome.SUCCESS);
        h.aws.holdRunning(task -> false);
        h.aws.hook(new io.iiifaws.testing.FaultyAws.Hook() {});
        // -wait polls once a second at the most.
        h.aws.stopAtOnce(true);
    }

    record Run(int status, String out, String err) {
        List<String> lines() {
            return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
        }
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", h.aws.endpoint().toString());
        return env;
    }

    Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("process-ecs"));
        all.addAll(List.of(args));
        int status = Main.run(
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                all.toArray(String[]::new));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    String dsn() {
        return "region=us-east-1 credentials=" + credentials + ":museum";
    }

    List<String> taskFlags() {
        return List.of(
                "-ecs-dsn",
                dsn(),
                "-cluster",
                h.cluster,
                "-task",
                h.taskDefinition,
                "-container",
                OperatorHarness.CONTAINER,
                "-subnet",
                h.network.subnet(),
                "-security-group",
                h.network.securityGroup());
    }

    String[] args(List<String> flags, String... more) {
        List<String> all = new ArrayList<>(flags);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void taskModePrintsTheTaskArnAndSendsGoIiifAwsArgv() {
        int before = h.aws.requests("RunTask").size();
        Run run = run(env(), args(taskFlags(), "-report", "-uri", "collection/IMG_0084.JPG", "dir/avocado.png"));

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.lines()).singleElement().satisfies(arn -> assertThat(arn)
                .startsWith("arn:aws:ecs:us-east-1:")
                .contains(":task/" + h.cluster + "/"));
        JsonNode request = h.aws.requests("RunTask").get(before);
        assertThat(request.path("taskDefinition").asText()).isEqualTo(h.taskDefinition);
        assertThat(request.path("launchType").asText()).isEqualTo("FARGATE");
        assertThat(request.path("startedBy").asText()).isEqualTo("iiif-process-ecs");
        assertThat(request.path("networkConfiguration")
                        .path("awsvpcConfiguration")
                        .path("assignPublicIp")
                        .asText())
                .isEqualTo("ENABLED");
        JsonNode override = request.path("overrides").path("containerOverrides").get(0);
        assertThat(override.path("name").asText()).isEqualTo(OperatorHarness.CONTAINER);
        assertThat(override.path("command"))
                .extracting(JsonNode::asText)
                .containsExactly(
                        "/bin/iiif-process",
                        "-config",
                        "/etc/go-iiif/config.json",
                        "-instructions",
                        "/etc/go-iiif/instructions.json",
                        "-report",
                        "-report-name",
                        "process.json",
                        "-uri=IMG_0084.JPG",
                        "-uri=avocado.png");
    }

    @Test
    void waitReturnsTheGoIiifContainersExitCodeWithTheStopReasonOnStderr() {
        h.aws.outcomes(task -> TaskOutcome.exit(3));
        Run failed = run(env(), args(taskFlags(), "-wait", "-wait-interval", "1s", "a.jpg"));
        assertThat(failed.status()).isEqualTo(3);
        assertThat(failed.err())
                .contains("container iiif exited 3 (EssentialContainerExited: Essential container in task exited)");

        h.aws.outcomes(task -> TaskOutcome.failedToStart("CannotPullContainerError: pull access denied"));
        Run notStarted = run(env(), args(taskFlags(), "-wait", "-wait-interval", "1s", "a.jpg"));
        assertThat(notStarted.status()).isEqualTo(1);
        assertThat(notStarted.err())
                .contains("task failed to start (TaskFailedToStart: CannotPullContainerError: pull access denied)");

        h.aws.outcomes(task -> TaskOutcome.SUCCESS);
        Run ok = run(env(), args(taskFlags(), "-wait=true", "-wait-interval=1s", "a.jpg"));
        assertThat(ok.status()).isZero();
        assertThat(ok.err()).contains("container iiif exited 0");
    }

    @Test
    void waitTakesATaskThatEcsNoLongerKnowsForLostAsTheOperatorDoes() {
        h.aws.holdRunning(task -> true);
        h.aws.hook(new io.iiifaws.testing.FaultyAws.Hook() {
            @Override
            public boolean after(
                    String operation,
                    com.fasterxml.jackson.databind.JsonNode request,
                    com.fasterxml.jackson.databind.JsonNode response) {
                if ("DescribeTasks".equals(operation)) {
                    response.path("tasks").forEach(t -> {
                        if ("RUNNING".equals(t.path("lastStatus").asText())) {
                            h.aws.forget(t.path("taskArn").asText());
                        }
                    });
                }
                return true;
            }
        });

        Run lost = run(env(), args(taskFlags(), "-wait", "-wait-interval", "1s", "a.jpg"));

        assertThat(lost.status()).isEqualTo(1);
        assertThat(lost.err()).contains("ECS no longer knows the task");
    }

    @Test
    void waitWithReportsChecksEveryImageAndFailsWhenGoIiifDidNot() {
        String bucket = "cli-reports-" + UUID.randomUUID().toString().substring(0, 8);
        try (GoIiifDouble goIiif = new GoIiifDouble(h.moto.endpoint())) {
            goIiif.createBucket(bucket);
            goIiif.runTasksOf(
                    h.aws,
                    origin ->
                            origin.equals("corrupt.jpg") ? GoIiifDouble.Result.FAILED : GoIiifDouble.Result.PROCESSED);
            List<String> flags = new ArrayList<>(taskFlags());
            flags.addAll(List.of(
                    "-go-iiif-style",
                    "v4",
                    "-reports",
                    "s3://" + bucket + "/reports/",
                    "-wait",
                    "-wait-interval",
                    "1s"));

            Run good = run(env(), args(flags, "uploads/avocado.png", "plain.jpg"));
            assertThat(good.status()).as(good.err()).isZero();
            assertThat(good.err())
                    .contains(
                            "go-iiif writes its reports to s3://" + bucket + "/reports/process-ecs/",
                            ": go-iiif processed 2 of 2 images");

            Run bad = run(env(), args(flags, "avocado.png", "corrupt.jpg"));
            assertThat(bad.status()).isEqualTo(1);
            assertThat(bad.err())
                    .contains(
                            ": go-iiif processed 1 of 2 images",
                            "  failed: corrupt.jpg: go-iiif derived nothing from it",
                            "process-ecs: 1 image failed, more than -max-failed-images 0");

            Run tolerated = run(env(), args(flags, "-max-failed-images", "1", "avocado.png", "corrupt.jpg"));
            assertThat(tolerated.status()).as(tolerated.err()).isZero();

            h.aws.outcomes(task -> TaskOutcome.SUCCESS);
            Run silent = run(env(), args(flags, "avocado.png"));
            assertThat(silent.status()).isEqualTo(1);
            assertThat(silent.err())
                    .contains(
                            ": go-iiif wrote no report at s3://" + bucket + "/reports/process-ecs/",
                            "it processed none of its 1 image");
        }
    }

    @Test
    void everyFlagCanComeFromTheEnvironmentAndTheCommandLineWins() {
        Map<String, String> env = env();
        env.put("IIIF_PROCESS_ECS_DSN", dsn());
        env.put("IIIF_PROCESS_CLUSTER", h.cluster);
        env.put("IIIF_PROCESS_TASK", "wrong-definition:9");
        env.put("IIIF_PROCESS_CONTAINER", OperatorHarness.CONTAINER);
        env.put("IIIF_PROCESS_SUBNET", h.network.subnet() + "," + h.network.subnet());
        env.put("IIIF_PROCESS_SECURITY_GROUP", h.network.securityGroup());
        env.put("IIIF_PROCESS_STRIP_PATHS", "false");
        env.put("IIIF_PROCESS_GO_IIIF_STYLE", "v4");
        env.put("IIIF_PROCESS_URI", "dir/a, b.jpg");
        env.put("IIIF_PROCESS_REPORT", "");
        int before = h.aws.requests("RunTask").size();

        Run run = run(env, "--task", h.taskDefinition, "--", "dir/c.jpg");

        assertThat(run.status()).as(run.err()).isZero();
        JsonNode request = h.aws.requests("RunTask").get(before);
        assertThat(request.path("taskDefinition").asText()).isEqualTo(h.taskDefinition);
        assertThat(request.path("networkConfiguration")
                        .path("awsvpcConfiguration")
                        .path("subnets"))
                .hasSize(2);
        assertThat(request.path("overrides").path("containerOverrides").get(0).path("command"))
                .extracting(JsonNode::asText)
                .endsWith(
                        "--",
                        "file:///dir/a%2C%20b.jpg?target=%2Fdir%2Fa%2C%20b.jpg",
                        "file:///dir/c.jpg?target=%2Fdir%2Fc.jpg");
    }

    @Test
    void dsnFormsAreReadAndAMalformedOneIsAUsageError() {
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        try {
            Run iam = run(
                    env(),
                    args(
                            List.of(
                                    "-ecs-dsn",
                                    "region=us-east-1 credentials=iam:",
                                    "-cluster",
                                    h.cluster,
                                    "-task",
                                    h.taskDefinition,
                                    "-container",
                                    OperatorHarness.CONTAINER,
                                    "-subnet",
                                    h.network.subnet(),
                                    "-security-group",
                                    h.network.securityGroup()),
                            "a.jpg"));
            assertThat(iam.status()).as(iam.err()).isZero();
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        Run profile = run(env(), args(taskFlags(), "a.jpg"));
        assertThat(profile.status()).as(profile.err()).isZero();

        for (String bad : List.of(
                "region=us-east-1",
                "credentials=iam:",
                "region us-east-1",
                "region=us-east-1 credentials=iam: colour=blue",
                "region=moon-1 credentials=iam:")) {
            Run run = run(
                    env(),
                    args(
                            List.of(
                                    "-ecs-dsn",
                                    bad,
                                    "-cluster",
                                    "c",
                                    "-task",
                                    "t:1",
                                    "-container",
                                    "c",
                                    "-subnet",
                                    "subnet-1"),
                            "a.jpg"));
            assertThat(run.status()).as(bad).isEqualTo(2);
            assertThat(run.err().lines().toList())
                    .as(bad)
                    .singleElement()
                    .asString()
                    .startsWith("iiif-aws process-ecs: -ecs-dsn");
        }
    }

    @Test
    void badInputIsAOneLineUsageError() {
        Map<String, String> problems = Map.of(
                "no URIs", "no URIs: give them after the flags or with -uri",
                "notes.txt", "'notes.txt' is not an image by its extension",
                "-bogus", "Unknown option: '-bogus'",
                "-lambda-type=Later", "Invalid value for option '-lambda-type'");
        problems.forEach((input, message) -> {
            Run run = input.equals("no URIs") ? run(env(), args(taskFlags())) : run(env(), args(taskFlags(), input));
            assertThat(run.status()).as(input).isEqualTo(2);
            assertThat(run.err())
                    .as(input)
                    .startsWith("iiif-aws process-ecs: ")
                    .contains(message)
                    .doesNotContain("\tat ");
            assertThat(run.err().lines().count()).as(input).isEqualTo(1);
        });
        Run missing = run(env(), "a.jpg");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).startsWith("iiif-aws process-ecs: -cluster is required (or IIIF_PROCESS_CLUSTER)");
    }

    @Test
    void pollingFasterThanASecondAControlCharacterOrAMissingProfileIsRefusedBeforeAnyLaunch() {
        int before = h.aws.calls("RunTask");
        Map<String, String> problems = new java.util.LinkedHashMap<>();
        problems.put("-wait -wait-interval 0s a.jpg", "-wait-interval must be at least 1s, not 0s");
        problems.put("-wait -wait-interval -5s a.jpg", "-wait-interval must be at least 1s, not -5s");
        problems.put("-wait -wait-interval 200ms a.jpg", "-wait-interval must be at least 1s, not 200ms");
        problems.put("bad\nname.jpg", "holds a control character");
        problems.put("dir/-x.jpg", "its name '-x.jpg' is empty or starts with '-'");
        problems.forEach((input, message) -> {
            Run run = run(env(), args(taskFlags(), input.split(" ")));
            assertThat(run.status()).as(input).isEqualTo(2);
            assertThat(run.err().lines().toList())
                    .as(input)
                    .singleElement()
                    .asString()
                    .contains(message);
        });
        Run profile = run(
                env(),
                args(
                        List.of(
                                "-ecs-dsn",
                                "region=us-east-1 credentials=" + credentials + ":nobody",
                                "-cluster",
                                "c",
                                "-task",
                                "t:1",
                                "-container",
                                "c",
                                "-subnet",
                                "subnet-1"),
                        "a.jpg"));
        assertThat(profile.status()).isEqualTo(2);
        assertThat(profile.err().strip())
                .isEqualTo("iiif-aws process-ecs: -ecs-dsn: profile 'nobody' is not in " + credentials
                        + " (try iiif-aws process-ecs -h)");
        Run named = run(
                env(),
                args(
                        List.of(
                                "-ecs-dsn",
                                "region=us-east-1 credentials=no-such-profile-anywhere",
                                "-cluster",
                                "c",
                                "-task",
                                "t:1",
                                "-container",
                                "c",
                                "-subnet",
                                "subnet-1"),
                        "a.jpg"));
        assertThat(named.status()).isEqualTo(2);
        assertThat(named.err())
                .contains(
                        "profile 'no-such-profile-anywhere' is in neither the shared credentials file nor the config file");
        assertThat(h.aws.calls("RunTask")).isEqualTo(before);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int operator = Main.run(
                env(),
                System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "operator",
                "--poll-interval",
                "0s");
        assertThat(operator).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--poll-interval must be at least 1s, not 0s");

        ByteArrayOutputStream queueErr = new ByteArrayOutputStream();
        int queue = Main.run(
                env(),
                System.out,
                new PrintStream(queueErr, true, StandardCharsets.UTF_8),
                "operator",
                "--task-events-queue",
                "iiif-aws-task-events");
        assertThat(queue).isEqualTo(2);
        assertThat(queueErr.toString(StandardCharsets.UTF_8))
                .contains("--task-events-queue must be an SQS queue URL", "not 'iiif-aws-task-events'");
    }

    @Test
    void awsRefusalsAreOneLineRuntimeErrors() {
        h.aws.failNext("RunTask", FaultyAws.Fault.accessDenied("ecs:RunTask"));
        Run denied = run(env(), args(taskFlags(), "a.jpg"));
        assertThat(denied.status()).isEqualTo(1);
        assertThat(denied.err().strip())
                .isEqualTo(
                        "iiif-aws process-ecs: RunTask: AccessDeniedException: User: "
                                + "arn:aws:sts::123456789012:assumed-role/iiif-aws/operator is not authorized to perform: ecs:RunTask");

        h.aws.refuseNextRunTasks("RESOURCE:MEMORY");
        Run refused = run(env(), args(taskFlags(), "a.jpg"));
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err().strip()).isEqualTo("iiif-aws process-ecs: RunTask placed no task: RESOURCE:MEMORY");
    }

    @Test
    void invokeModePrintsTheFunctionsAnswerAndFailsOnAFunctionError() {
        List<String> flags = List.of("-mode", "invoke", "-lambda-dsn", dsn(), "-lambda-func", function);
        Run ok = run(env(), args(flags, "-uri", "avocado.png", "-uri", "toast.jpg"));
        assertThat(ok.status()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("\"key\":\"avocado.png\"", "\"key\":\"toast.jpg\"");

        h.aws.function(
                function, payload -> new FaultyAws.LambdaAnswer("{\"errorMessage\":\"bucket gone\"}", "Unhandled"));
        try {
            Run failed = run(env(), args(flags, "avocado.png"));
            assertThat(failed.status()).isEqualTo(1);
            assertThat(failed.out()).contains("bucket gone");
            assertThat(failed.err()).contains("function " + function + " failed (Unhandled)");
        } finally {
            h.aws.function(function, null);
        }
    }

    List<String> commandOf(String arn) {
        return h.aws.launched().stream()
                .filter(t -> t.arn().equals(arn))
                .findFirst()
                .orElseThrow()
                .command();
    }

    @Test
    void sourceAndManifestListTheirImagesAndSayWhatTheySkipped() {
        String bucket = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        try (var s3 = software.amazon.awssdk.services.s3.S3Client.builder()
                .region(Region.of(OperatorHarness.REGION))
                .endpointOverride(h.moto.endpoint())
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                .build()) {
            s3.createBucket(r -> r.bucket(bucket));
            for (String key : List.of("new/a.jpg", "new/deep/b.TIF", "new/notes.txt", "old/c.jpg")) {
                s3.putObject(
                        r -> r.bucket(bucket).key(key), software.amazon.awssdk.core.sync.RequestBody.fromString("x"));
            }
            s3.putObject(
                    r -> r.bucket(bucket).key("list.txt"),
                    software.amazon.awssdk.core.sync.RequestBody.fromString("a.jpg\n\n-rf.jpg\na.jpg\nplain.jpg\n"));
        }

        Run prefix = run(env(), args(taskFlags(), "-strip-paths=false", "-source", "s3://" + bucket + "/new/"));

        assertThat(prefix.status()).as(prefix.err()).isZero();
        assertThat(prefix.lines()).hasSize(1);
        assertThat(commandOf(prefix.lines().get(0))).endsWith("-uri=a.jpg", "-uri=deep/b.TIF");

        Run manifest = run(env(), args(taskFlags(), "-manifest", "s3://" + bucket + "/list.txt"));

        assertThat(manifest.status()).as(manifest.err()).isZero();
        assertThat(commandOf(manifest.lines().get(0))).endsWith("-uri=a.jpg", "-uri=plain.jpg");
        assertThat(manifest.err())
                .contains(
                        "skipped '-rf.jpg' starts with '-'", "skipped 'a.jpg' is the image of an earlier entry again");

        Run both = run(env(), args(taskFlags(), "-source", "s3://" + bucket + "/new/", "extra.jpg"));
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.err()).contains("give URIs, -source or -manifest: one of them");
        Run empty = run(env(), args(taskFlags(), "-source", "s3://" + bucket + "/none/"));
        assertThat(empty.status()).isEqualTo(2);
        assertThat(empty.err()).contains("holds no image to process");
    }

    @Test
    void theHelpListsEveryFlag() {
        Run help = run(env(), "-h");
        assertThat(help.status()).isZero();
        for (String flag : List.of(
                "-mode",
                "-ecs-dsn",
                "-lambda-dsn",
                "-cluster",
                "-task",
                "-container",
                "-subnet",
                "-security-group",
                "-config",
                "-instructions",
                "-report",
                "-report-name",
                "-strip-paths",
                "-uri",
                "-source",
                "-manifest",
                "-manifest-format",
                "-suffix",
                "-wait",
                "-lambda-func",
                "-lambda-type",
                "-go-iiif-style",
                "-launch-type",
                "-platform-version",
                "-public-ip",
                "-capacity-provider",
                "-tag",
                "-wait-interval",
                "-h")) {
            assertThat(help.out())
                    .as(flag)
                    .containsPattern("(?m)(^|[\\s,\\[])" + java.util.regex.Pattern.quote(flag) + "([=\\[,\\s]|$)");
        }
        assertThat(help.out()).contains("IIIF_PROCESS_<FLAG>", "wins over the variable");
    }

    @Test
    void aPublicIpIsAskedForOnlyWhereEcsAllowsIt() {
        Map<String, String> env = Map.of();
        ProcessEcsOptions fargate = new ProcessEcsOptions();
        ProcessEcsOptions.commandLine(fargate, env)
                .parseArgs("-cluster", "c", "-task", "t:1", "-container", "c", "-subnet", "subnet-1");
        ProcessEcsOptions ec2 = new ProcessEcsOptions();
        ProcessEcsOptions.commandLine(ec2, env)
                .parseArgs(
                        "-cluster",
                        "c",
                        "-task",
                        "t:1",
                        "-container",
                        "c",
                        "-subnet",
                        "subnet-1",
                        "-launch-type",
                        "EC2");
        ProcessEcsOptions chosen = new ProcessEcsOptions();
        ProcessEcsOptions.commandLine(chosen, env)
                .parseArgs(
                        "-cluster", "c", "-task", "t:1", "-container", "c", "-subnet", "subnet-1", "-public-ip=false");

        assertThat(fargate.taskTemplate().assignPublicIp()).isTrue();
        assertThat(ec2.taskTemplate().assignPublicIp()).isFalse();
        assertThat(chosen.taskTemplate().assignPublicIp()).isFalse();
    }
}
