package io.benchline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code benchline} command. */
@Command(name = "benchline", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchline command line: the station agent and API helpers.",
        subcommands = {AgentCommand.class, KeysCommand.class, DeploymentsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
