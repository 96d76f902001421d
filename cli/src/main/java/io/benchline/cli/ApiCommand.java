package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command that calls the REST API: {@code --url} and {@code --api-key}, one {@link ApiClient}, and failures
 * turned into a message on standard error and an {@link Exit} code in one place.
 */
abstract class ApiCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    /** Calls the API and prints the result; answers the exit code. */
    abstract int execute(ApiClient client) throws IOException;

    /** Whether the command prints the server's JSON as is (problem JSON too, when a request fails). */
    boolean json() {
        return false;
    }

    @Override
    public final Integer call() {
        try {
            return execute(api.client());
        } catch (CliConfig.Unconfigured | UsageError usage) {
            err().println("error: " + usage.getMessage());
            return Exit.USAGE;
        } catch (RequestFailed failed) {
            if (json() && failed.problem() != null) {
                printJson(failed.body());
            }
            failed.lines().forEach(err()::println);
            return failed.exitCode();
        } catch (IOException e) {
            err().println("error: " + Log.describe(e));
            return Exit.FAILED;
        } finally {
            out().flush();
            err().flush();
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The body unchanged, ending with one line break; nothing for an empty body (204). */
    void printJson(String body) {
        if (body == null || body.isEmpty()) {
            return;
        }
        out().print(body);
        if (!body.endsWith("\n")) {
            out().println();
        }
    }

    static JsonNode parse(String body) throws IOException {
        return body == null || body.isBlank() ? Json.MAPPER.missingNode() : Json.MAPPER.readTree(body);
    }

    /** A command with {@code --json}: the server's JSON as is instead of the human text. */
    abstract static class WithJson extends ApiCommand {
        @Option(names = "--json", description = "Print the server's JSON answer as is (on failure its problem JSON"
                + " too; the message still goes to standard error)")
        boolean json;

        @Override
        boolean json() {
            return json;
        }

        /** With {@code --json} the body as is, else {@code human} of the parsed body on standard output. */
        int show(String body, Human human) throws IOException {
            if (json) {
                printJson(body);
            } else {
                human.print(parse(body), out());
            }
            return Exit.OK;
        }
    }

    @FunctionalInterface
    interface Human {
        void print(JsonNode answer, PrintWriter out);
    }
}
