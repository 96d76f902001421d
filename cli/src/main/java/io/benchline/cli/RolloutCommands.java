package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.benchline.cli.ApiClient.segment;

/**
 * {@code benchline rollout}: a deployment reaching a procedure's stations in stages (station-dispatcher's
 * {@code /v2/rollouts}): create one, watch it, move it on by hand, pause, resume, abort or complete it.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Staged rollouts: a deployment reaches a procedure's stations a few at a time.",
        subcommands = {RolloutCommands.Create.class, RolloutCommands.Status.class, RolloutCommands.ListRollouts.class,
                RolloutCommands.Stations.class, RolloutCommands.Advance.class, RolloutCommands.PauseRollout.class, RolloutCommands.Resume.class,
                RolloutCommands.Abort.class, RolloutCommands.Complete.class})
final class RolloutCommands implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    Main main;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Start a rollout of a deployment to its procedure's stations, stage by stage: --stage N is"
                    + " N stations, --stage N%% that percent of them (12.5%% too); the last stage usually is 100%%."
                    + " Refused (exit 4) while the procedure has an active rollout.", "POST /v2/rollouts."})
    static final class Create extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "DEPLOYMENT_ID", description = "The deployment to roll out")
        String deploymentId;

        @Option(names = "--stage", required = true, paramLabel = "N|N%", converter = StageConverter.class,
                description = "A stage, in order (repeat): a station count or a percent of the stations")
        List<Requests.RolloutStage> stages;

        @Option(names = "--wait", paramLabel = "DURATION", converter = WaitConverter.class,
                description = "Each stage but the last advances by itself after this wait (e.g. 10m, 1h);"
                        + " without it every stage is advanced by hand; with a gate the gate decides instead")
        String wait;

        @Option(names = "--canary", paramLabel = "STATION_ID",
                description = "A station to be among the first stage's (repeat for several)")
        List<String> canaries = new ArrayList<>();

        @Option(names = "--note", description = "Why, for the history")
        String note;

        @Option(names = "--gate", description = "A health gate on every stage but the last, with the server's"
                + " defaults for what the --gate-* options leave out: the stage advances when the canary (runs on"
                + " the new deployment) is not worse than the base (runs on the one its stations came from), aborts"
                + " the rollout when it is, and needs attention when there are too few runs by the timeout")
        boolean gate;

        @Option(names = "--gate-min-runs", paramLabel = "N", converter = MinRunsConverter.class,
                description = "Runs the gate needs on canary and base each (from 1; server default 20); implies"
                        + " --gate")
        Integer gateMinRuns;

        @Option(names = "--gate-min-wait", paramLabel = "DURATION", converter = WaitConverter.class,
                description = "How long a stage runs before the gate decides (server default 5m); implies --gate")
        String gateMinWait;

        @Option(names = "--gate-timeout", paramLabel = "DURATION", converter = WaitConverter.class,
                description = "Too few runs this long after a stage started: the rollout needs attention (server"
                        + " default 1h); implies --gate")
        String gateTimeout;

        @Option(names = "--gate-confidence", paramLabel = "P", converter = ConfidenceConverter.class,
                description = "How sure the gate must be that the canary is worse, from 0.5 to 0.9999 (server"
                        + " default 0.95); implies --gate")
        BigDecimal gateConfidence;

        @Option(names = "--gate-duration-tolerance", paramLabel = "FRACTION", converter = ToleranceConverter.class,
                description = "How much slower on average the canary's runs may be than the base's, as a fraction"
                        + " above 0 and at most 10 (server default 0.5: up to 50%% slower); slower than that at the"
                        + " gate's confidence aborts; implies --gate")
        BigDecimal gateDurationTolerance;

        @Override
        int execute(ApiClient client) throws IOException {
            List<String> canaryIds = canaries.isEmpty() ? null : new ArrayList<>(new LinkedHashSet<>(canaries));
            String body = client.post("/v2/rollouts",
                    new Requests.NewRollout(deploymentId, stages, wait, canaryIds, note, gate()));
            return show(body, (r, out) -> {
                out.println("created rollout " + Fields.text(r, "id", "?"));
                out.print(RolloutView.block(r));
            });
        }

        /** The gate asked for: null without --gate and any --gate-* option. */
        private Requests.RolloutGate gate() {
            if (!gate && gateMinRuns == null && gateMinWait == null && gateTimeout == null && gateConfidence == null
                    && gateDurationTolerance == null) {
                return null;
            }
            if (gateMinWait != null && gateTimeout != null
                    && DurationConverter.parse(gateTimeout).compareTo(DurationConverter.parse(gateMinWait)) < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--gate-timeout (" + gateTimeout
                        + ") must not be shorter than --gate-min-wait (" + gateMinWait + ")");
            }
            return new Requests.RolloutGate(gateMinRuns, gateMinWait, gateTimeout, gateConfidence,
                    gateDurationTolerance);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show a rollout: its deployments, state, current stage, next automatic advance, its health"
                    + " gate and the gate's verdict (canary against base), its stages (target; moved and active"
                    + " stations up to the stage; the stage's own stations and how many of them have the deployment"
                    + " desired, staged and actual) and its last history entries. With --follow, read it again every 2 s"
                    + " and show each change until it ends: exit 0 when it completed, 1 when it was aborted or"
                    + " superseded or when it needs attention (the gate had too few runs by its timeout).",
                    "GET /v2/rollouts/{id}."})
    static final class Status extends ApiCommand.WithJson {
        /** Failed reads in a row that --follow rides out (server errors, no answer) before it gives up. */
        static final int RETRIES = 10;

        @ParentCommand
        RolloutCommands rollout;

        @Parameters(index = "0", paramLabel = "ROLLOUT_ID", description = "The rollout")
        String rolloutId;

        @Option(names = {"-f", "--follow"}, description = "Show every change until the rollout ends or needs"
                + " attention (with --json: one JSON object per change, one per line)")
        boolean follow;

        @Option(names = "--interval", hidden = true, defaultValue = "2s", converter = DurationConverter.class,
                description = "Time between reads with --follow")
        Duration interval;

        @Override
        int execute(ApiClient client) throws IOException {
            String path = "/v2/rollouts/" + segment(rolloutId);
            if (!follow) {
                return show(client.get(path), (r, out) -> out.print(RolloutView.block(r)));
            }
            return follow(client, path, rollout.main.pause(), rollout.main.terminal().interactive());
        }

        /** Reads the rollout until it is in a final state, printing it whenever what is shown changed. */
        private int follow(ApiClient client, String path, Pause pause, boolean redraw) throws IOException {
            Object last = null;
            String shown = null;
            int shownLines = 0;
            int failures = 0;
            while (true) {
                String body;
                try {
                    body = client.get(path);
                    failures = 0;
                } catch (IOException e) {
                    // The first read fails as any command does (an unknown id is exit 3); later ones ride out a blip.
                    if (shown == null || !worthRetrying(e) || ++failures > RETRIES) {
                        throw e;
                    }
                    err().println("error: " + Log.describe(e) + "; reading the rollout again");
                    err().flush();
                    if (pause.sleep(interval)) {
                        return Exit.FAILED;
                    }
                    continue;
                }
                JsonNode r = parse(body);
                String view = json ? oneLine(body, r) : RolloutView.block(r);
                // A change is one in what is printed: the JSON, or the text (the fields it does not show do not count).
                Object now = json ? r : view;
                if (!now.equals(last)) {
                    last = now;
                    if (json) {
                        out().println(view);
                    } else if (shown != null && redraw) {
                        // Up over the last block, then clear to the end of the screen; lines wider than the
                        // terminal wrap and are not counted, which leaves a remnant above at worst.
                        out().print("\033[" + shownLines + "A\r\033[J" + view);
                    } else {
                        out().print((shown == null ? "" : System.lineSeparator()) + view);
                    }
                    out().flush();
                    shown = view;
                    shownLines = (int) view.lines().count();
                }
                String state = Fields.text(r, "state", "");
                if (RolloutView.FINAL_STATES.contains(state)) {
                    return "completed".equals(state) ? Exit.OK : Exit.FAILED;
                }
                if (RolloutView.NEEDS_ATTENTION.equals(state)) {
                    // Nothing moves by itself any more: an operator decides, so following it ends here.
                    String id = Fields.text(r, "id", rolloutId);
                    err().println("rollout " + id + " needs attention: "
                            + Fields.text(r, "attention_reason", "(no reason given)"));
                    err().println("advance, complete or abort it: benchline rollout advance|complete|abort " + id);
                    return Exit.FAILED;
                }
                if (pause.sleep(interval)) {
                    return Exit.FAILED;
                }
            }
        }

        /** A read worth repeating: no answer, a server error or too many requests. */
        private static boolean worthRetrying(IOException e) {
            return !(e instanceof RequestFailed failed) || failed.status() >= 500 || failed.status() == 429;
        }

        /** The body as is when it is one line already, else compacted. */
        private static String oneLine(String body, JsonNode parsed) {
            String stripped = body.strip();
            return stripped.contains("\n") || stripped.contains("\r") ? parsed.toString() : stripped;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List a procedure's rollouts, newest first, as a table.",
                    "GET /v2/rollouts?procedure_id=&limit=."})
    static final class ListRollouts extends ApiCommand.WithJson {
        @Option(names = "--procedure-id", required = true, paramLabel = "ID", description = "The procedure")
        String procedureId;

        @Option(names = "--limit", defaultValue = "20", description = "At most this many (default: ${DEFAULT-VALUE})")
        int limit;

        @Override
        int execute(ApiClient client) throws IOException {
            if (limit < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1");
            }
            String body = client.get("/v2/rollouts?procedure_id=" + ApiClient.query(procedureId) + "&limit=" + limit);
            return show(body, (page, out) -> {
                Table table = RolloutView.list(page);
                if (table.size() == 0) {
                    out.println("no rollouts of procedure " + procedureId);
                } else {
                    out.print(table);
                }
            });
        }
    }

    @Command(name = "stations", mixinStandardHelpOptions = true,
            description = {"List a rollout's stations in rank order (canaries first), as a table: rank, stage, station,"
                    + " name, canary, the deployment it came from, and its pointer now: desired, staged (what its"
                    + " agent has staged or drains towards) and actual deployment, the agent's state and since when it"
                    + " has had a deployment staged.",
                    "GET /v2/rollouts/{id}/stations?stage=&limit=&cursor= (paged by cursor)."})
    static final class Stations extends PagedCommand {
        @Parameters(index = "0", paramLabel = "ROLLOUT_ID", description = "The rollout")
        String rolloutId;

        @Option(names = "--stage", paramLabel = "N", converter = StageNumberConverter.class,
                description = "Only the stations of stage N (counted from 1, as rollout status shows them)")
        Integer stage;

        @Override
        int execute(ApiClient client) throws IOException {
            String path = "/v2/rollouts/" + segment(rolloutId) + "/stations"
                    + (stage == null ? "" : "?stage=" + (stage - 1));
            return list(client, path, (entries, out) -> {
                if (entries.isEmpty()) {
                    out.println("no stations" + (stage == null ? "" : " in stage " + stage) + " of rollout "
                            + rolloutId);
                    return;
                }
                out.print(RolloutView.stations(entries));
            });
        }

        @Override
        String more() {
            return "more stations";
        }
    }

    /** {@code POST /v2/rollouts/{id}/<action>} {@code {note?}}, then the rollout as it is now. */
    abstract static class Action extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "ROLLOUT_ID", description = "The rollout")
        String rolloutId;

        @Option(names = "--note", description = "Why, for the history")
        String note;

        /** The last path segment, e.g. {@code advance}. */
        abstract String action();

        /** What happened, e.g. {@code advanced}. */
        abstract String done();

        @Override
        int execute(ApiClient client) throws IOException {
            String body = client.post("/v2/rollouts/" + segment(rolloutId) + "/" + action(), new Requests.Note(note));
            return show(body, (r, out) -> {
                out.println(done() + " rollout " + Fields.text(r, "id", rolloutId));
                out.print(RolloutView.block(r));
            });
        }
    }

    @Command(name = "advance", mixinStandardHelpOptions = true,
            description = {"Move a running rollout on to its next stage now, also before its wait is over.",
                    "POST /v2/rollouts/{id}/advance."})
    static final class Advance extends Action {
        @Override
        String action() {
            return "advance";
        }

        @Override
        String done() {
            return "advanced";
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = {"Pause a running rollout: no stage advances, by itself or by hand, until it is resumed;"
                    + " stations already moved stay.", "POST /v2/rollouts/{id}/pause."})
    static final class PauseRollout extends Action {
        @Override
        String action() {
            return "pause";
        }

        @Override
        String done() {
            return "paused";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = {"Resume a paused rollout.", "POST /v2/rollouts/{id}/resume."})
    static final class Resume extends Action {
        @Override
        String action() {
            return "resume";
        }

        @Override
        String done() {
            return "resumed";
        }
    }

    @Command(name = "complete", mixinStandardHelpOptions = true,
            description = {"Complete a rollout now, without waiting for its remaining stages.",
                    "POST /v2/rollouts/{id}/complete."})
    static final class Complete extends Action {
        @Override
        String action() {
            return "complete";
        }

        @Override
        String done() {
            return "completed";
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = {"Abort a rollout: every station of it goes back to the deployment it had. Asks for"
                    + " confirmation unless --yes; not on a terminal, --yes is required.",
                    "POST /v2/rollouts/{id}/abort."})
    static final class Abort extends Action {
        @ParentCommand
        RolloutCommands rollout;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation")
        boolean yes;

        @Override
        String action() {
            return "abort";
        }

        @Override
        String done() {
            return "aborted";
        }

        @Override
        int execute(ApiClient client) throws IOException {
            if (!Confirmation.given(rollout.main.terminal(), yes, err(), "aborting rollout " + rolloutId, "abort",
                    () -> "Abort rollout " + rolloutId + "? Every station of it goes back to the deployment it had.",
                    "not aborted")) {
                return Exit.USAGE;
            }
            return super.execute(client);
        }
    }

    /** {@code N} is a station count, {@code N%} a percent of the procedure's stations ({@code 12.5%} too). */
    static final class StageConverter implements CommandLine.ITypeConverter<Requests.RolloutStage> {
        private static final Pattern COUNT = Pattern.compile("\\d+");
        private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)%");
        private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

        @Override
        public Requests.RolloutStage convert(String value) {
            String v = value.strip();
            Matcher percent = PERCENT.matcher(v);
            if (percent.matches()) {
                BigDecimal p = new BigDecimal(percent.group(1));
                if (p.signum() <= 0 || p.compareTo(HUNDRED) > 0) {
                    throw new CommandLine.TypeConversionException("'" + value + "': a percent is more than 0 and at"
                            + " most 100");
                }
                return new Requests.RolloutStage(null, p);
            }
            if (COUNT.matcher(v).matches()) {
                int count;
                try {
                    count = Integer.parseInt(v);
                } catch (NumberFormatException tooLarge) {
                    count = -1;
                }
                if (count < 1) {
                    throw new CommandLine.TypeConversionException("'" + value + "': a station count is a whole"
                            + " number from 1 on");
                }
                return new Requests.RolloutStage(count, null);
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a stage: N stations (e.g. 2) or"
                    + " N percent of them (e.g. 25% or 12.5%)");
        }
    }

    /** The gate's minimum runs on canary and base each: a whole number from 1 on. */
    static final class MinRunsConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int runs;
            try {
                runs = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                runs = 0;
            }
            if (runs < 1) {
                throw new CommandLine.TypeConversionException("'" + value + "': the gate's minimum runs is a whole"
                        + " number from 1 on");
            }
            return runs;
        }
    }

    /** A stage as a person counts them: a whole number from 1 on. */
    static final class StageNumberConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int stage;
            try {
                stage = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                stage = 0;
            }
            if (stage < 1) {
                throw new CommandLine.TypeConversionException("'" + value + "': a stage is a whole number from 1 on");
            }
            return stage;
        }
    }

    /** The gate's duration tolerance: a decimal above 0 and at most 10, sent as written ({@code 0.5}). */
    static final class ToleranceConverter implements CommandLine.ITypeConverter<BigDecimal> {
        private static final BigDecimal HIGHEST = BigDecimal.TEN;

        @Override
        public BigDecimal convert(String value) {
            BigDecimal tolerance;
            try {
                tolerance = new BigDecimal(value.strip());
            } catch (NumberFormatException e) {
                tolerance = null;
            }
            if (tolerance == null || tolerance.signum() <= 0 || tolerance.compareTo(HIGHEST) > 0) {
                throw new CommandLine.TypeConversionException("'" + value + "': the gate's duration tolerance is a"
                        + " fraction above 0 and at most 10 (e.g. 0.5: up to 50% slower)");
            }
            return tolerance;
        }
    }

    /** The gate's confidence: a decimal from 0.5 to 0.9999, sent as written ({@code 0.95}). */
    static final class ConfidenceConverter implements CommandLine.ITypeConverter<BigDecimal> {
        private static final BigDecimal LOWEST = new BigDecimal("0.5");
        private static final BigDecimal HIGHEST = new BigDecimal("0.9999");

        @Override
        public BigDecimal convert(String value) {
            BigDecimal confidence;
            try {
                confidence = new BigDecimal(value.strip());
            } catch (NumberFormatException e) {
                confidence = null;
            }
            if (confidence == null || confidence.compareTo(LOWEST) < 0 || confidence.compareTo(HIGHEST) > 0) {
                throw new CommandLine.TypeConversionException("'" + value + "': the gate's confidence is a number"
                        + " from 0.5 to 0.9999 (e.g. 0.95)");
            }
            return confidence;
        }
    }

    /** A wait as the server reads it, in its largest whole unit: {@code 10m}, {@code 90s}, {@code 2h}. */
    static final class WaitConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            Duration d = DurationConverter.parse(value);
            if (d.toMillis() % 1000 != 0) {
                throw new CommandLine.TypeConversionException("'" + value + "': a duration here is whole seconds");
            }
            long seconds = d.toSeconds();
            return seconds % 3600 == 0 ? seconds / 3600 + "h" : seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
        }
    }
}
