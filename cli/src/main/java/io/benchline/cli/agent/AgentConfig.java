package io.benchline.cli.agent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one agent.
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
 */
public record AgentConfig(String url, String token, Path trustedKeys, Path workDir, Duration pollInterval,
        String python, Duration refusedRetry, Duration longPollWait) {
    public AgentConfig(String url, String token, Path trustedKeys, Path workDir, Duration pollInterval,
            String python, Duration refusedRetry) {
        this(url, token, trustedKeys, workDir, pollInterval, python, refusedRetry, Duration.ofSeconds(60));
    }
}
