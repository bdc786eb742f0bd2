package io.iiifaws.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.TaskOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged jar and scripts, run as separate processes the way users run them. */
class PackagedJarIT {
    static final Path JAR = Path.of(System.getProperty("iiifaws.jar", "target/iiif-aws.jar"));

    record Run(int status, String out, String err) {}

    static Run run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("out", ".txt");
        Path err = Files.createTempFile("err", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Run(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The demo's environment: the tests' PATH without any go-iiif on it. */
    static Map<String, String> demoEnvironment() {
        String path = java.util.Arrays.stream(
                        System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .filter(dir -> !dir.isEmpty() && !Files.isExecutable(Path.of(dir, "iiif-process")))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        return Map.of("PATH", path);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void theQuickStartDemoRunsTheExampleJobToSuccess() throws Exception {
        Run demo = run(demoEnvironment(), java(), "-jar", JAR.toString(), "demo");

        assertThat(demo.status()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out())
                .contains("examples/iiifjob.yaml")
                .containsPattern(
                        "Running +0/1 +task [0-9a-f]{8}… (launched|RUNNING|DEACTIVATING|STOPPING|DEPROVISIONING)")
                .containsPattern("Succeeded +1/1 +task [0-9a-f]{8}… STOPPED exit 0")
                .contains("Complete (CompletionsReached): All 1 batch (2 URIs) succeeded; 2 images were not checked")
                .contains("No image was processed: without an iiif-process binary")
                .contains("The job succeeded.");
    }

    @Test
    void withAGoIiifTheDemoProcessesTheImagesAndShowsAFailedOne(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // A local iiif-process that does what go-iiif does, as far as iiif-aws sees it.
        Path fake = dir.resolve("iiif-process");
        Files.writeString(
                fake,
                "#!/bin/sh\nexec '" + java() + "' -cp '" + System.getProperty("java.class.path")
                        + "' io.iiifaws.testing.FakeIiifProcess \"$@\"\n");
        fake.toFile().setExecutable(true);

        Run good = run(demoEnvironment(), java(), "-jar", JAR.toString(), "demo", "--go-iiif", fake.toString());
        assertThat(good.status()).as(good.out() + good.err()).isZero();
        assertThat(good.out())
                .contains("go-iiif     " + fake + " runs each task's container command here")
                .contains(
                        "-report -report-template process_{sha256_origin}.json -- file:///avocado.png?target=%2Favocado.png")
                .contains("Complete (CompletionsReached): All 1 batch (2 URIs) succeeded; go-iiif processed 2 images")
                .contains(
                        "Derivatives in s3://iiif-demo-derivatives/ (2):",
                        "iiif/avocado.png/full/full/-1/color.jpg",
                        "iiif/collection/IMG_0084.JPG/full/full/-1/color.jpg");

        Run broken = run(
                demoEnvironment(),
                java(),
                "-jar",
                JAR.toString(),
                "demo",
                "--go-iiif",
                fake.toString(),
                "--with-broken-image");
        assertThat(broken.status()).as(broken.out() + broken.err()).isEqualTo(1);
        assertThat(broken.out())
                .contains(
                        "Failed (ImagesFailed): 1 image failed, more than spec.process.maxFailedImages (0): broken.jpg"
                                + " (go-iiif derived nothing from it)")
                .contains("Warning ImagesFailed:")
                .contains("go-iiif's errors in task", "ERROR Failed to process file:///broken.jpg?target=%2Fbroken.jpg")
                .contains("The job failed.");
    }

    @Test
    void theDemoSaysHowToInstallTheEmulatorWhenItIsMissing() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(java(), "-jar", JAR.toString(), "demo");
        builder.environment()
                .put("PATH", Files.createTempDirectory("empty-path").toString());
        builder.environment().remove("MOTO_SERVER");
        Path err = Files.createTempFile("err", ".txt");
        Process process = builder.redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(Files.readString(err))
                .isEqualTo("iiif-aws demo: moto_server (the AWS emulator) is not on the PATH;"
                        + " install it with: python3 -m pip install 'moto[server]==5.2.1'\n");
    }

    @Test
    void theCommandListsItsSubcommands() throws Exception {
        Run help = run(Map.of(), "java", "-jar", JAR.toString(), "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("operator", "demo", "process-ecs");
    }

    @Test
    void theIiifProcessEcsScriptRunsATaskWithEnvCredentialsAndWaitsForItsExitCode() throws Exception {
        try (OperatorHarness h = new OperatorHarness()) {
            h.aws.outcomes(task -> TaskOutcome.exit(4));
            h.aws.stopAtOnce(true);
            Map<String, String> env = Map.of(
                    "IIIF_AWS_JAR", JAR.toAbsolutePath().toString(),
                    "AWS_ENDPOINT_URL", h.aws.endpoint().toString(),
                    "AWS_ACCESS_KEY_ID", "test",
                    "AWS_SECRET_ACCESS_KEY", "test",
                    "IIIF_PROCESS_SUBNET", h.network.subnet(),
                    "IIIF_PROCESS_SECURITY_GROUP", h.network.securityGroup());
            List<String> command = new ArrayList<>(List.of(
                    "bin/iiif-process-ecs",
                    "-ecs-dsn",
                    "region=us-east-1 credentials=env:",
                    "-cluster",
                    h.cluster,
                    "-task",
                    h.taskDefinition,
                    "-container",
                    OperatorHarness.CONTAINER,
                    "-wait",
                    "-wait-interval",
                    "1s",
                    "-uri",
                    "IMG_0084.JPG"));

            Run run = run(env, command.toArray(String[]::new));

            assertThat(run.status()).as(run.err()).isEqualTo(4);
            assertThat(run.out().strip()).startsWith("arn:aws:ecs:us-east-1:").contains(":task/" + h.cluster + "/");
            assertThat(run.err()).contains("container iiif exited 4");
            assertThat(h.aws.launched()).singleElement().satisfies(t -> assertThat(t.command())
                    .endsWith("-uri=IMG_0084.JPG"));
        }
    }
}
