package io.benchline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.e2e.FaultWorkload.Answer;
import io.benchline.e2e.FaultWorkload.Call;
import io.benchline.e2e.FaultWorkload.Push;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a fault trial must find afterwards (invariant 8 and its neighbours). A request answered 2xx has had its full
 * effect exactly once; one refused with a 4xx has had none; one that failed (5xx, no answer) at most one, and never
 * half of one. Every deployment is final and built, every pointer move is one event with its version +1, and nothing
 * went to a dead-letter topic or to {@code outbox_failed}. Each check adds readable problems instead of failing at
 * the first, so a trial reports everything it found.
 */
final class FaultChecks {
    private final FaultWorkload w;
    private final List<String> problems = new ArrayList<>();

    FaultChecks(FaultWorkload workload) {
        this.w = workload;
    }

    List<String> problems() {
        return problems;
    }

    void problem(String format, Object... args) {
        problems.add(String.format(format, args));
    }

    /** Deployments: one per acknowledged push and accepted manual call, none for refused ones, all built. */
    void deployments(List<JsonNode> all) {
        Map<String, List<JsonNode>> pushed = new HashMap<>();
        Map<String, List<JsonNode>> manual = new HashMap<>();
        Map<String, List<JsonNode>> promotedFrom = new HashMap<>();
        for (JsonNode d : all) {
            String status = d.path("status").asText();
            if (!"ready".equals(status)) {
                problem("deployment %s (%s, commit %s) is %s%s", d.get("id").asText(), d.path("trigger").asText(),
                        abbrev(d.at("/commit/sha").asText()), status,
                        d.path("failure_reason").isNull() ? "" : ": " + d.path("failure_reason").asText());
            }
            if (!d.path("promoted_from").isNull()) {
                promotedFrom.computeIfAbsent(d.get("promoted_from").asText(), k -> new ArrayList<>()).add(d);
            } else if ("auto".equals(d.path("trigger").asText())) {
                pushed.computeIfAbsent(d.at("/commit/sha").asText(), k -> new ArrayList<>()).add(d);
            } else {
                manual.computeIfAbsent(d.at("/commit/sha").asText(), k -> new ArrayList<>()).add(d);
            }
        }
        for (Push p : w.pushes) {
            int n = pushed.getOrDefault(p.commit, List.of()).size();
            if (n != 1) {
                problem("push %s (delivery %s, answers %s): %d deployments, expected exactly 1", abbrev(p.commit),
                        p.deliveryId, p.answers, n);
            }
        }
        Set<String> pushedCommits = w.pushes.stream().map(p -> p.commit).collect(java.util.stream.Collectors.toSet());
        pushed.keySet().stream().filter(c -> !pushedCommits.contains(c))
                .forEach(c -> problem("deployment(s) %s of commit %s that no push sent", ids(pushed.get(c)), abbrev(c)));

        List<Call> manualCalls = calls("manual");
        for (Call c : manualCalls) {
            List<JsonNode> found = manual.getOrDefault(c.key(), List.of());
            expectCount("manual deployment of " + abbrev(c.key()), c, found.size());
            if (c.answer() == Answer.ACCEPTED && found.size() == 1
                    && !found.get(0).get("id").asText().equals(c.resultId())) {
                problem("manual deployment of %s answered id %s but %s exists", abbrev(c.key()), c.resultId(),
                        found.get(0).get("id").asText());
            }
        }
        Set<String> manualCommits = manualCalls.stream().map(Call::key).collect(java.util.stream.Collectors.toSet());
        manual.keySet().stream().filter(c -> !manualCommits.contains(c))
                .forEach(c -> problem("manual deployment(s) %s of commit %s that no call asked for", ids(manual.get(c)),
                        abbrev(c)));

        // Each preview is promoted at most once by the workload: copies of it and history lines must agree (below).
        for (Call c : calls("promote")) {
            List<JsonNode> copies = promotedFrom.getOrDefault(c.subject(), List.of());
            expectCount("promoted copy of " + c.subject(), c, copies.size());
            if (c.answer() == Answer.ACCEPTED && copies.size() == 1
                    && !copies.get(0).get("id").asText().equals(c.resultId())) {
                problem("promote of %s answered id %s but its copy is %s", c.subject(), c.resultId(),
                        copies.get(0).get("id").asText());
            }
        }
    }

