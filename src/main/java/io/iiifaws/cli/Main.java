package io.iiifaws.cli;

import io.iiifaws.goiiifaws.ProcessEcsOptions;
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
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return run(System.getenv(), System.out, System.err, args);
    }

    /** Runs a command line; process-ecs takes Go's double-dash flags too. */
    public static int run(
            java.util.Map<String, String> env, java.io.PrintStream out, java.io.PrintStream err, String... args) {
        CommandLine main = commandLine(env, out, err);
        if (args.length > 0 && args[0].equals("process-ecs")) {
            CommandLine processEcs = main.getSubcommands().get("process-ecs");
            String[] rest = ProcessEcsOptions.singleDash(
                    processEcs.getCommandSpec(), java.util.Arrays.copyOfRange(args, 1, args.length));
            String[] all = new String[rest.length + 1];
            all[0] = args[0];
            System.arraycopy(rest, 0, all, 1, rest.length);
            return main.execute(all);
        }
        return main.execute(args);
    }

    /** The whole command line; errors are one line on stderr, never a stack trace. */
    public static CommandLine commandLine(
            java.util.Map<String, String> env, java.io.PrintStream out, java.io.PrintStream err) {
        CommandLine main = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        main.addSubcommand("process-ecs", ProcessEcsCommand.commandLine(env, out, err));
        main.setOut(new java.io.PrintWriter(out, true));
        main.setErr(new java.io.PrintWriter(err, true));
        main.setParameterExceptionHandler((e, args) -> {
            String name = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println(name + ": " + e.getMessage() + " (try " + name + " -h)");
            return CommandLine.ExitCode.USAGE;
        });
        main.setExecutionExceptionHandler((e, command, parsed) -> {
            String message = io.iiifaws.aws.AwsErrors.message(e);
            err.println(command.getCommandSpec().qualifiedName() + ": " + message);
            return CommandLine.ExitCode.SOFTWARE;
        });
        return main;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name a command: operator, demo, process-ecs or help");
    }
}
