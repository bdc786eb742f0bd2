package io.iiifaws.cli;

import io.iiifaws.demo.Demo;
import io.iiifaws.demo.MotoServer;
import io.iiifaws.goiiifaws.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs an IiifJob end to end with no cluster and no AWS account: starts the AWS emulator"
                    + " moto_server and an in-process Kubernetes API with the CRD, starts the operator,"
                    + " applies the example job and prints its progress until it finishes.",
            "Needs moto_server on the PATH (" + MotoServer.INSTALL_HINT + ")."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--job",
            paramLabel = "FILE",
            description = "IiifJob manifest to run (Task mode). Default: ./" + Demo.EXAMPLE
                    + " if present, else the copy in the jar.")
    Path job;

    @Option(
            names = "--go-iiif",
            paramLabel = "PATH",
            description =
                    "go-iiif's iiif-process binary, which then runs each ECS task's container command here and processes"
                            + " the example images for real. Default: iiif-process on the PATH, if there is one.")
    Path goIiif;

    @Option(
            names = "--with-broken-image",
            description = "Adds an image go-iiif cannot decode (" + Demo.BROKEN_IMAGE
                    + "), to show a job that go-iiif's reports" + " fail. Needs iiif-process.")
    boolean brokenImage;

    @Option(
            names = "--timeout",
            defaultValue = "120s",
            converter = DurationConverter.class,
            description = "How long to wait for the job. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        if (DemoCommand.class.getResource("/io/iiifaws/demo/Demo.class") == null) {
            System.err.println("iiif-aws demo: this is the operator's jar, which leaves the demo and its emulators out;"
                    + " run the demo from iiif-aws.jar (mvn package builds it)");
            return 2;
        }
        Optional<Path> manifest = Optional.ofNullable(job);
        if (manifest.isEmpty() && java.nio.file.Files.isRegularFile(Path.of(Demo.EXAMPLE))) {
            manifest = Optional.of(Path.of(Demo.EXAMPLE));
        }
        Optional<Path> binary = Optional.ofNullable(goIiif).or(() -> MotoServer.onPath("iiif-process"));
        if (binary.isPresent() && !java.nio.file.Files.isExecutable(binary.get())) {
            System.err.println("iiif-aws demo: --go-iiif " + binary.get() + " is not an executable file");
            return 2;
        }
        if (brokenImage && binary.isEmpty()) {
            System.err.println(
                    "iiif-aws demo: --with-broken-image needs go-iiif's iiif-process (--go-iiif PATH, or on the PATH)");
            return 2;
        }
        // The demo's classes are loaded only here, after the check above.
        return new Demo(System.out, timeout, binary, brokenImage).runOrExplain(manifest);
    }
}
