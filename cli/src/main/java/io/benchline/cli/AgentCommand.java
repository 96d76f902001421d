package io.benchline.cli;

import io.benchline.cli.agent.Agent;
import io.benchline.cli.agent.AgentConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code benchline agent}: the station agent. Runs until SIGTERM / Ctrl-C. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the station agent: poll the dispatcher, install signed deployments, execute runs.",
                "Stops cleanly on SIGTERM or Ctrl-C."})
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--url", required = true, description = "Benchline base URL (gateway), e.g. http://127.0.0.1:8080")
    String url;

    @Option(names = "--token", required = true, description = "The station's agent token")
    String token;

    @Option(names = "--trusted-keys",
            description = {"Also trust these signing keys: JSON as GET /v2/keys prints it (see 'benchline keys fetch');"
                    + " re-read when it changes. Without it the agent trusts the keys of its organization it fetches"
                    + " from the dispatcher (GET /agent/v1/keys)."})
    Path trustedKeys;

    @Option(names = "--keys-refresh", defaultValue = "5m", converter = DurationConverter.class,
            description = "How often the organization's signing keys are fetched again (with their ETag); an"
                    + " artifact naming an unknown key fetches them at once. 0: never fetch, trust only"
                    + " --trusted-keys (default: ${DEFAULT-VALUE})")
    Duration keysRefresh;

    @Option(names = "--work-dir", required = true,
            description = "Working directory: state.json, procedures/, runs/ (created if missing)")
    Path workDir;

    @Option(names = "--poll-interval", defaultValue = "2s", converter = DurationConverter.class,
            description = "Pause between polls, e.g. 500ms, 2s, 1m (default: ${DEFAULT-VALUE})")
    Duration pollInterval;

    @Option(names = "--long-poll", defaultValue = "60s", converter = DurationConverter.class,
            description = "Push channel: how long one request waits for a change (an idle station sends one request"
                    + " per wait); 0 turns it off and polls every --poll-interval (default: ${DEFAULT-VALUE})")
    Duration longPoll;

    @Option(names = "--python", defaultValue = "python3",
            description = "Python interpreter that runs entry points (default: ${DEFAULT-VALUE})")
    String python;

    @Option(names = "--runner",
            description = "Command that runs TofuPilot-format procedures, split at spaces; the procedure (as JSON)"
                    + " and the results file are appended (default: the built-in runner, run by --python)")
    String runner;

    @Option(names = "--retry-refused", defaultValue = "30s", converter = DurationConverter.class,
            description = "First pause before retrying an artifact that failed verification or download;"
                    + " doubles per failure up to 32x (default: ${DEFAULT-VALUE})")
    Duration retryRefused;

    @Option(names = "--debug", description = "Log more (repeated errors, details)")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        Log.setDebug(debug);
        if (trustedKeys == null && keysRefresh.isZero()) {
            System.err.println("error: --keys-refresh 0 needs --trusted-keys: the agent would trust no key");
            return 2;
        }
        if (trustedKeys != null && !Files.isReadable(trustedKeys)) {
            System.err.println("error: trusted keys file " + trustedKeys + " cannot be read"
                    + " (create it with: benchline keys fetch --url URL --api-key KEY --output FILE)");
            return 2;
        }
        Agent agent;
        try {
            agent = new Agent(new AgentConfig(url, token, trustedKeys, workDir, pollInterval, python, retryRefused,
                    longPoll, keysRefresh, runner == null || runner.isBlank() ? java.util.List.of()
                    : java.util.List.of(runner.strip().split("\\s+"))));
        } catch (Exception e) {
            System.err.println("error: cannot start the agent: " + Log.describe(e));
            return 2;
        }
        Thread hook = new Thread(() -> {
            agent.stop();
            try {
                agent.awaitStopped(Duration.ofSeconds(25));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        agent.run();
        return 0;
    }
}