    /** Procedure history: one promote, rollback or resume line per accepted call (found by its note). */
    void procedureHistory(List<JsonNode> history, List<JsonNode> deployments) {
        Map<String, List<JsonNode>> byNote = byNote(history);
        for (String kind : List.of("promote", "rollback", "resume")) {
            for (Call c : calls(kind)) {
                List<JsonNode> lines = byNote.getOrDefault(c.key(), List.of());
                expectCount(kind + " " + c.key() + " in the procedure history", c, lines.size());
                for (JsonNode line : lines) {
                    if (!kind.equals(line.path("action").asText())) {
                        problem("history line of %s has action %s", c.key(), line.path("action").asText());
                    }
                    String expected = kind.equals("promote") ? c.resultId() : c.subject();
                    if (expected != null && !kind.equals("resume")
                            && !expected.equals(line.path("deployment_id").asText())) {
                        problem("history line of %s names %s, expected %s", c.key(), line.path("deployment_id").asText(),
                                expected);
                    }
                    if (kind.equals("promote")) {
                        // No half promote: its line names a copy that exists, made from the source the call named.
                        String copy = line.path("deployment_id").asText();
                        boolean exists = deployments.stream().anyMatch(d -> d.get("id").asText().equals(copy)
                                && c.subject().equals(d.path("promoted_from").asText()));
                        if (!exists) {
                            problem("promote %s: history names %s, which is not a copy of %s", c.key(), copy,
                                    c.subject());
                        }
                    }
                }
            }
        }
        unknownNotes("procedure history", byNote);
    }

    /** The pin station's history: one pin line per accepted pin (found by its note). */
    void pinHistory(List<JsonNode> history) {
        Map<String, List<JsonNode>> byNote = byNote(history);
        for (Call c : calls("pin")) {
            List<JsonNode> lines = byNote.getOrDefault(c.key(), List.of());
            expectCount("pin " + c.key() + " in the station history", c, lines.size());
            for (JsonNode line : lines) {
                if (!"pin".equals(line.path("reason").asText()) || !c.subject().equals(line.path("to_deployment_id").asText())) {
                    problem("pin %s: history line %s", c.key(), line);
                }
            }
        }
        // Promotes and rollbacks carry their notes to the station's moves too.
        unknownNotes("pin station history", byNote);
    }

