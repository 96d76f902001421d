package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.Locale;

import static io.benchline.cli.ApiClient.segment;
import static io.benchline.cli.Fields.actor;
import static io.benchline.cli.Fields.text;

/** {@code benchline api-keys}: the organization's API keys (admin only). */
@Command(name = "api-keys", mixinStandardHelpOptions = true,
        description = "API keys of your organization: create, list, revoke (needs an admin key).",
        subcommands = {ApiKeysCommand.Create.class, ApiKeysCommand.ListKeys.class, ApiKeysCommand.Revoke.class})
final class ApiKeysCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** What a key may do: admin everything, member deploy/pin/link/run, viewer read only (the wire names). */
    enum Role { admin, member, viewer }

    static final String SECRET_WARNING = "warning: the secret is shown only this once; store it now, it cannot be"
            + " shown again";

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create an API key; its secret is printed once and never again.", "POST /v2/api-keys."})
    static final class Create extends ApiCommand.WithJson {
        @Option(names = "--name", required = true, description = "A name people recognize the key by")
        String name;

        @Option(names = "--role", required = true,
                description = "admin (everything), member (deploy, pin, link, run) or viewer (read only)")
        Role role;

        @Override
        int execute(ApiClient client) throws IOException {
            String body = client.post("/v2/api-keys",
                    new Requests.NewApiKey(name, role.name().toLowerCase(Locale.ROOT)));
            int exit = show(body, (key, out) -> {
                out.println("created API key " + text(key, "id", "?") + " \"" + text(key, "name", name)
                        + "\" with role " + text(key, "role", role.name()));
                out.println("secret: " + text(key, "secret", "(none in the answer)"));
            });
            err().println(SECRET_WARNING);
            return exit;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the organization's API keys (never their secrets).", "GET /v2/api-keys."})
    static final class ListKeys extends ApiCommand.WithJson {
        @Override
        int execute(ApiClient client) throws IOException {
            return show(client.get("/v2/api-keys"), (page, out) -> {
                Table table = new Table("ID", "NAME", "ROLE", "CREATED", "CREATED BY", "REVOKED");
                for (JsonNode k : page.path("data")) {
                    JsonNode by = k.path("created_by");
                    table.row(text(k, "id", null), text(k, "name", null), text(k, "role", null),
                            text(k, "created_at", null), by.isValueNode() ? text(k, "created_by", null)
                                    : actor(by, null), text(k, "revoked_at", null));
                }
                if (table.size() == 0) {
                    out.println("no API keys");
                } else {
                    out.print(table);
                }
            });
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke an API key: every service refuses it within seconds.", "DELETE /v2/api-keys/{id}."})
    static final class Revoke extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "KEY_ID", description = "The key's id")
        String keyId;

        @Override
        int execute(ApiClient client) throws IOException {
            return show(client.delete("/v2/api-keys/" + segment(keyId)),
                    (answer, out) -> out.println("revoked API key " + keyId));
        }
    }
}
