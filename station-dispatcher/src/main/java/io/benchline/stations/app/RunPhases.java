package io.benchline.stations.app;

import io.benchline.common.api.ProblemException;
import io.benchline.events.StationRun;

import java.util.List;
import java.util.Set;

/**
 * The phases of a run as an agent reports them (TofuPilot-format procedures): checked against explicit limits so a
 * report can never grow a station.runs event past what Kafka takes, and stored as JSON text on the run.
 */
public final class RunPhases {
    public static final int MAX_PHASES = 500;
    public static final int MAX_MEASUREMENTS = 2_000;
    public static final int MAX_MESSAGE = 2_000;
    public static final int MAX_VALUE_BYTES = 4_096;
    public static final int MAX_SERIAL = 100;
    static final Set<String> GROUPS = Set.of("setup", "main", "teardown");
    static final Set<String> OUTCOMES = Set.of("pass", "fail", "error", "timeout", "skip", "stop");
    static final Set<String> VERDICTS = Set.of("PASS", "FAIL", "UNSET");

    private RunPhases() {
    }

    /** 400 (naming the field) for phases outside the limits; a null list is fine. */
    public static void validate(List<StationRun.PhaseResult> phases) {
        if (phases == null) {
            return;
        }
        if (phases.size() > MAX_PHASES) {
            throw ProblemException.invalid("phase_results", "at most " + MAX_PHASES + " phases");
        }
        int measurements = 0;
        for (int i = 0; i < phases.size(); i++) {
            StationRun.PhaseResult p = phases.get(i);
            String where = "phase_results[" + i + "]";
            if (p == null || p.key() == null || p.key().isBlank() || p.key().length() > 100) {
                throw ProblemException.invalid(where + ".key", "is required, at most 100 characters");
            }
            if (p.name() != null && p.name().length() > 100) {
                throw ProblemException.invalid(where + ".name", "at most 100 characters");
            }
            if (p.group() == null || !GROUPS.contains(p.group())) {
                throw ProblemException.invalid(where + ".group", "must be setup, main or teardown");
            }
            if (p.outcome() == null || !OUTCOMES.contains(p.outcome())) {
                throw ProblemException.invalid(where + ".outcome", "must be pass, fail, error, timeout, skip or stop");
            }
            if (p.message() != null && p.message().length() > MAX_MESSAGE) {
                throw ProblemException.invalid(where + ".message", "at most " + MAX_MESSAGE + " characters");
            }
            if ((p.attempts() != null && p.attempts() < 0) || (p.durationMs() != null && p.durationMs() < 0)) {
                throw ProblemException.invalid(where, "attempts and duration_ms must be at least 0");
            }
            for (int j = 0; p.measurements() != null && j < p.measurements().size(); j++) {
                StationRun.Measurement m = p.measurements().get(j);
                String at = where + ".measurements[" + j + "]";
                if (++measurements > MAX_MEASUREMENTS) {
                    throw ProblemException.invalid("phase_results", "at most " + MAX_MEASUREMENTS + " measurements");
                }
                if (m == null || m.key() == null || m.key().isBlank() || m.key().length() > 100) {
                    throw ProblemException.invalid(at + ".key", "is required, at most 100 characters");
                }
                if ((m.name() != null && m.name().length() > 100) || (m.unit() != null && m.unit().length() > 50)) {
                    throw ProblemException.invalid(at, "name at most 100 characters, unit at most 50");
                }
                if (m.outcome() == null || !VERDICTS.contains(m.outcome())) {
                    throw ProblemException.invalid(at + ".outcome", "must be PASS, FAIL or UNSET");
                }
                if (m.value() != null && m.value().toString().length() > MAX_VALUE_BYTES) {
                    throw ProblemException.invalid(at + ".value", "at most " + MAX_VALUE_BYTES + " bytes of JSON");
                }
            }
        }
    }

    /** 400 for a serial number that is blank, too long or holds control characters. */
    public static String serial(String field, String serial) {
        if (serial == null) {
            return null;
        }
        String s = serial.strip();
        if (s.isEmpty() || s.length() > MAX_SERIAL || s.chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.invalid(field, "must be 1 to " + MAX_SERIAL + " printable characters");
        }
        return s;
    }

    public static String write(List<StationRun.PhaseResult> phases) {
        return StationRun.phasesJson(phases);
    }

    public static List<StationRun.PhaseResult> read(String json) {
        return StationRun.phasesOf(json);
    }
}
