package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/** {@code benchline keys}: the artifact signing keys. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Artifact signing keys.",
        subcommands = KeysCommand.Fetch.class)
public final class KeysCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Fetch the public signing keys (GET /v2/keys) and write them as the agent's trusted-keys file.")
    static final class Fetch implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Option(names = {"-o", "--output"}, description = "File to write (default: standard output)")
        Path output;

        @Override
        public Integer call() {
            try {
                String body = api.client().get("/v2/keys");
                JsonNode keys = Json.MAPPER.readTree(body);
                if (!keys.path("keys").isArray()) {
                    System.err.println("error: GET /v2/keys did not answer {keys:[...]}: " + ApiClient.abbreviate(body));
                    return 1;
                }
                String pretty = keys.toPrettyString() + System.lineSeparator();
                if (output == null) {
                    System.out.print(pretty);
                } else {
                    Path abs = output.toAbsolutePath();
                    if (abs.getParent() != null) {
                        Files.createDirectories(abs.getParent());
                    }
                    Path tmp = Files.createTempFile(abs.getParent(), ".keys", ".tmp");
                    Files.writeString(tmp, pretty);
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    System.err.println("wrote " + keys.path("keys").size() + " key(s) to " + abs);
                }
                return 0;
            } catch (Exception e) {
                System.err.println("error: " + Log.describe(e));
                return 1;
            }
        }
    }
}
