package io.benchline.cli.agent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one agent. {@code trustedKeys} may be null: the agent then trusts only the keys it fetches.
 *
 * @param url           Benchline base URL (the gateway); the agent channel is under {@code /agent/v1}
 * @param token         the station's agent token
 * @param trustedKeys   file shaped like {@code GET /v2/keys}
 * @param workDir       where state, deployments and run logs live
 * @param pollInterval  pause between polls
 * @param python        the interpreter that runs entry points
 * @param refusedRetry  first pause before retrying an artifact that failed (doubles up to 32 times this)
 * @param longPollWait  how long one push-channel request is held when nothing changes; zero turns the push
 *                      channel off (plain polling every {@code pollInterval})
 * @param keysRefresh   how often the organization's signing keys are fetched again ({@code GET /agent/v1/keys},
 *                      with the ETag, so an unchanged list costs a 304); also fetched at once when an artifact names
 *                      an unknown key. Zero: never fetched, only the file counts
 * @param runnerCommand the command that runs TofuPilot-format procedures (the procedure JSON's and the results file's
 *                      paths are appended); empty: the built-in runner
 */
public record AgentConfig(String url, String token, Path trustedKeys, Path workDir, Duration pollInterval,
        String python, Duration refusedRetry, Duration longPollWait, Duration keysRefresh,
        java.util.List<String> runnerCommand) {
    public static final Duration DEFAULT_KEYS_REFRESH = Duration.ofMinutes(5);

    public AgentConfig {
        runnerCommand = runnerCommand == null ? java.util.List.of() : java.util.List.copyOf(runnerCommand);
    }

    public AgentConfig(String url, String token, Path trustedKeys, Path workDir, Duration pollInterval,
            String python, Duration refusedRetry, Duration longPollWait, Duration keysRefresh) {
        this(url, token, trustedKeys, workDir, pollInterval, python, refusedRetry, longPollWait, keysRefresh,
                java.util.List.of());
    }

    public AgentConfig(String url, String token, Path trustedKeys, Path workDir, Duration pollInterval,
            String python, Duration refusedRetry, Duration longPollWait) {
        this(url, token, trustedKeys, workDir, pollInterval, python, refusedRetry, longPollWait,
                DEFAULT_KEYS_REFRESH);
    }

    public AgentConfig(String url, String token, Path trustedKeys, Path workDir, Duration pollInterval,
            String python, Duration refusedRetry) {
        this(url, token, trustedKeys, workDir, pollInterval, python, refusedRetry, Duration.ofSeconds(60));
    }
}