    /**
     * Pointer events of one station: distinct events (a relay may send one twice; consumers drop the copy by id)
     * number 1..n with no gap or repeat, n is the pointer's version, and each matches a history line that moved.
     * Returns what does not hold (the caller reads again while moves may still be on their way).
     */
    List<String> pointerEvents(String label, String station, List<ConsumerRecord<String, String>> topic,
            JsonNode pointer, List<JsonNode> history) {
        List<String> found = new ArrayList<>();
        Map<String, String> distinct = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : topic) {
            if (station.equals(r.key()) && w.procedureId.equals(Api.field(r.value(), "/data/procedure_id"))) {
                distinct.putIfAbsent(Api.field(r.value(), "/id"), r.value());
            }
        }
        TreeMap<Long, List<String>> byVersion = new TreeMap<>();
        for (String event : distinct.values()) {
            byVersion.computeIfAbsent(Long.parseLong(Api.field(event, "/data/pointer_version")), k -> new ArrayList<>())
                    .add(Api.field(event, "/data/reason") + "→" + Api.field(event, "/data/to_deployment_id"));
        }
        long version = pointer.path("pointer_version").asLong(0);
        List<Long> expected = new ArrayList<>();
        for (long v = 1; v <= version; v++) {
            expected.add(v);
        }
        if (!new ArrayList<>(byVersion.keySet()).equals(expected)) {
            found.add(String.format("%s station: pointer events carry versions %s, the pointer is at version %d", label,
                    byVersion.keySet(), version));
        }
        byVersion.forEach((v, moves) -> {
            if (moves.size() > 1) {
                found.add(String.format("%s station: %d distinct events for pointer version %d: %s", label,
                        moves.size(), v, moves));
            }
        });
        Map<Long, String> moved = new TreeMap<>();
        for (JsonNode h : history) {
            if (!Objects.equals(h.path("from_deployment_id").asText(null), h.path("to_deployment_id").asText(null))
                    && h.hasNonNull("pointer_version")) {
                moved.put(h.get("pointer_version").asLong(), h.path("reason").asText() + "→"
                        + h.path("to_deployment_id").asText());
            }
        }
        Map<Long, String> events = new TreeMap<>();
        byVersion.forEach((v, moves) -> events.put(v, moves.get(0)));
        if (!moved.equals(events)) {
            found.add(String.format("%s station: history moves %s but events %s", label, moved, events));
        }
        return found;
    }

    private void expectCount(String what, Call c, int n) {
        boolean fine = switch (c.answer()) {
            case ACCEPTED -> n == 1;
            case REFUSED -> n == 0;
            case FAILED -> n <= 1;
        };
        if (!fine) {
            problem("%s: answered %s (%d%s), found %d", what, c.answer(), c.status(),
                    c.detail() == null ? "" : " " + c.detail(), n);
        }
    }

    private void unknownNotes(String where, Map<String, List<JsonNode>> byNote) {
        Set<String> known = new java.util.HashSet<>();
        synchronized (w.calls) {
            w.calls.forEach(c -> known.add(c.key()));
        }
        byNote.forEach((note, lines) -> {
            if (note.startsWith(w.name + "-") && !known.contains(note)) {
                problem("%s has %d line(s) with note %s that no call sent", where, lines.size(), note);
            }
        });
    }

    private List<Call> calls(String kind) {
        synchronized (w.calls) {
            return w.calls.stream().filter(c -> c.kind().equals(kind)).toList();
        }
    }

    private static Map<String, List<JsonNode>> byNote(List<JsonNode> lines) {
        Map<String, List<JsonNode>> out = new HashMap<>();
        for (JsonNode line : lines) {
            String note = line.path("note").asText(null);
            if (note != null) {
                out.computeIfAbsent(note, k -> new ArrayList<>()).add(line);
            }
        }
        return out;
    }

    /** Counts of each answer per kind of request, e.g. {@code push 31/0/4} (accepted/refused/failed). */
    static String tally(FaultWorkload w) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        int[] push = counts.computeIfAbsent("push", k -> new int[3]);
        synchronized (w.pushes) {
            for (Push p : w.pushes) {
                boolean firstAccepted = !p.answers.isEmpty() && p.answers.get(0).startsWith("2");
                push[firstAccepted ? 0 : 2]++;
            }
        }
        synchronized (w.calls) {
            for (Call c : w.calls) {
                counts.computeIfAbsent(c.kind(), k -> new int[3])[c.answer().ordinal()]++;
            }
        }
        StringBuilder s = new StringBuilder();
        counts.forEach((kind, n) -> s.append(s.isEmpty() ? "" : " ").append(kind).append(' ')
                .append(n[0]).append('/').append(n[1]).append('/').append(n[2]));
        return s.toString();
    }

    private static String ids(List<JsonNode> deployments) {
        return deployments.stream().map(d -> d.get("id").asText()).toList().toString();
    }

    private static String abbrev(String sha) {
        return sha == null || sha.length() < 10 ? String.valueOf(sha) : sha.substring(0, 10);
    }
}
