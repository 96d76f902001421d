package io.benchline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code benchline login} and {@code benchline logout}: the URL and API key other commands use by default. */
final class LoginCommands {
    private LoginCommands() {
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = {"Check an API key against a Benchline URL and save both for the other commands (a file only"
                    + " you can read; see --help of any command for the order: flags, BENCHLINE_URL and"
                    + " BENCHLINE_API_KEY, then this file). Without --api-key the key is read from standard input"
                    + " (not echoed on a terminal)."})
    static final class Login implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--url", required = true, description = "Benchline base URL, e.g. https://benchline.example.com")
        String url;

        @Option(names = "--api-key", description = "The API key (default: read from standard input)")
        String apiKey;

        @Option(names = "--json", description = "Print {url, config} as JSON (never the key)")
        boolean json;

        @Override
        public Integer call() {
            try {
                String key = apiKey;
                if (key == null) {
                    key = readKey();
                }
                if (key == null || key.isBlank()) {
                    spec.commandLine().getErr().println("error: no API key given");
                    return Exit.USAGE;
                }
                ApiClient client = new ApiClient(url, key.strip());
                client.get("/v2/deployments?limit=1"); // any viewer may read it: the key works here
                Path file = CliConfig.path(ApiOptions.environment);
                CliConfig.write(file, new CliConfig.Settings(ApiClient.stripTrailingSlashes(url), key.strip()));
                if (json) {
                    spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(java.util.Map.of(
                            "url", ApiClient.stripTrailingSlashes(url), "config", file.toString())));
                } else {
                    spec.commandLine().getOut().println("logged in to " + ApiClient.stripTrailingSlashes(url)
                            + "; saved to " + file);
                }
                return Exit.OK;
            } catch (RequestFailed failed) {
                failed.lines().forEach(spec.commandLine().getErr()::println);
                return failed.exitCode();
            } catch (IOException e) {
                spec.commandLine().getErr().println("error: " + Log.describe(e));
                return Exit.FAILED;
            } finally {
                spec.commandLine().getOut().flush();
                spec.commandLine().getErr().flush();
            }
        }

        private static String readKey() throws IOException {
            if (System.console() != null) {
                char[] typed = System.console().readPassword("API key: ");
                return typed == null ? null : new String(typed);
            }
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true,
            description = "Forget the URL and API key benchline login saved.")
    static final class Logout implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print {config, removed} as JSON")
        boolean json;

        @Override
        public Integer call() throws IOException {
            Path file = CliConfig.path(ApiOptions.environment);
            boolean removed = Files.deleteIfExists(file);
            spec.commandLine().getOut().println(json
                    ? Json.MAPPER.writeValueAsString(java.util.Map.of("config", file.toString(), "removed", removed))
                    : removed ? "logged out (removed " + file + ")" : "not logged in");
            spec.commandLine().getOut().flush();
            return Exit.OK;
        }
    }

    @Command(name = "completion", mixinStandardHelpOptions = true,
            description = {"Print a bash (and zsh) completion script for benchline.",
                    "Install: benchline completion > ~/.local/share/bash-completion/completions/benchline, or"
                            + " source <(benchline completion) in ~/.bashrc (zsh: autoload -U bashcompinit &&"
                            + " bashcompinit first)."})
    static final class Completion implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(picocli.AutoComplete.bash("benchline", spec.root().commandLine()));
            spec.commandLine().getOut().flush();
            return Exit.OK;
        }
    }
}
