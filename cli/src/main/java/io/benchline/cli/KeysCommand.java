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
        subcommands = {KeysCommand.Fetch.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class})
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

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the organization's signing keys, active and retired.", "GET /v2/keys."})
    static final class ListKeys extends ApiCommand.WithJson {
        @Override
        int execute(ApiClient client) throws IOException {
            return show(client.get("/v2/keys"), (answer, out) -> {
                Table table = new Table("ID", "STATUS", "CREATED", "ACTIVATED", "RETIRED");
                for (JsonNode k : answer.path("keys")) {
                    table.row(k.path("id").asText(k.path("key_id").asText()), k.path("status").asText(null),
                            k.path("created_at").asText(null), k.path("activated_at").asText(null),
                            k.path("retired_at").isNull() ? null : k.path("retired_at").asText(null));
                }
                if (table.size() == 0) {
                    out.println("no signing keys yet (the first upload of the organization creates one)");
                } else {
                    out.print(table);
                }
            });
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Make a new signing key active; the old one is retired but still listed, so what it signed"
                    + " keeps verifying. Agents pick the new key up without a restart. Needs an admin key.",
                    "POST /v2/keys/rotate."})
    static final class Rotate extends ApiCommand.WithJson {
        @Override
        int execute(ApiClient client) throws IOException {
            return show(client.post("/v2/keys/rotate", null),
                    (key, out) -> out.println("signing key " + key.path("id").asText("?") + " is active now"));
        }
    }
}
