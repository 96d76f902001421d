package io.benchline.cli;

import io.benchline.cli.agent.AgentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunIdsAndDurationsTest {
    @TempDir
    Path dir;

    @Test
    void durations() {
        assertThat(DurationConverter.parse("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("PT3S")).isEqualTo(Duration.ofSeconds(3));
        assertThat(DurationConverter.parse("7")).isEqualTo(Duration.ofSeconds(7));
        assertThatThrownBy(() -> DurationConverter.parse("soon")).isInstanceOf(CommandLine.TypeConversionException.class);
        assertThatThrownBy(() -> DurationConverter.parse("0s")).isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void runIdsHaveTheDispatcherShape() {
        String id = io.benchline.cli.agent.RunIds.next();
        assertThat(id).matches("^run_[0-9a-z]{26}$");
        assertThat(io.benchline.cli.agent.RunIds.next()).isNotEqualTo(id);
    }

    @Test
    void agentCommandHasTheFlagsTheLocalStackUses() {
        CommandLine cli = Main.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs("agent", "--url", "http://127.0.0.1:8080", "--token", "t",
                "--trusted-keys", "k.json", "--work-dir", "w", "--poll-interval", "1s");
        AgentCommand agent = parsed.subcommand().commandSpec().commandLine().getCommand();
        assertThat(agent.pollInterval).isEqualTo(Duration.ofSeconds(1));
        assertThat(agent.python).isEqualTo("python3");
        assertThat(agent.url).isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void helpAndVersionWork() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("agent", "keys", "deployments");
        assertThat(cli.execute("--version")).isZero();
        assertThat(out.toString()).contains("benchline ");
    }

    @Test
    void missingRequiredFlagIsAUsageError() {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute("agent", "--url", "http://x")).isEqualTo(2);
    }

    @Test
    void corruptStateFileIsSetAsideNotFatal() throws Exception {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "{not json");
        AgentState state = AgentState.load(file);
        assertThat(state.active("prc_x")).isNull();
        state.activate("prc_x", "dep_y", 3);
        state.save();
        assertThat(AgentState.load(file).active("prc_x").pointerVersion()).isEqualTo(3);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("state.json.corrupt-"));
        }
    }
}
