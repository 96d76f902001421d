package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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
    static final class Fetch extends ApiCommand {
        @Option(names = {"-o", "--output"}, description = "File to write (default: standard output)")
        Path output;

        @Override
        int execute(ApiClient client) throws IOException {
            String body = client.get("/v2/keys");
            JsonNode keys = parse(body);
            if (!keys.path("keys").isArray()) {
                err().println("error: GET /v2/keys did not answer {keys:[...]}: " + ApiClient.abbreviate(body));
                return Exit.FAILED;
            }
            String pretty = keys.toPrettyString() + System.lineSeparator();
            if (output == null) {
                out().print(pretty);
            } else {
                Path abs = output.toAbsolutePath();
                if (abs.getParent() != null) {
                    Files.createDirectories(abs.getParent());
                }
                Path tmp = Files.createTempFile(abs.getParent(), ".keys", ".tmp");
                Files.writeString(tmp, pretty);
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                err().println("wrote " + keys.path("keys").size() + " key(s) to " + abs);
            }
            return Exit.OK;
        }
    }
}
