package io.benchline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code benchline} command. */
@Command(name = "benchline", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchline command line: the station agent and the API's deployment management.",
        subcommands = {AgentCommand.class, KeysCommand.class, DeploymentsCommand.class,
                StationCommands.Pin.class, StationCommands.Unpin.class, StationCommands.Unlink.class,
                DeploymentActions.Promote.class, ProcedureCommands.Rollback.class, ProcedureCommands.Resume.class,
                DeploymentActions.Delete.class, DeploymentActions.Rerun.class, LogsCommand.class, HistoryCommand.class,
                ApiKeysCommand.class, LoginCommands.Login.class, LoginCommands.Logout.class,
                LoginCommands.Completion.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Terminal terminal;

    public Main() {
        this(Terminal.system());
    }

    Main(Terminal terminal) {
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return commandLine(Terminal.system());
    }

    /** The command tree; {@code terminal} answers delete's confirmation. */
    static CommandLine commandLine(Terminal terminal) {
        CommandLine root = new CommandLine(new Main(terminal)).setCaseInsensitiveEnumValuesAllowed(true);
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

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
