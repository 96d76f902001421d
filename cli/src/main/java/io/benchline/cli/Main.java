package io.benchline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.function.Supplier;

/** The {@code benchline} command. */
@Command(name = "benchline", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchline command line: the station agent and the API's deployment management.",
        subcommands = {AgentCommand.class, KeysCommand.class, DeploymentsCommand.class,
                StationCommands.Pin.class, StationCommands.Unpin.class, StationCommands.Unlink.class,
                StationCommands.Station.class,
                DeploymentActions.Promote.class, ProcedureCommands.Rollback.class, ProcedureCommands.Resume.class,
                ProcedureCommands.StationSettings.class,
                DeploymentActions.Delete.class, DeploymentActions.Rerun.class, LogsCommand.class,
                DeployCommand.class, DevCommand.class, HistoryCommand.class, RolloutCommands.class,
                ApiKeysCommand.class, LoginCommands.Login.class, LoginCommands.Logout.class,
                LoginCommands.Completion.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Terminal terminal;
    private final Supplier<Pause> pauses;

    public Main() {
        this(Terminal.system(), Pause::system);
    }

    Main(Terminal terminal, Supplier<Pause> pauses) {
        this.terminal = terminal;
        this.pauses = pauses;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return commandLine(Terminal.system());
    }

    /** The command tree; {@code terminal} answers the confirmations. */
    static CommandLine commandLine(Terminal terminal) {
        return commandLine(terminal, Pause::system);
    }

    /** The command tree; {@code pauses} gives each long-running command its waits and its stop. */
    static CommandLine commandLine(Terminal terminal, Supplier<Pause> pauses) {
        CommandLine root = new CommandLine(new Main(terminal, pauses)).setCaseInsensitiveEnumValuesAllowed(true);
        withExitCodes(root);
        return root;
    }

    /** "Exit codes:" in the help of the root and of every command that calls the API. */
    private static void withExitCodes(CommandLine command) {
        Object user = command.getCommand();
        if (user instanceof Main || user instanceof ApiCommand) {
            command.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n")
                    .exitCodeList(Exit.DESCRIPTIONS);
        }
        command.getSubcommands().values().forEach(Main::withExitCodes);
    }

    Terminal terminal() {
        return terminal;
    }

    /** A fresh pause for one run of a command. */
    Pause pause() {
        return pauses.get();
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
