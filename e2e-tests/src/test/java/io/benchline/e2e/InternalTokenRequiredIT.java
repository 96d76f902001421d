package io.benchline.e2e;

import io.benchline.stack.LocalStack;
import io.benchline.stack.Ports;
import io.benchline.stack.PostgresServer;
import io.benchline.stack.ProcessSupervisor;
import io.benchline.stack.ServiceEnvironment;
import io.benchline.stack.StackLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every packaged service, run as in production (the prod profile), refuses to start without a usable internal
 * token: it exits with status 1 after one ERROR line naming the key and its environment variable, and never opens
 * its HTTP port. (station-dispatcher used to start with {@code change-me}.) The services get a real database,
 * because Flyway migrates before the check runs; everything else they need points nowhere.
 */
class InternalTokenRequiredIT {
    private static final StackLayout LAYOUT = StackLayout.detect();
    private static Path work;
    private static PostgresServer postgres;
    private static ProcessSupervisor supervisor;

    @BeforeAll
    static void startDatabase() throws Exception {
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "token-");
        postgres = PostgresServer.start(work.resolve("postgres"), Ports.free());
        LocalStack.DATABASES.values().forEach(postgres::createDatabase);
        supervisor = new ProcessSupervisor(work.resolve("run"));
    }

    @AfterAll
    static void stop() {
        if (supervisor != null) {
            supervisor.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyServiceRefusesToStartWithoutAToken() throws Exception {
        // Every service that shares the internal token (the dashboard, a client of the public API, has none).
        for (String service : LocalStack.SERVICES) {
            if (!ServiceEnvironment.required(service).contains("BENCHLINE_AUTH_INTERNAL_TOKEN")) {
                continue;
            }
            String log = runUntilExit(service, null);
            assertThat(log).as(service).contains("benchline.auth.internal-token is not set: set "
                    + "BENCHLINE_AUTH_INTERNAL_TOKEN to a random secret of at least 16 characters");
        }
    }

    @Test
    void stationDispatcherRefusesThePlaceholderItUsedToDefaultTo() throws Exception {
        String log = runUntilExit("station-dispatcher", "change-me");
        assertThat(log).contains("benchline.auth.internal-token is the placeholder \"change-me\": set "
                + "BENCHLINE_AUTH_INTERNAL_TOKEN");
    }

    /** Starts the service's packaged jar with everything it needs but a usable token; returns its log. */
    private static String runUntilExit(String service, String token) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String name : ServiceEnvironment.required(service)) {
            env.put(name, name.endsWith("_URL") || name.endsWith("_ENDPOINT") ? "http://127.0.0.1:9" : "unused");
        }
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9");
        env.remove("BENCHLINE_AUTH_INTERNAL_TOKEN");
        if (token != null) {
            env.put("BENCHLINE_AUTH_INTERNAL_TOKEN", token);
        }
        String database = LocalStack.DATABASES.get(service);
        if (database != null) {
            env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(database));
            env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(database));
            env.put("QUARKUS_DATASOURCE_USERNAME", PostgresServer.USER);
            env.put("QUARKUS_DATASOURCE_PASSWORD", PostgresServer.PASSWORD);
        }
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", "0");
        Path log = work.resolve(service + (token == null ? "-no-token" : "-placeholder") + ".log");
        ProcessSupervisor.Child child = supervisor.startJava(service, List.of("-Xmx256m", "-XX:+UseSerialGC"),
                LAYOUT.quarkusRunJar(service).toString(), "io.quarkus.bootstrap.runner.QuarkusEntryPoint", List.of(),
                env, log);
        try {
            // A guard against hanging, not a timing claim: the refusal comes after Flyway, within seconds.
            assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).as("%s exits", service).isTrue();
            String output = Files.readString(log);
            assertThat(child.process().exitValue()).as("exit status of %s; its log:%n%s", service, output).isEqualTo(1);
            // Log lines are "<date> <time> LEVEL [category] (thread) message".
            assertThat(output.lines().filter(line -> line.matches("\\d{4}-\\d\\d-\\d\\d \\S+ ERROR .*")))
                    .as("ERROR lines of %s", service).singleElement().asString()
                    .contains("[io.benchline.startup.InternalTokenCheck]");
            assertThat(output).as(service).doesNotContain("Listening on");
            return output;
        } finally {
            supervisor.stop(child);
        }
    }
}
