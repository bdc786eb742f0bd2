package io.iiifaws.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The iiif-aws command line: one jar, several programs. */
@Command(
    name = "iiif-aws",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Runs go-iiif image processing on AWS ECS and Lambda.",
    subcommands = {OperatorCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: operator, demo, or help");
  }
}
